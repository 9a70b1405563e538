/// PyTorch's spellings for reading a tensor back into Swift and for shapes, so a script ports
/// line by line: `t.item()` into the caller's type, `tolist()` with nesting, `t()`, `ndim`,
/// `size()`, and creation ops that take the sizes as separate integers (`Tensor.zeros(4, 3)`).
extension Tensor {
    /// The single value of a one-element tensor in the integer type the caller asks for
    /// (PyTorch: `tensor.item()`), so `correct += (predicted .== labels).sum().item()` ports
    /// as is. Traps when the value does not fit `T` or is not integral.
    public func item<T: BinaryInteger>(file: StaticString = #fileID, line: UInt = #line) -> T {
        let value = item(as: Double.self, file: file, line: line)
        check(value.rounded() == value, "item", "the value \(value) is not an integer", file: file, line: line)
        guard let exact = T(exactly: value) else {
            emberFailure("item", "the value \(value) does not fit \(T.self)", file: file, line: line)
        }
        return exact
    }

    /// The single value of a one-element tensor in the floating-point type the caller asks
    /// for (PyTorch: `tensor.item()`): `let loss: Float = l.item()`.
    public func item<T: BinaryFloatingPoint>(file: StaticString = #fileID, line: UInt = #line) -> T {
        T(item(as: Double.self, file: file, line: line))
    }

    /// The elements of a 1-d tensor (PyTorch: `tensor.tolist()`): `let v: [Float] = t.tolist()`.
    public func tolist<T: TensorElement>(file: StaticString = #fileID, line: UInt = #line) -> [T] {
        check(dim == 1, "tolist", "a tensor of shape \(shape) does not make a [\(T.self)]; it has \(dim) dimensions, not 1", file: file, line: line)
        return toArray(as: T.self)
    }

    /// The rows of a 2-d tensor (PyTorch: `tensor.tolist()`): `let rows: [[Float]] = t.tolist()`.
    public func tolist<T: TensorElement>(file: StaticString = #fileID, line: UInt = #line) -> [[T]] {
        check(dim == 2, "tolist", "a tensor of shape \(shape) does not make a [[\(T.self)]]; it has \(dim) dimensions, not 2", file: file, line: line)
        let flat = toArray(as: T.self), cols = shape[1]
        return (0..<shape[0]).map { Array(flat[($0 * cols)..<(($0 + 1) * cols)]) }
    }

    /// The planes of a 3-d tensor (PyTorch: `tensor.tolist()`): `let p: [[[Float]]] = t.tolist()`.
    public func tolist<T: TensorElement>(file: StaticString = #fileID, line: UInt = #line) -> [[[T]]] {
        check(dim == 3, "tolist", "a tensor of shape \(shape) does not make a [[[\(T.self)]]]; it has \(dim) dimensions, not 3", file: file, line: line)
        return (0..<shape[0]).map { select(0, $0).tolist(file: file, line: line) }
    }

    /// The transpose of a tensor of at most 2 dimensions (PyTorch: `tensor.t()`): a view.
    public func t(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim <= 2, "t", "expects a tensor with <= 2 dimensions, but self is \(dim)-d (shape \(shape)); use transpose(_:_:) or permute", file: file, line: line)
        return dim < 2 ? self : transpose(0, 1, file: file, line: line)
    }

    /// The number of dimensions (PyTorch: `tensor.ndim`); the same as `dim`.
    public var ndim: Int { dim }

    /// The shape (PyTorch: `tensor.size()` without an argument); `size(d)` gives one dimension.
    public func size() -> [Int] { shape }

    /// Zeros with the sizes given one by one (PyTorch: `torch.zeros(4, 3)`).
    public static func zeros(_ sizes: Int..., dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        zeros(sizes, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// Ones with the sizes given one by one (PyTorch: `torch.ones(4, 3)`).
    public static func ones(_ sizes: Int..., dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        ones(sizes, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// Uniform values in [0, 1) with the sizes given one by one (PyTorch: `torch.rand(4, 3)`).
    public static func rand(_ sizes: Int..., dtype: DType = .float32, generator: Generator = .default, requiresGrad: Bool = false) -> Tensor {
        rand(sizes, dtype: dtype, generator: generator, requiresGrad: requiresGrad)
    }

    /// Standard normal values with the sizes given one by one (PyTorch: `torch.randn(4, 3)`).
    public static func randn(_ sizes: Int..., dtype: DType = .float32, generator: Generator = .default, requiresGrad: Bool = false) -> Tensor {
        randn(sizes, dtype: dtype, generator: generator, requiresGrad: requiresGrad)
    }

    /// A constant tensor with the sizes given one by one (PyTorch: `torch.full((4, 3), v)`).
    public static func full(_ sizes: Int..., value: Double, dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        full(sizes, value, dtype: dtype, requiresGrad: requiresGrad)
    }
}

/// Turns gradient recording on or off for this thread until changed again (PyTorch:
/// `torch.set_grad_enabled(mode)`; `withGrad { }` is `torch.enable_grad()` and `withNoGrad { }`
/// is `torch.no_grad()`).
public func setGradEnabled(_ enabled: Bool) {
    GradMode.setEnabled(enabled)
}
