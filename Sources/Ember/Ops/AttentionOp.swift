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
///
/// `packedSelfAttention` reads the heads straight out of a packed q/k/v projection and writes
/// the heads merged, so multi-head self-attention needs no head split or merge copies.
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
        let maskView = attentionMaskView(mask, isCausal: isCausal, dtype: dtype, [b, l, s], op, file, line)
        let q = isContiguous ? self : convertedCopy()
        let k = key.isContiguous ? key : key.convertedCopy()
        let v = value.isContiguous ? value : value.convertedCopy()
        let out = Tensor(empty: [b, l, ev], dtype: dtype)
        let dims = AttentionDims(batch: b, heads: 1, l: l, s: s, e: e, ev: ev)
        let probs = Tensor(empty: [b, l, s], dtype: dtype)
        if b > 0 && l > 0 {
            dtype.visitFloat(AttentionForward(q: .batched(q, rows: l, cols: e), k: .batched(k, rows: s, cols: e),
                                              v: .batched(v, rows: s, cols: ev), out: .batched(out, rows: l, cols: ev),
                                              mask: maskView, causal: isCausal, scale: scale, probs: probs, d: dims))
        }
        var inputs = [self, key, value]
        if let mask { inputs.append(mask) }
        guard needsGrad(inputs) else { return out }
        let saved = inputs.map { SavedTensor($0, op: "ScaledDotProductAttentionBackward") }
        let needQ = requiresGrad, needK = key.requiresGrad, needV = value.requiresGrad
        let needMask = mask?.requiresGrad ?? false
        record("ScaledDotProductAttentionBackward", out, inputs: inputs, file: file, line: line) { g in
            if GradMode.isEnabled || needMask {
                // createGraph (or a mask that wants a gradient): the same gradients written with
                // tensor ops, so they differentiate again.
                let m = saved.count > 3 ? saved[3].value : nil
                let grads = compositeAttentionGrads(saved[0].value, saved[1].value, saved[2].value, m, isCausal, scale, g)
                var out: [Tensor?] = [needQ ? grads.q : nil, needK ? grads.k : nil, needV ? grads.v : nil]
                if let m { out.append(needMask ? sumToShape(grads.scores, m.shape) : nil) }
                return out
            }
            let gc = g.isContiguous ? g : g.convertedCopy()
            let dq = needQ ? Tensor(empty: [b, l, e], dtype: q.dtype) : nil
            let dk = needK ? Tensor(empty: [b, s, e], dtype: q.dtype) : nil
            let dv = needV ? Tensor(empty: [b, s, ev], dtype: q.dtype) : nil
            if b > 0 && l > 0 {
                q.dtype.visitFloat(AttentionBackward(
                    q: .batched(q, rows: l, cols: e), k: .batched(k, rows: s, cols: e), v: .batched(v, rows: s, cols: ev),
                    g: .batched(gc, rows: l, cols: ev), dq: dq.map { .batched($0, rows: l, cols: e) },
                    dk: dk.map { .batched($0, rows: s, cols: e) }, dv: dv.map { .batched($0, rows: s, cols: ev) },
                    probs: probs, scale: scale, d: dims))
            }
            var grads: [Tensor?] = [dq, dk, dv]
            if mask != nil { grads.append(nil) }
            return grads
        }
        return out
    }

    /// Multi-head self-attention on a packed projection: `self` holds the queries, keys and
    /// values of every position side by side, `[N, L, 3E]` (`[L, N, 3E]` unless `batchFirst`),
    /// each `E` split into `numHeads` heads; returns the heads' attention outputs merged,
    /// `[N, L, E]` (`[L, N, E]`). The same as splitting into heads, `attention` with scale
    /// `scale`, and merging (PyTorch: the core of `nn.MultiheadAttention`'s self-attention).
    ///
    /// `mask` is additive, broadcastable to `[N·numHeads, L, L]` (MultiheadAttention's layout);
    /// `isCausal` masks by index instead. The gradient comes back in the packed layout.
    public func packedSelfAttention(numHeads: Int, batchFirst: Bool, mask: Tensor? = nil, isCausal: Bool = false, scale: Double,
                                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let op: StaticString = "packedSelfAttention"
        check(dim == 3 && shape[2] % 3 == 0 && numHeads > 0 && (shape[2] / 3) % numHeads == 0, op, "expects a packed [N, L, 3E] or [L, N, 3E] tensor with E divisible by numHeads (\(numHeads)), got \(shape)", file: file, line: line)
        check(dtype == .float32 || dtype == .float64, op, "expected a float32 or float64 input, got \(dtype)", file: file, line: line)
        let n = batchFirst ? shape[0] : shape[1], l = batchFirst ? shape[1] : shape[0], width = shape[2] / 3
        let headDim = width / numHeads
        let maskView = attentionMaskView(mask, isCausal: isCausal, dtype: dtype, [n * numHeads, l, l], op, file, line)
        let x = isContiguous ? self : convertedCopy()
        let outShape = batchFirst ? [n, l, width] : [l, n, width]
        let out = Tensor(empty: outShape, dtype: dtype)
        let dims = AttentionDims(batch: n * numHeads, heads: numHeads, l: l, s: l, e: headDim, ev: headDim)
        // Element strides of a sample and a position in the packed and merged layouts.
        let sampleIn = batchFirst ? l * 3 * width : 3 * width, rowIn = batchFirst ? 3 * width : n * 3 * width
        let sampleOut = batchFirst ? l * width : width, rowOut = batchFirst ? width : n * width
        func part(_ t: Tensor, _ p: Int) -> HeadLayout {
            HeadLayout(tensor: t, base: p * width, heads: numHeads, sampleStride: sampleIn, headStride: headDim, ld: rowIn, rows: l, cols: headDim)
        }
        func merged(_ t: Tensor) -> HeadLayout {
            HeadLayout(tensor: t, base: 0, heads: numHeads, sampleStride: sampleOut, headStride: headDim, ld: rowOut, rows: l, cols: headDim)
        }
        let probs = Tensor(empty: [n * numHeads, l, l], dtype: dtype)
        if n > 0 && l > 0 {
            dtype.visitFloat(AttentionForward(q: part(x, 0), k: part(x, 1), v: part(x, 2), out: merged(out), mask: maskView,
                                              causal: isCausal, scale: scale, probs: probs, d: dims))
        }
        var inputs = [self]
        if let mask { inputs.append(mask) }
        guard needsGrad(inputs) else { return out }
        let saved = inputs.map { SavedTensor($0, op: "PackedSelfAttentionBackward") }
        let needMask = mask?.requiresGrad ?? false
        let inShape = shape
        record("PackedSelfAttentionBackward", out, inputs: inputs, file: file, line: line) { g in
            if GradMode.isEnabled || needMask {
                // createGraph (or a mask that wants a gradient): split into heads, the composite
                // gradients, merge back, all with tensor ops.
                let packed = saved[0].value, m = saved.count > 1 ? saved[1].value : nil
                let split = batchFirst ? [n, l, 3, numHeads, headDim] : [l, n, 3, numHeads, headDim]
                let heads = packed.reshape(split).permute(batchFirst ? [2, 0, 3, 1, 4] : [2, 1, 3, 0, 4])
                    .reshape([3, n * numHeads, l, headDim])
                let gh = g.reshape(batchFirst ? [n, l, numHeads, headDim] : [l, n, numHeads, headDim])
                    .permute(batchFirst ? [0, 2, 1, 3] : [1, 2, 0, 3]).reshape([n * numHeads, l, headDim])
                let grads = compositeAttentionGrads(heads[0], heads[1], heads[2], m, isCausal, scale, gh)
                let d = Tensor.stack([grads.q, grads.k, grads.v]).reshape([3, n, numHeads, l, headDim])
                    .permute(batchFirst ? [1, 3, 0, 2, 4] : [3, 1, 0, 2, 4]).reshape(inShape)
                var out: [Tensor?] = [d]
                if let m { out.append(needMask ? sumToShape(grads.scores, m.shape) : nil) }
                return out
            }
            let gc = g.isContiguous ? g : g.convertedCopy()
            let dx = Tensor(empty: inShape, dtype: x.dtype)
            if n > 0 && l > 0 {
                x.dtype.visitFloat(AttentionBackward(q: part(x, 0), k: part(x, 1), v: part(x, 2), g: merged(gc),
                                                     dq: part(dx, 0), dk: part(dx, 1), dv: part(dx, 2),
                                                     probs: probs, scale: scale, d: dims))
            } else {
                dx.fillRaw(0)
            }
            var grads: [Tensor?] = [dx]
            if mask != nil { grads.append(nil) }
            return grads
        }
        return out
    }
}

/// Checks an additive attention mask against the `[B, L, S]` scores and returns it as a
/// broadcast view of that shape (no copy), or nil without a mask.
private func attentionMaskView(_ mask: Tensor?, isCausal: Bool, dtype: DType, _ scores: [Int], _ op: StaticString,
                               _ file: StaticString, _ line: UInt) -> Tensor? {
    check(!(isCausal && mask != nil), op, "pass either mask or isCausal, not both", file: file, line: line)
    guard let mask else { return nil }
    check(mask.dtype == dtype, op, "the mask must be a float mask of the inputs' dtype \(dtype), got \(mask.dtype)", file: file, line: line)
    let padded = [Int](repeating: 1, count: Swift.max(0, 3 - mask.dim)) + mask.shape
    check(mask.dim <= 3 && zip(padded, scores).allSatisfy { $0 == $1 || $0 == 1 }, op, "the mask must broadcast to the scores' shape \(scores), got \(mask.shape)", file: file, line: line)
    return withNoGrad { mask.expand(scores) }
}

/// The attention gradients written with differentiable tensor ops, for `[B, L, E]` queries:
/// `(dq, dk, dv)` and the gradient of the masked scores.
private func compositeAttentionGrads(_ q: Tensor, _ k: Tensor, _ v: Tensor, _ mask: Tensor?, _ causal: Bool, _ scale: Double,
                                     _ g: Tensor) -> (q: Tensor, k: Tensor, v: Tensor, scores: Tensor) {
    let l = q.shape[1], s = k.shape[1]
    var scores = q.bmm(k.transpose(1, 2)) * scale
    if causal {
        scores = scores.maskedFill(Tensor.arange(l).unsqueeze(1) .< Tensor.arange(s).unsqueeze(0), -Double.infinity)
    } else if let mask {
        scores = scores + mask
    }
    let p = scores.softmax(dim: -1)
    let dp = g.bmm(v.transpose(1, 2))
    let ds = p * (dp - (dp * p).sum(dim: -1, keepDim: true))
    return (ds.bmm(k) * scale, ds.transpose(1, 2).bmm(q) * scale, p.transpose(1, 2).bmm(g), ds)
}

/// Batch matrix `b` of an attention operand: matrix `b = sample·heads + head` starts at
/// `base + sample·sampleStride + head·headStride` and has `rows` rows `ld` elements apart,
/// `cols` unit-stride columns.
private struct HeadLayout {
    let tensor: Tensor
    let base: Int, heads: Int, sampleStride: Int, headStride: Int, ld: Int, rows: Int, cols: Int

    /// A contiguous `[B, rows, cols]` tensor.
    static func batched(_ t: Tensor, rows: Int, cols: Int) -> HeadLayout {
        HeadLayout(tensor: t, base: 0, heads: 1, sampleStride: rows * cols, headStride: 0, ld: cols, rows: rows, cols: cols)
    }

    func offset(_ b: Int) -> Int { base + (b / heads) * sampleStride + (b % heads) * headStride }

    /// The matrix as a GEMM operand, or its transpose.
    func operand(transposed: Bool = false) -> GEMMOperand {
        transposed ? GEMMOperand(tensor, rows: cols, cols: rows, rowStride: 1, colStride: ld)
            : GEMMOperand(tensor, rows: rows, cols: cols, rowStride: ld, colStride: 1)
    }
}

/// The sizes of one attention call: `batch` matrices (samples times heads), queries `l`,
/// keys `s`, query/key features `e`, value features `ev`.
private struct AttentionDims {
    let batch: Int, heads: Int, l: Int, s: Int, e: Int, ev: Int
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

/// Per batch matrix: `P = softmax(scale·q·kᵀ + mask)` into `probs`, then `out = P·v`.
private struct AttentionForward: FloatVisitor {
    let q: HeadLayout, k: HeadLayout, v: HeadLayout, out: HeadLayout
    let mask: Tensor?, causal: Bool, scale: Double, probs: Tensor, d: AttentionDims
    func visit<T: FloatElement>(_: T.Type) {
        let (l, s, e, ev, causal) = (d.l, d.s, d.e, d.ev, causal)
        let opQ = q.operand(), opKT = k.operand(transposed: true), opV = v.operand()
        let opP = HeadLayout.batched(probs, rows: l, cols: s).operand()
        let pp = probs.pointer(T.self)
        let pm = mask?.pointer(T.self)
        let ms = mask?.strides ?? [0, 0, 0]
        forBatches(d.batch) { range in
            for i in range {
                gemm(opQ, offA: q.offset(i), opKT, offB: k.offset(i), probs, offC: i * l * s, ldc: s, m: l, n: s, k: e, alpha: scale)
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
                    softmaxRows(row, row, rows: 1, cols: visible, log: false)
                }
                gemm(opP, offA: i * l * s, opV, offB: v.offset(i), out.tensor, offC: out.offset(i), ldc: out.ld, m: l, n: ev, k: s)
            }
        }
    }
}

/// Per batch matrix: `dv = Pᵀ·g`, `dP = g·vᵀ`, `dS = scale·P∘(dP - rowsum(dP∘P))`,
/// `dq = dS·k`, `dk = dSᵀ·q`.
private struct AttentionBackward: FloatVisitor {
    let q: HeadLayout, k: HeadLayout, v: HeadLayout, g: HeadLayout
    let dq: HeadLayout?, dk: HeadLayout?, dv: HeadLayout?
    let probs: Tensor, scale: Double, d: AttentionDims
    func visit<T: FloatElement>(_: T.Type) {
        let (l, s, e, ev) = (d.l, d.s, d.e, d.ev)
        let opG = g.operand(), opVT = v.operand(transposed: true), opK = k.operand(), opQ = q.operand()
        let opPT = HeadLayout.batched(probs, rows: l, cols: s).operand(transposed: true)
        let pp = probs.pointer(T.self)
        let needScores = dq != nil || dk != nil
        forBatches(d.batch) { range in
            let scratch = needScores ? Tensor(empty: [l, s], dtype: probs.dtype) : nil
            for i in range {
                if let dv {
                    gemm(opPT, offA: i * l * s, opG, offB: g.offset(i), dv.tensor, offC: dv.offset(i), ldc: dv.ld, m: s, n: ev, k: l)
                }
                guard let scratch else { continue }
                gemm(opG, offA: g.offset(i), opVT, offB: v.offset(i), scratch, offC: 0, ldc: s, m: l, n: s, k: ev)
                let ds = scratch.pointer(T.self), pr = pp + i * l * s
                if T.self == Float.self {
                    ember_softmax_backward_rows_f32(floats(pr), floats(ds), floats(ds), l, s, Float(scale))
                } else {
                    let sc = T(scale)
                    for r in 0..<l {
                        let y = pr + r * s, dr = ds + r * s
                        var dot: T = 0
                        for j in 0..<s { dot += y[j] * dr[j] }
                        for j in 0..<s { dr[j] = sc * y[j] * (dr[j] - dot) }
                    }
                }
                if let dq {
                    gemm(HeadLayout.batched(scratch, rows: l, cols: s).operand(), offA: 0, opK, offB: k.offset(i), dq.tensor, offC: dq.offset(i),
                         ldc: dq.ld, m: l, n: e, k: s)
                }
                if let dk {
                    gemm(HeadLayout.batched(scratch, rows: l, cols: s).operand(transposed: true), offA: 0, opQ, offB: q.offset(i), dk.tensor,
                         offC: dk.offset(i), ldc: dk.ld, m: s, n: e, k: l)
                }
            }
        }
    }
}
