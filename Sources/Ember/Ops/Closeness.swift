/// Comparing whole tensors (PyTorch: `torch.isclose`, `torch.allclose`, `torch.equal`).
extension Tensor {
    /// Elementwise `|self - other| <= atol + rtol * |other|`, broadcasting; equal infinities
    /// are close, NaN is close to NaN only with `equalNaN` (PyTorch: `torch.isclose`).
    public func isclose(_ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, equalNaN: Bool = false,
                        file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(rtol >= 0 && atol >= 0, "isclose", "rtol (\(rtol)) and atol (\(atol)) must be non-negative", file: file, line: line)
        return withNoGrad {
            let type = DType.promote(dtype, other.dtype)
            let a = to(type.isFloatingPoint ? type : .float64), b = other.to(a.dtype)
            var close = (a .== b).logicalOr(((a - b).abs() .<= (b.abs() * rtol).add(atol)).logicalAnd(a.isfinite()).logicalAnd(b.isfinite()))
            if equalNaN { close = close.logicalOr(a.isnan().logicalAnd(b.isnan())) }
            return close
        }
    }

    /// Whether every element is close to `other`'s (PyTorch: `torch.allclose`).
    public func allclose(_ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, equalNaN: Bool = false,
                         file: StaticString = #fileID, line: UInt = #line) -> Bool {
        isclose(other, rtol: rtol, atol: atol, equalNaN: equalNaN, file: file, line: line).all().item(as: Bool.self)
    }

    /// Whether both have the same shape and the same values (NaN is never equal)
    /// (PyTorch: `torch.equal`).
    public func equal(_ other: Tensor) -> Bool {
        shape == other.shape && withNoGrad { (self .== other).all().item(as: Bool.self) }
    }
}
