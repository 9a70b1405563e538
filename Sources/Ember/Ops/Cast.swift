/// Converts every element of `src` into `dst`'s dtype and layout (same shape).
struct CastInto: ElementVisitor {
    let src: Tensor, dst: Tensor
    func visit<S: TensorElement>(_: S.Type) {
        dst.dtype.visit(CastFrom<S>(src: src, dst: dst))
    }
}

private struct CastFrom<S: TensorElement>: ElementVisitor {
    let src: Tensor, dst: Tensor
    func visit<D: TensorElement>(_: D.Type) {
        mapUnary(src, into: dst, ConvertFn<S, D>())
    }
}

/// Converts one element between dtypes; the type tests fold away once specialized.
struct ConvertFn<S: TensorElement, D: TensorElement>: UnaryMap {
    @inline(__always) func callAsFunction(_ x: S) -> D {
        if S.self == D.self { return unsafeBitCast(x, to: D.self) }
        if S.self == Float.self, D.self == Float16.self { return unsafeBitCast(Float16(unsafeBitCast(x, to: Float.self)), to: D.self) }
        if S.self == Float16.self, D.self == Float.self { return unsafeBitCast(Float(unsafeBitCast(x, to: Float16.self)), to: D.self) }
        if S.self == Float.self, D.self == BFloat16.self { return unsafeBitCast(BFloat16(unsafeBitCast(x, to: Float.self)), to: D.self) }
        if S.self == BFloat16.self, D.self == Float.self { return unsafeBitCast(unsafeBitCast(x, to: BFloat16.self).float, to: D.self) }
        if S.self == Float.self, D.self == Double.self { return unsafeBitCast(Double(unsafeBitCast(x, to: Float.self)), to: D.self) }
        if S.self == Double.self, D.self == Float.self { return unsafeBitCast(Float(unsafeBitCast(x, to: Double.self)), to: D.self) }
        return D(double: x.double)
    }
}

extension Tensor {
    /// A copy of this tensor converted to `dtype`, or the tensor itself if it already has it
    /// (PyTorch: `tensor.to(dtype)`). Differentiable between floating-point dtypes.
    public func to(_ dtype: DType, copy: Bool = false) -> Tensor {
        if dtype == self.dtype && !copy { return self }
        let out = Tensor(empty: shape, dtype: dtype)
        self.dtype.visit(CastInto(src: self, dst: out))
        if needsGrad(self) && dtype.isFloatingPoint {
            let from = self.dtype
            record("ToCopyBackward0", out, inputs: [self]) { g in [g.to(from)] }
        }
        return out
    }

    /// Same as `to(.float32)` (PyTorch: `tensor.float()`).
    public func float() -> Tensor { to(.float32) }
    /// Same as `to(.float64)` (PyTorch: `tensor.double()`).
    public func double() -> Tensor { to(.float64) }
    /// Same as `to(.int64)` (PyTorch: `tensor.long()`).
    public func long() -> Tensor { to(.int64) }
    /// Same as `to(.bool)` (PyTorch: `tensor.bool()`).
    public func bool() -> Tensor { to(.bool) }
    /// Same as `to(.float16)` (PyTorch: `tensor.half()`).
    public func half() -> Tensor { to(.float16) }
}
