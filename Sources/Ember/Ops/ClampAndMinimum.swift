/// Clamping against tensors and the smallest-value reductions PyTorch has beside `clamp` and
/// `amax` (PyTorch: `torch.clamp(min=Tensor, max=Tensor)`, `clamp_min`, `clamp_max`, `amin`,
/// `aminmax`). Composed from `where` and `amax`, so gradients follow PyTorch's: through a
/// bound where it applied, through `self` where `self` lies within the bounds (ends included).
extension Tensor {
    /// `self` clamped into `[min, max]` elementwise, bounds broadcast against `self`; `max`
    /// wins where `min > max` (PyTorch: `torch.clamp(t, min=lo, max=hi)` with tensor bounds).
    /// Differentiable in `self` and in both bounds. NaN in `self` stays NaN.
    public func clamp(min: Tensor? = nil, max: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(min != nil || max != nil, "clamp", "at least one of 'min' or 'max' must not be None", file: file, line: line)
        var out = self
        if let min { out = out.clampMin(min, file: file, line: line) }
        if let max { out = out.clampMax(max, file: file, line: line) }
        return out
    }

    /// `max(self, min)` elementwise, keeping `self` where they tie (PyTorch: `torch.clamp_min`).
    public func clampMin(_ min: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        _ = broadcastShapes(shape, min.shape, op: "clamp_min", file: file, line: line)
        return Tensor.where((self .>= min).logicalOr(isnan()), self, min, file: file, line: line)
    }

    /// `min(self, max)` elementwise, keeping `self` where they tie (PyTorch: `torch.clamp_max`).
    public func clampMax(_ max: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        _ = broadcastShapes(shape, max.shape, op: "clamp_max", file: file, line: line)
        return Tensor.where((self .<= max).logicalOr(isnan()), self, max, file: file, line: line)
    }

    /// `max(self, min)` with a scalar bound (PyTorch: `torch.clamp_min(t, 0.5)`).
    public func clampMin(_ min: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        clamp(min: min, file: file, line: line)
    }

    /// `min(self, max)` with a scalar bound (PyTorch: `torch.clamp_max(t, 0.5)`).
    public func clampMax(_ max: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        clamp(max: max, file: file, line: line)
    }

    /// Smallest values over `dims`, gradient shared evenly between ties (PyTorch: `torch.amin`).
    public func amin(dims: [Int], keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        -((-self).amax(dims: dims, keepDim: keepDim, file: file, line: line))
    }

    /// Smallest values along `dim` (PyTorch: `torch.amin(t, dim)`).
    public func amin(dim: Int, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        amin(dims: [dim], keepDim: keepDim, file: file, line: line)
    }

    /// The smallest and largest values, over all elements or along `dim`
    /// (PyTorch: `torch.aminmax`).
    public func aminmax(dim: Int? = nil, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> (min: Tensor, max: Tensor) {
        let dims = dim.map { [$0] } ?? Array(0..<self.dim)
        return (amin(dims: dims, keepDim: keepDim, file: file, line: line), amax(dims: dims, keepDim: keepDim, file: file, line: line))
    }
}
