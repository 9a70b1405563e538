import CEmberKernels

/// Softmax and log-softmax along a dim: fused, numerically stable kernels (subtract the row
/// maximum) with hand-written backwards, since composing them from primitives costs four
/// passes and the extra memory (STYLE: fuse only where it measurably pays).
private struct SoftmaxKernel: FloatVisitor {
    let x: Tensor, out: Tensor, outer: Int, inner: Int, log: Bool
    func visit<T: FloatElement>(_: T.Type) {
        let px = x.pointer(T.self), po = out.pointer(T.self)
        let n = inner, log = self.log
        Parallel.forRange(outer, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { rows in
            softmaxRows(px + rows.lowerBound * n, po + rows.lowerBound * n, rows: rows.count, cols: n, log: log)
        }
    }
}

/// Softmax (or log-softmax) of `rows` contiguous rows of `n` values from `px` into `po`,
/// which may be `px`: the vectorized C kernel for float32 (see CEmberKernels), the same
/// max-subtracted loops for other float types.
func softmaxRows<T: FloatElement>(_ px: UnsafeMutablePointer<T>, _ po: UnsafeMutablePointer<T>, rows: Int, cols n: Int, log: Bool) {
    if T.self == Float.self {
        ember_softmax_rows_f32(floats(px), floats(po), rows, n, log ? 1 : 0)
        return
    }
    for r in 0..<rows {
        let p = px + r * n, o = po + r * n
        var m = -T.infinity
        for i in 0..<n where p[i] > m || p[i].isNaN { m = p[i] }
        if m == -T.infinity { m = 0 }
        var s: T = 0
        for i in 0..<n { s += T.exp(p[i] - m) }
        if log {
            // (x - m) - log s, not x - (m + log s): with large inputs the sum
            // m + log s would round away the digits of log s (as PyTorch avoids too).
            let logS = T.log(s)
            for i in 0..<n { o[i] = (p[i] - m) - logS }
        } else {
            let inv = 1 / s
            for i in 0..<n { o[i] = T.exp(p[i] - m) * inv }
        }
    }
}

extension Tensor {
    private func softmaxImpl(_ d0: Int, log: Bool, file: StaticString, line: UInt) -> Tensor {
        let op: StaticString = log ? "logSoftmax" : "softmax"
        check(dtype.isFloatingPoint, op, "\(op) needs a floating point input, got \(dtype)", file: file, line: line)
        if self.dim == 0 { return log ? Tensor.zerosLike(self) : Tensor.onesLike(self) }
        let d = normalizeDim(d0, rank: dim, op, file: file, line: line)
        let compute = dtype.computeType
        let moved = d == dim - 1 ? self : transposedRaw(d, dim - 1)
        let (rows, outer, inner) = moved.convertedRaw(compute).rowsForReduction([dim - 1])
        let result = Tensor(empty: moved.shape, dtype: compute)
        if numel > 0 { compute.visitFloat(SoftmaxKernel(x: rows, out: result, outer: outer, inner: inner, log: log)) }
        var out = d == dim - 1 ? result : result.transposedRaw(d, dim - 1)
        out = out.convertedRaw(dtype)
        if needsGrad(self) {
            let so = SavedTensor(out, op: "\(op)", isOutput: true), sx = SavedTensor(self, op: "\(op)")
            record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", out, inputs: [self], file: file, line: line) { g in
                if !log && !GradMode.isEnabled, let dx = Tensor.softmaxBackwardLastDim(so.value, g, d) { return [dx] }
                let y = GradMode.isEnabled ? sx.value.softmaxImpl(d, log: log, file: file, line: line) : so.value
                if log {
                    return [g - y.exp() * g.sum(dim: d, keepDim: true)]
                }
                return [y * (g - (g * y).sum(dim: d, keepDim: true))]
            }
        }
        return out
    }

    /// `y·(g - Σ g·y)` over the last dim in one vectorized pass per row, for a float32 softmax
    /// output `y` taken along its last dim `d`; nil where that does not apply.
    private static func softmaxBackwardLastDim(_ y: Tensor, _ g: Tensor, _ d: Int) -> Tensor? {
        guard y.dtype == .float32 && g.dtype == .float32 && d == y.dim - 1 && y.isContiguous && g.shape == y.shape else { return nil }
        let gc = g.isContiguous ? g : g.convertedCopy()
        let cols = y.shape[d], dx = Tensor(empty: y.shape, dtype: .float32)
        guard cols > 0 else { return dx }
        let rows = y.numel / cols
        let py = y.pointer(Float.self), pg = gc.pointer(Float.self), pd = dx.pointer(Float.self)
        Parallel.forRange(rows, grain: Swift.max(1, 8192 / cols)) { r in
            let o = r.lowerBound * cols
            ember_softmax_backward_rows_f32(py + o, pg + o, pd + o, r.count, cols, 1)
        }
        return dx
    }

    /// A transposed view with no autograd.
    func transposedRaw(_ a: Int, _ b: Int) -> Tensor {
        var s = shape, st = strides
        s.swapAt(a, b)
        st.swapAt(a, b)
        return Tensor(storage: storage, shape: s, strides: st, offset: offset, dtype: dtype)
    }

    /// `exp(x) / Σ exp(x)` along `dim`, stable for large inputs (PyTorch: `torch.softmax`).
    public func softmax(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        softmaxImpl(dim, log: false, file: file, line: line)
    }

    /// `x - logsumexp(x)` along `dim` (PyTorch: `torch.log_softmax`).
    public func logSoftmax(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        softmaxImpl(dim, log: true, file: file, line: line)
    }
}
