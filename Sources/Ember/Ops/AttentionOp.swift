import CEmberKernels

/// The core of scaled dot-product attention, `softmax(q·kᵀ·scale + mask)·v`, as one fused op
/// with a hand-written backward.
///
/// Composed from primitives, attention is a scaling pass, a batched GEMM, a mask add, a
/// softmax and a second batched GEMM forward, and about ten batched GEMMs and elementwise
/// passes backward, each writing a `[B, L, S]` temporary. Here each batch matrix is done in
/// one go on one core (the batch is split across cores, BLAS held to the calling thread):
/// scores GEMM with the scale folded in, mask add and softmax in place while the row is in
/// cache, then the output GEMM; backward keeps the softmax output from the forward pass and
/// runs four GEMMs and one fused softmax-gradient pass per batch matrix. Masks are read
/// through their (broadcast) strides, never expanded; `isCausal` masks by index.
extension Tensor {
    /// `softmax(self·keyᵀ·scale + mask)·value` for a batch of matrices: `self` (the queries)
    /// `[B, L, E]`, `key` `[B, S, E]`, `value` `[B, S, Ev]`, result `[B, L, Ev]` (PyTorch:
    /// the math path of `F.scaled_dot_product_attention(q, k, v, attn_mask, is_causal=...,
    /// scale=...)` without dropout).
    ///
    /// `mask` is an additive float mask broadcastable to `[B, L, S]` (`-inf` blocks a key);
    /// `isCausal` lets query `i` see keys `0...i` only (then `mask` must be nil). A query row
    /// whose keys are all blocked gives NaN, as the composite does. Float32 and float64.
    ///
    /// ```swift
    /// let y = q.attention(key: k, value: v, isCausal: true, scale: 1 / 8)   // [B, L, Ev]
    /// ```
    public func attention(key: Tensor, value: Tensor, mask: Tensor? = nil, isCausal: Bool = false, scale: Double,
                          file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let op: StaticString = "attention"
        check(dim == 3 && key.dim == 3 && value.dim == 3, op, "expects 3-d query [B, L, E], key [B, S, E] and value [B, S, Ev], got \(shape), \(key.shape), \(value.shape)", file: file, line: line)
        let b = shape[0], l = shape[1], e = shape[2], s = key.shape[1], ev = value.shape[2]
        check(key.shape[0] == b && value.shape[0] == b && key.shape[2] == e && value.shape[1] == s, op, "query \(shape), key \(key.shape) and value \(value.shape) do not fit [B, L, E], [B, S, E], [B, S, Ev]", file: file, line: line)
        check(dtype == .float32 || dtype == .float64, op, "expected float32 or float64 inputs, got \(dtype)", file: file, line: line)
        check(key.dtype == dtype && value.dtype == dtype, op, "query, key and value must have the same dtype, got \(dtype), \(key.dtype), \(value.dtype)", file: file, line: line)
        check(!(isCausal && mask != nil), op, "pass either mask or isCausal, not both", file: file, line: line)
        var maskView: Tensor? = nil
        if let mask {
            check(mask.dtype == dtype, op, "the mask must be a float mask of the inputs' dtype \(dtype), got \(mask.dtype)", file: file, line: line)
            check(mask.dim <= 3, op, "the mask must broadcast to [B, L, S] = \([b, l, s]), got \(mask.shape)", file: file, line: line)
            let padded = [Int](repeating: 1, count: 3 - mask.dim) + mask.shape
            check(zip(padded, [b, l, s]).allSatisfy { $0 == $1 || $0 == 1 }, op, "the mask must broadcast to [B, L, S] = \([b, l, s]), got \(mask.shape)", file: file, line: line)
            maskView = withNoGrad { mask.expand([b, l, s]) }
        }
        let q = isContiguous ? self : convertedCopy()
        let k = key.isContiguous ? key : key.convertedCopy()
        let v = value.isContiguous ? value : value.convertedCopy()
        let out = Tensor(empty: [b, l, ev], dtype: dtype)
        let probs = Tensor(empty: [b, l, s], dtype: dtype)
        if b > 0 && l > 0 {
            dtype.visitFloat(AttentionForward(q: q, k: k, v: v, mask: maskView, causal: isCausal, scale: scale, probs: probs, out: out,
                                              b: b, l: l, s: s, e: e, ev: ev))
        }
        var inputs = [self, key, value]
        if let mask { inputs.append(mask) }
        guard needsGrad(inputs) else { return out }
        let saved = [self, key, value].map { SavedTensor($0, op: "ScaledDotProductAttentionBackward") }
        let savedMask = mask.map { SavedTensor($0, op: "ScaledDotProductAttentionBackward") }
        let needQ = requiresGrad, needK = key.requiresGrad, needV = value.requiresGrad
        let needMask = mask?.requiresGrad ?? false
        record("ScaledDotProductAttentionBackward", out, inputs: inputs, file: file, line: line) { g in
            if GradMode.isEnabled || needMask {
                // createGraph (or a mask that wants a gradient): the same gradients written with
                // tensor ops, so they differentiate again.
                let (qs, ks, vs) = (saved[0].value, saved[1].value, saved[2].value)
                var scores = qs.bmm(ks.transpose(1, 2)) * scale
                if isCausal {
                    let blocked = Tensor.arange(l).unsqueeze(1) .< Tensor.arange(s).unsqueeze(0)
                    scores = scores.maskedFill(blocked, -Double.infinity)
                } else if let m = savedMask?.value {
                    scores = scores + m
                }
                let p = scores.softmax(dim: -1)
                let dp = g.bmm(vs.transpose(1, 2))
                let ds = p * (dp - (dp * p).sum(dim: -1, keepDim: true))
                var grads: [Tensor?] = [needQ ? ds.bmm(ks) * scale : nil, needK ? ds.transpose(1, 2).bmm(qs) * scale : nil,
                                        needV ? p.transpose(1, 2).bmm(g) : nil]
                if let m = savedMask?.value { grads.append(needMask ? ds.sumTo(m.shape) : nil) }
                return grads
            }
            let gc = g.isContiguous ? g : g.convertedCopy()
            let dq = needQ ? Tensor(empty: [b, l, e], dtype: q.dtype) : nil
            let dk = needK ? Tensor(empty: [b, s, e], dtype: q.dtype) : nil
            let dv = needV ? Tensor(empty: [b, s, ev], dtype: q.dtype) : nil
            if b > 0 && l > 0 {
                q.dtype.visitFloat(AttentionBackward(q: q, k: k, v: v, probs: probs, g: gc, dq: dq, dk: dk, dv: dv, scale: scale,
                                                     b: b, l: l, s: s, e: e, ev: ev))
            }
            var grads: [Tensor?] = [dq, dk, dv]
            if mask != nil { grads.append(nil) }
            return grads
        }
        return out
    }

    /// Sums a gradient of the broadcast shape down to `target` (leading dims dropped, size-1
    /// dims summed with keepDim).
    fileprivate func sumTo(_ target: [Int]) -> Tensor {
        var t = self
        while t.dim > target.count { t = t.sum(dim: 0) }
        for (d, n) in target.enumerated() where n == 1 && t.shape[d] != 1 { t = t.sum(dim: d, keepDim: true) }
        return t
    }
}

/// Runs `body` over `0..<count` split across the cores, with OpenBLAS held to each calling
/// thread when the work is split (so BLAS threads and Ember's chunks do not oversubscribe).
private func forBatches(_ count: Int, _ body: (Range<Int>) -> Void) {
    if count > 1 && Parallel.workers > 1 {
        BLASThreads.withSingleThread { Parallel.forRange(count, grain: 1, body) }
    } else {
        body(0..<count)
    }
}

/// `[rows, cols]` row-major matrix at element offset `offset` of contiguous `t`, optionally
/// read transposed.
private func operand(_ t: Tensor, rows: Int, cols: Int, transposed: Bool = false) -> GEMMOperand {
    transposed ? GEMMOperand(t, rows: cols, cols: rows, rowStride: 1, colStride: cols)
        : GEMMOperand(t, rows: rows, cols: cols, rowStride: cols, colStride: 1)
}

/// Per batch matrix: `P = softmax(scale·q·kᵀ + mask)` into `probs`, then `out = P·v`.
private struct AttentionForward: FloatVisitor {
    let q: Tensor, k: Tensor, v: Tensor, mask: Tensor?, causal: Bool, scale: Double, probs: Tensor, out: Tensor
    let b: Int, l: Int, s: Int, e: Int, ev: Int
    func visit<T: FloatElement>(_: T.Type) {
        let opQ = operand(q, rows: l, cols: e), opKT = operand(k, rows: s, cols: e, transposed: true)
        let opV = operand(v, rows: s, cols: ev)
        let pp = probs.pointer(T.self)
        let pm = mask?.pointer(T.self)
        let ms = mask?.strides ?? [0, 0, 0]
        let (l, s, e, ev, causal) = (l, s, e, ev, causal)
        forBatches(b) { range in
            for i in range {
                gemm(opQ, offA: i * l * e, opKT, offB: i * s * e, probs, offC: i * l * s, ldc: s, m: l, n: s, k: e, alpha: scale)
                for r in 0..<l {
                    let row = pp + (i * l + r) * s
                    var visible = s
                    if causal {
                        visible = Swift.min(r + 1, s)
                        for j in visible..<s { row[j] = 0 }
                    } else if let pm {
                        let mr = pm + i * ms[0] + r * ms[1], st = ms[2]
                        if st == 1 {
                            for j in 0..<s { row[j] += mr[j] }
                        } else {
                            for j in 0..<s { row[j] += mr[j * st] }
                        }
                    }
                    softmaxRow(row, visible)
                }
                gemm(operand(probs, rows: l, cols: s), offA: i * l * s, opV, offB: i * s * ev, out, offC: i * l * ev, ldc: ev,
                     m: l, n: ev, k: s)
            }
        }
    }

    /// In-place softmax of `n` contiguous values, as `Tensor.softmax` computes it.
    private func softmaxRow<T: FloatElement>(_ p: UnsafeMutablePointer<T>, _ n: Int) {
        if T.self == Float.self {
            let f = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
            ember_softmax_rows_f32(f, f, 1, n, 0)
            return
        }
        var m = -T.infinity
        for i in 0..<n where p[i] > m || p[i].isNaN { m = p[i] }
        if m == -T.infinity { m = 0 }
        var sum: T = 0
        for i in 0..<n { p[i] = T.exp(p[i] - m); sum += p[i] }
        let inv = 1 / sum
        for i in 0..<n { p[i] *= inv }
    }
}

/// Per batch matrix: `dv = Pᵀ·g`, `dP = g·vᵀ`, `dS = scale·P∘(dP - rowsum(dP∘P))`,
/// `dq = dS·k`, `dk = dSᵀ·q`.
private struct AttentionBackward: FloatVisitor {
    let q: Tensor, k: Tensor, v: Tensor, probs: Tensor, g: Tensor
    let dq: Tensor?, dk: Tensor?, dv: Tensor?
    let scale: Double
    let b: Int, l: Int, s: Int, e: Int, ev: Int
    func visit<T: FloatElement>(_: T.Type) {
        let (l, s, e, ev) = (l, s, e, ev)
        let opG = operand(g, rows: l, cols: ev)
        let pp = probs.pointer(T.self)
        let needScores = dq != nil || dk != nil
        forBatches(b) { range in
            let scratch = needScores ? Tensor(empty: [l, s], dtype: probs.dtype) : nil
            for i in range {
                if let dv {
                    gemm(operand(probs, rows: l, cols: s, transposed: true), offA: i * l * s, opG, offB: i * l * ev, dv, offC: i * s * ev,
                         ldc: ev, m: s, n: ev, k: l)
                }
                guard let scratch else { continue }
                gemm(opG, offA: i * l * ev, operand(v, rows: s, cols: ev, transposed: true), offB: i * s * ev, scratch, offC: 0,
                     ldc: s, m: l, n: s, k: ev)
                let ds = scratch.pointer(T.self), pr = pp + i * l * s
                if T.self == Float.self {
                    let fp = UnsafeMutableRawPointer(pr).assumingMemoryBound(to: Float.self)
                    let fs = UnsafeMutableRawPointer(ds).assumingMemoryBound(to: Float.self)
                    ember_softmax_backward_rows_f32(fp, fs, fs, l, s, Float(scale))
                } else {
                    let sc = T(scale)
                    for r in 0..<l {
                        let y = pr + r * s, d = ds + r * s
                        var dot: T = 0
                        for j in 0..<s { dot += y[j] * d[j] }
                        for j in 0..<s { d[j] = sc * y[j] * (d[j] - dot) }
                    }
                }
                if let dq {
                    gemm(operand(scratch, rows: l, cols: s), offA: 0, operand(k, rows: s, cols: e), offB: i * s * e, dq, offC: i * l * e,
                         ldc: e, m: l, n: e, k: s)
                }
                if let dk {
                    gemm(operand(scratch, rows: l, cols: s, transposed: true), offA: 0, operand(q, rows: l, cols: e), offB: i * l * e, dk,
                         offC: i * s * e, ldc: e, m: s, n: e, k: l)
                }
            }
        }
    }
}
