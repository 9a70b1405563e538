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
/// through their (broadcast) strides, never expanded. `isCausal`, or a mask that is exactly
/// the causal mask, masks by index, and the GEMMs run in blocks of query rows that skip the
/// keys no row of the block sees (about 40% of the products at 128 positions).
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
        let (maskView, causal) = attentionMaskView(mask, isCausal: isCausal, dtype: dtype, [b, l, s], op, file, line)
        let q = isContiguous ? self : convertedCopy()
        let k = key.isContiguous ? key : key.convertedCopy()
        let v = value.isContiguous ? value : value.convertedCopy()
        let out = Tensor(empty: [b, l, ev], dtype: dtype)
        let dims = AttentionDims(batch: b, heads: 1, l: l, s: s, e: e, ev: ev)
        let probs = Tensor(empty: [b, l, s], dtype: dtype)
        if b > 0 && l > 0 {
            dtype.visitFloat(AttentionForward(q: .batched(q, rows: l, cols: e), k: .batched(k, rows: s, cols: e),
                                              v: .batched(v, rows: s, cols: ev), out: .batched(out, rows: l, cols: ev),
                                              mask: maskView, causal: causal, scale: scale, probs: probs, d: dims))
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
                let grads = compositeAttentionGrads(saved[0].value, saved[1].value, saved[2].value, m, causal, scale, g)
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
                    probs: probs, causal: causal, scale: scale, d: dims))
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
        let (maskView, causal) = attentionMaskView(mask, isCausal: isCausal, dtype: dtype, [n * numHeads, l, l], op, file, line)
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
                                              causal: causal, scale: scale, probs: probs, d: dims))
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
                let grads = compositeAttentionGrads(heads[0], heads[1], heads[2], m, causal, scale, gh)
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
                                                     probs: probs, causal: causal, scale: scale, d: dims))
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
/// broadcast view of that shape (no copy), or nil without a mask; `causal` is true when
/// `isCausal` is, or when the mask is the causal mask itself (one `[L, S]` matrix for every
/// batch, 0 where key `j ≤` query `i`, `-inf` elsewhere, no gradient wanted), which the
/// kernels then apply by index, as PyTorch 2's `nn.TransformerEncoder` does when it detects
/// that mask. One difference from adding the mask: an infinite or NaN score at a masked
/// position no longer turns its row into NaN.
private func attentionMaskView(_ mask: Tensor?, isCausal: Bool, dtype: DType, _ scores: [Int], _ op: StaticString,
                               _ file: StaticString, _ line: UInt) -> (mask: Tensor?, causal: Bool) {
    check(!(isCausal && mask != nil), op, "pass either mask or isCausal, not both", file: file, line: line)
    guard let mask else { return (nil, isCausal) }
    check(mask.dtype == dtype, op, "the mask must be a float mask of the inputs' dtype \(dtype), got \(mask.dtype)", file: file, line: line)
    let padded = [Int](repeating: 1, count: Swift.max(0, 3 - mask.dim)) + mask.shape
    check(mask.dim <= 3 && zip(padded, scores).allSatisfy { $0 == $1 || $0 == 1 }, op, "the mask must broadcast to the scores' shape \(scores), got \(mask.shape)", file: file, line: line)
    let view = withNoGrad { mask.expand(scores) }
    if !mask.requiresGrad && padded[0] == 1 && padded[1] == scores[1] && padded[2] == scores[2] {
        if isCausalMask(view) { return (nil, true) }
    }
    return (view, false)
}

/// Whether batch matrix 0 of a float `[B, L, S]` mask is exactly 0 on and below the
/// diagonal and `-inf` above it (the causal mask of `Transformer.generateSquareSubsequentMask`).
func isCausalMask(_ mask: Tensor) -> Bool {
    guard mask.dim == 3 && (mask.dtype == .float32 || mask.dtype == .float64) else { return false }
    return mask.dtype.visitFloat(CausalMaskCheck(mask: mask))
}

/// The check of `isCausalMask` for one element type.
private struct CausalMaskCheck: FloatVisitor {
    let mask: Tensor
    func visit<T: FloatElement>(_: T.Type) -> Bool {
        let p = mask.pointer(T.self), rowStride = mask.strides[1], colStride = mask.strides[2]
        let l = mask.shape[1], s = mask.shape[2]
        for i in 0..<l {
            let row = p + i * rowStride
            for j in 0..<s {
                let x = row[j * colStride]
                if j <= i ? x != 0 : x != -T.infinity { return false }
            }
        }
        return true
    }
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

/// Rows of queries per GEMM block when attention is causal: query row block `[r0, r1)` sees
/// keys `0..<r1` only, so the products skip the key columns every row of the block has masked
/// (for `L = S = 128`, 10 of 16 blocks of the scores are computed instead of 16). Smaller
/// blocks skip more but make more, smaller GEMM calls.
let causalAttentionBlock = 32

/// The row blocks of one attention matrix of `l` queries and `s` keys: causal attention splits
/// the query rows (and, with the same boundaries, the keys) into blocks of
/// `causalAttentionBlock`, each seeing the keys before its end; otherwise one block of all
/// rows sees every key.
private func attentionBlocks(_ l: Int, _ s: Int, causal: Bool) -> some Sequence<(start: Int, rows: Int, keys: Int)> {
    stride(from: 0, to: l, by: causal ? causalAttentionBlock : Swift.max(l, 1)).lazy.map { r0 in
        let rows = Swift.min(l - r0, causal ? causalAttentionBlock : l)
        return (r0, rows, causal ? Swift.min(r0 + rows, s) : s)
    }
}

/// Sets a `[rows, cols]` block with row stride `ld` to zero.
private func zeroBlock<T: FloatElement>(_ p: UnsafeMutablePointer<T>, rows: Int, cols: Int, ld: Int) {
    for r in 0..<rows { (p + r * ld).update(repeating: 0, count: cols) }
}

/// Per batch matrix: `P = softmax(scale·q·kᵀ + mask)` into `probs`, then `out = P·v`. Causal
/// attention works in row blocks and computes only the keys a block can see; the masked
/// entries of `probs` are zero.
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
                for (r0, rows, keys) in attentionBlocks(l, s, causal: causal) {
                    gemm(opQ, offA: q.offset(i) + r0 * q.ld, opKT, offB: k.offset(i), probs, offC: (i * l + r0) * s, ldc: s,
                         m: rows, n: keys, k: e, alpha: scale)
                    for r in r0..<(r0 + rows) {
                        let row = pp + (i * l + r) * s
                        var visible = s
                        if causal {
                            visible = Swift.min(r + 1, s)
                            (row + visible).update(repeating: 0, count: s - visible)
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
                    gemm(opP, offA: (i * l + r0) * s, opV, offB: v.offset(i), out.tensor, offC: out.offset(i) + r0 * out.ld,
                         ldc: out.ld, m: rows, n: ev, k: keys)
                }
            }
        }
    }
}

/// Per batch matrix: `dv = Pᵀ·g`, `dP = g·vᵀ`, `dS = scale·P∘(dP - rowsum(dP∘P))`,
/// `dq = dS·k`, `dk = dSᵀ·q`. Causal attention works in the forward's blocks: query rows
/// `[r0, r1)` reach keys `0..<r1`, and keys `[c0, c1)` are reached by queries `c0..<L`, so the
/// products read only entries of `P` and `dS` that are computed (or zero).
private struct AttentionBackward: FloatVisitor {
    let q: HeadLayout, k: HeadLayout, v: HeadLayout, g: HeadLayout
    let dq: HeadLayout?, dk: HeadLayout?, dv: HeadLayout?
    let probs: Tensor, causal: Bool, scale: Double, d: AttentionDims
    func visit<T: FloatElement>(_: T.Type) {
        let (l, s, e, ev, causal) = (d.l, d.s, d.e, d.ev, causal)
        let opG = g.operand(), opVT = v.operand(transposed: true), opK = k.operand(), opQ = q.operand()
        let opPT = HeadLayout.batched(probs, rows: l, cols: s).operand(transposed: true)
        let pp = probs.pointer(T.self)
        let needScores = dq != nil || dk != nil
        let block = causal ? causalAttentionBlock : Swift.max(l, s, 1)
        /// Keys `[c0, c0 + block)`: `dst = srcᵀ·b` over the queries `c0..<l` that see them.
        func keyBlocks(_ dst: HeadLayout, _ i: Int, cols: Int, _ src: GEMMOperand, srcBase: Int,
                       _ b: GEMMOperand, _ bLayout: HeadLayout) {
            for c0 in stride(from: 0, to: s, by: block) {
                let keys = Swift.min(block, s - c0)
                let dstOffset = dst.offset(i) + c0 * dst.ld
                let queryStart = causal ? c0 : 0
                if queryStart >= l {
                    zeroBlock(dst.tensor.pointer(T.self) + dstOffset, rows: keys, cols: cols, ld: dst.ld)
                    continue
                }
                gemm(src, offA: srcBase + queryStart * s + c0, b, offB: bLayout.offset(i) + queryStart * bLayout.ld, dst.tensor,
                     offC: dstOffset, ldc: dst.ld, m: keys, n: cols, k: l - queryStart)
            }
        }
        forBatches(d.batch) { range in
            let scratch = needScores ? Tensor(empty: [l, s], dtype: probs.dtype) : nil
            let opS = scratch.map { HeadLayout.batched($0, rows: l, cols: s).operand() }
            let opST = scratch.map { HeadLayout.batched($0, rows: l, cols: s).operand(transposed: true) }
            for i in range {
                if let dv { keyBlocks(dv, i, cols: ev, opPT, srcBase: i * l * s, opG, g) }
                guard let scratch, let opS, let opST else { continue }
                let ds = scratch.pointer(T.self), pr = pp + i * l * s
                for (r0, rows, keys) in attentionBlocks(l, s, causal: causal) {
                    gemm(opG, offA: g.offset(i) + r0 * g.ld, opVT, offB: v.offset(i), scratch, offC: r0 * s, ldc: s,
                         m: rows, n: keys, k: ev)
                    for r in r0..<(r0 + (causal ? rows : 1)) {
                        // Causal: one row at a time over its visible keys, zero up to the block's
                        // last key. Otherwise all the block's rows in one call.
                        let visible = causal ? Swift.min(r + 1, s) : s, count = causal ? 1 : rows
                        softmaxBackwardRows(pr + r * s, ds + r * s, rows: count, cols: visible, ld: s, scale: scale)
                        // Zero to the end of the key block, which may pass the last query: the key
                        // gradients read the whole block.
                        if causal { (ds + r * s + visible).update(repeating: 0, count: Swift.min(r0 + block, s) - visible) }
                    }
                    if let dq {
                        gemm(opS, offA: r0 * s, opK, offB: k.offset(i), dq.tensor, offC: dq.offset(i) + r0 * dq.ld, ldc: dq.ld,
                             m: rows, n: e, k: keys)
                    }
                }
                if let dk { keyBlocks(dk, i, cols: e, opST, srcBase: 0, opQ, q) }
            }
        }
    }
}

/// `dS = scale·P∘(dP - rowsum(dP∘P))` in place over `rows` rows of `cols` entries, `ld` apart.
private func softmaxBackwardRows<T: FloatElement>(_ y: UnsafeMutablePointer<T>, _ ds: UnsafeMutablePointer<T>, rows: Int, cols: Int,
                                                  ld: Int, scale: Double) {
    if T.self == Float.self && (ld == cols || rows == 1) {
        ember_softmax_backward_rows_f32(floats(y), floats(ds), floats(ds), rows, cols, Float(scale))
        return
    }
    let sc = T(scale)
    for r in 0..<rows {
        let yr = y + r * ld, dr = ds + r * ld
        var dot: T = 0
        for j in 0..<cols { dot += yr[j] * dr[j] }
        for j in 0..<cols { dr[j] = sc * yr[j] * (dr[j] - dot) }
    }
}
