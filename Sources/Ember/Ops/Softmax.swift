/// Softmax and log-softmax along a dim: fused, numerically stable kernels (subtract the row
/// maximum) with hand-written backwards, since composing them from primitives costs four
/// passes and the extra memory (STYLE: fuse only where it measurably pays).
private struct SoftmaxKernel: FloatVisitor {
    let x: Tensor, out: Tensor, outer: Int, inner: Int, log: Bool
    func visit<T: FloatElement>(_: T.Type) {
        let px = x.pointer(T.self), po = out.pointer(T.self)
        let n = inner, log = self.log
        Parallel.forRange(outer, grain: Swift.max(1, 8192 / Swift.max(n, 1))) { rows in
            for r in rows {
                let p = px + r * n, o = po + r * n
                var m = -T.infinity
                for i in 0..<n where p[i] > m || p[i].isNaN { m = p[i] }
                if m == -T.infinity { m = 0 }
                if T.self == Float.self && log {
                    // Log-softmax: the same vector exp, summed only; then one pass writing
                    // (x - m) - log s.
                    let pf = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
                    let of = UnsafeMutableRawPointer(o).assumingMemoryBound(to: Float.self)
                    let mf = unsafeBitCast(m, to: Float.self)
                    var acc = SIMD16<Float>()
                    var i = 0
                    while i + 16 <= n {
                        acc += expSIMD(UnsafeRawPointer(pf + i).loadUnaligned(as: SIMD16<Float>.self) - mf)
                        i += 16
                    }
                    var s = acc.sum()
                    while i < n { s += Float.exp(pf[i] - mf); i += 1 }
                    let logS = Float.log(s)
                    for j in 0..<n { of[j] = (pf[j] - mf) - logS }
                    continue
                }
                if T.self == Float.self && !log {
                    // Vector exp of the shifted row, then one normalizing pass.
                    let pf = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
                    let of = UnsafeMutableRawPointer(o).assumingMemoryBound(to: Float.self)
                    let mf = unsafeBitCast(m, to: Float.self)
                    var acc = SIMD16<Float>()
                    var i = 0
                    while i + 16 <= n {
                        let e = expSIMD(UnsafeRawPointer(pf + i).loadUnaligned(as: SIMD16<Float>.self) - mf)
                        UnsafeMutableRawPointer(of + i).storeBytes(of: e, as: SIMD16<Float>.self)
                        acc += e
                        i += 16
                    }
                    var s = acc.sum()
                    while i < n { let e = Float.exp(pf[i] - mf); of[i] = e; s += e; i += 1 }
                    let inv = 1 / s
                    for j in 0..<n { of[j] *= inv }
                    continue
                }
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
                let y = GradMode.isEnabled ? sx.value.softmaxImpl(d, log: log, file: file, line: line) : so.value
                if log {
                    return [g - y.exp() * g.sum(dim: d, keepDim: true)]
                }
                return [y * (g - (g * y).sum(dim: d, keepDim: true))]
            }
        }
        return out
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
