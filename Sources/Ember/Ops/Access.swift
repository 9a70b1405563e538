private struct FillValue: ElementVisitor {
    let t: Tensor, value: Double
    func visit<T: TensorElement>(_: T.Type) {
        let v = T(double: value)
        let p = t.pointer(T.self)
        if t.isContiguous {
            let n = t.numel
            Parallel.forRange(n, grain: elementwiseGrain * 4) { r in
                for i in r { p[i] = v }
            }
            return
        }
        let (shape, strides) = coalesce(t.shape, [t.strides])
        forEachRun(shape: shape, strides: strides, range: 0..<t.numel) { off, count in
            let s = strides[0].last!
            var q = p + off[0]
            for _ in 0..<count { q.pointee = v; q += s }
        }
    }
}

private struct ReadElements<R: TensorElement>: ElementVisitor {
    let t: Tensor
    func visit<T: TensorElement>(_: T.Type) -> [R] {
        let c = t.to(R.dtype).contiguous()
        return Array(UnsafeBufferPointer(start: c.pointer(R.self), count: c.numel))
    }
}

extension Tensor {
    /// Writes `value` into every element without recording autograd (used by creation ops).
    func fillRaw(_ value: Double) {
        dtype.visit(FillValue(t: self, value: value))
    }

    /// The single value of a one-element tensor as a Double (PyTorch: `tensor.item()`).
    public func item(file: StaticString = #fileID, line: UInt = #line) -> Double {
        item(as: Double.self, file: file, line: line)
    }

    /// The single value of a one-element tensor as `T` (PyTorch: `tensor.item()`).
    public func item<T: TensorElement>(as: T.Type, file: StaticString = #fileID, line: UInt = #line) -> T {
        check(numel == 1, "item", "a Tensor with \(numel) elements (shape \(shape)) cannot be converted to a scalar", file: file, line: line)
        return T(double: withNoGrad { dtype.visit(ScalarRead(t: self)) })
    }

    /// All elements in row-major order, converted to `T` (PyTorch: `tensor.tolist()` flattened).
    public func toArray<T: TensorElement>(as: T.Type) -> [T] {
        withNoGrad { dtype.visit(ReadElements<T>(t: self)) }
    }

    /// All elements in row-major order as float32 values.
    public func toArray() -> [Float] { toArray(as: Float.self) }
}

private struct ScalarRead: ElementVisitor {
    let t: Tensor
    func visit<T: TensorElement>(_: T.Type) -> Double { t.pointer(T.self).pointee.double }
}
