/// Multi-head attention: project queries, keys and values, attend in `numHeads` heads of
/// `embedDim / numHeads` features, concatenate and project out (PyTorch: `nn.MultiheadAttention`).
///
/// Parameters have PyTorch's names and layout, so a PyTorch state dict loads unchanged:
/// `in_proj_weight` `[3E, E]` (q, k and v stacked) and `in_proj_bias` `[3E]`, or, when `kdim`
/// or `vdim` differ from `embedDim`, separate `q_proj_weight` `[E, E]`, `k_proj_weight`
/// `[E, kdim]`, `v_proj_weight` `[E, vdim]`; then `bias_k`, `bias_v` `[1, 1, E]` with
/// `addBiasKV`, and the child `out_proj` (`weight` `[E, E]`, `bias` `[E]`). Initialization as
/// PyTorch's: Xavier-uniform projections, zero biases, `out_proj.weight` as a `Linear`'s.
///
/// Inputs are `[L, N, E]` queries and `[S, N, kdim]` / `[S, N, vdim]` keys and values
/// (`[N, L, E]` ... with `batchFirst`; unbatched `[L, E]` ... too). Masks follow PyTorch's
/// `MultiheadAttention`: a bool `keyPaddingMask` `[N, S]` is `true` at keys to **ignore**; a
/// bool `attnMask` (`[L, S]` or `[N·numHeads, L, S]`) is `true` where attention is **not
/// allowed**; float masks are added to the scores. Returns the output and, with
/// `needWeights`, the attention weights `[N, L, S]` averaged over heads (or
/// `[N, numHeads, L, S]` with `averageAttnWeights: false`).
///
/// ```swift
/// let mha = MultiheadAttention(embedDim: 64, numHeads: 8, batchFirst: true)
/// let x = Tensor.randn([2, 10, 64])
/// let (y, weights) = mha(x, x, x)   // [2, 10, 64], [2, 10, 10]
/// ```
open class MultiheadAttention: Module, @unchecked Sendable {
    /// Features of queries and outputs, E (PyTorch: `embed_dim`).
    public let embedDim: Int
    /// Features of keys (PyTorch: `kdim`).
    public let kdim: Int
    /// Features of values (PyTorch: `vdim`).
    public let vdim: Int
    /// Parallel heads (PyTorch: `num_heads`).
    public let numHeads: Int
    /// Features per head, `embedDim / numHeads` (PyTorch: `head_dim`).
    public let headDim: Int
    /// Dropout probability on the attention weights in training (PyTorch: `dropout`).
    public let dropout: Double
    /// Whether inputs and outputs are `[N, L, E]` (PyTorch: `batch_first`).
    public let batchFirst: Bool
    /// Whether a zero key and value are appended to every sequence (PyTorch: `add_zero_attn`).
    public let addZeroAttn: Bool
    /// The packed q, k, v projection `[3E, E]`; nil when kdim or vdim differ (PyTorch: `in_proj_weight`).
    @Parameter public var inProjWeight: Tensor?
    /// The separate query projection `[E, E]` (PyTorch: `q_proj_weight`).
    @Parameter public var qProjWeight: Tensor?
    /// The separate key projection `[E, kdim]` (PyTorch: `k_proj_weight`).
    @Parameter public var kProjWeight: Tensor?
    /// The separate value projection `[E, vdim]` (PyTorch: `v_proj_weight`).
    @Parameter public var vProjWeight: Tensor?
    /// The q, k, v projection biases `[3E]`, or nil without `bias` (PyTorch: `in_proj_bias`).
    @Parameter public var inProjBias: Tensor?
    /// A learned key appended to every sequence, `[1, 1, E]` (PyTorch: `bias_k`).
    @Parameter public var biasK: Tensor?
    /// A learned value appended to every sequence, `[1, 1, E]` (PyTorch: `bias_v`).
    @Parameter public var biasV: Tensor?
    /// The output projection (PyTorch: `out_proj`).
    public let outProj: NonDynamicallyQuantizableLinear

    /// Multi-head attention with PyTorch's initialization (PyTorch: `nn.MultiheadAttention(
    /// embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
    /// kdim=None, vdim=None, batch_first=False)`).
    public init(embedDim: Int, numHeads: Int, dropout: Double = 0, bias: Bool = true, addBiasKV: Bool = false,
                addZeroAttn: Bool = false, kdim: Int? = nil, vdim: Int? = nil, batchFirst: Bool = false,
                dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) {
        check(embedDim > 0 && numHeads > 0 && embedDim % numHeads == 0, "MultiheadAttention", "embed_dim (\(embedDim)) must be divisible by num_heads (\(numHeads))", file: file, line: line)
        check(dropout >= 0 && dropout <= 1, "MultiheadAttention", "dropout must lie in [0, 1], got \(dropout)", file: file, line: line)
        self.embedDim = embedDim
        self.kdim = kdim ?? embedDim
        self.vdim = vdim ?? embedDim
        self.numHeads = numHeads
        headDim = embedDim / numHeads
        self.dropout = dropout
        self.batchFirst = batchFirst
        self.addZeroAttn = addZeroAttn
        let packed = self.kdim == embedDim && self.vdim == embedDim
        inProjWeight = packed ? Tensor(empty: [3 * embedDim, embedDim], dtype: dtype) : nil
        qProjWeight = packed ? nil : Tensor(empty: [embedDim, embedDim], dtype: dtype)
        kProjWeight = packed ? nil : Tensor(empty: [embedDim, self.kdim], dtype: dtype)
        vProjWeight = packed ? nil : Tensor(empty: [embedDim, self.vdim], dtype: dtype)
        inProjBias = bias ? Tensor.zeros([3 * embedDim], dtype: dtype) : nil
        biasK = addBiasKV ? Tensor(empty: [1, 1, embedDim], dtype: dtype) : nil
        biasV = addBiasKV ? Tensor(empty: [1, 1, embedDim], dtype: dtype) : nil
        outProj = NonDynamicallyQuantizableLinear(embedDim, embedDim, bias: bias, dtype: dtype)
        super.init()
        resetParameters()
    }

    /// Xavier-uniform projections, zero biases, Xavier-normal `bias_k`/`bias_v` (PyTorch: `_reset_parameters`).
    open func resetParameters() {
        for w in [inProjWeight, qProjWeight, kProjWeight, vProjWeight].compactMap({ $0 }) { Init.xavierUniform_(w) }
        if let b = inProjBias { Init.zeros_(b) }
        if let b = outProj.bias { Init.zeros_(b) }
        for b in [biasK, biasV].compactMap({ $0 }) { Init.xavierNormal_(b) }
    }

    override func reflectEntries() -> ModuleEntries { reflectStoredProperties().snakeCased() }

    /// Self-attention on `x`, output only.
    open override func forward(_ x: Tensor) -> Tensor {
        self(x, x, x, needWeights: false).output
    }

    /// Attends from `query` to `key`/`value` (PyTorch: `attn_output, attn_output_weights =
    /// mha(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    /// average_attn_weights=True)`).
    public func callAsFunction(_ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil,
                               needWeights: Bool = true, attnMask: Tensor? = nil, averageAttnWeights: Bool = true,
                               file: StaticString = #fileID, line: UInt = #line)
        -> (output: Tensor, weights: Tensor?) {
        runningForward(file: file, line: line) {
            let op: StaticString = "MultiheadAttention"
            let batched = query.dim == 3
            check(query.dim == 2 || query.dim == 3, op, "expected query of shape [L, N, E] (batched) or [L, E] (unbatched), got \(query.shape)")
            check(key.dim == query.dim && value.dim == query.dim, op, "query, key and value must all be batched (3-D) or all unbatched (2-D), got \(query.shape), \(key.shape), \(value.shape)")
            // Work in the inputs' own layout (no transposed copies): time-major [len, N, ·], or
            // batch-major [N, len, ·] for batch-first inputs. Unbatched inputs are time-major with N = 1.
            let timeMajor = !(batchFirst && batched)
            let q = batched ? query : query.unsqueeze(1)
            let k = batched ? key : key.unsqueeze(1)
            let v = batched ? value : value.unsqueeze(1)
            var paddingMask = keyPaddingMask.map { batched ? $0 : $0.unsqueeze(0) }
            let seqDim = timeMajor ? 0 : 1, batchDim = timeMajor ? 1 : 0
            let tgtLen = q.shape[seqDim], batch = q.shape[batchDim]
            check(q.shape[2] == embedDim, op, "was expecting embedding dimension of \(embedDim), but got query of shape \(query.shape)")
            check(k.shape[2] == kdim && v.shape[2] == vdim, op, "expected keys with \(kdim) and values with \(vdim) features, got \(key.shape) and \(value.shape)")
            check(k.shape[seqDim] == v.shape[seqDim] && k.shape[batchDim] == batch && v.shape[batchDim] == batch, op, "key \(key.shape) and value \(value.shape) must have the same sequence length and the query's batch size")
            let keyLen = k.shape[seqDim]
    
            // [len, N, E] or [N, len, E] → [N·heads, len, headDim] (one copy).
            let toHeads = timeMajor ? [1, 2, 0, 3] : [0, 2, 1, 3]
            func heads(_ t: Tensor) -> Tensor {
                let len = t.shape[seqDim]
                let split = timeMajor ? [len, batch, numHeads, headDim] : [batch, len, numHeads, headDim]
                return t.reshape(split).permute(toHeads).reshape([batch * numHeads, len, headDim])
            }
            var mask = attnMask.map { additive($0, q.dtype) }
            if let m = mask {
                let expected2 = [tgtLen, keyLen], expected3 = [batch * numHeads, tgtLen, keyLen]
                check(m.shape == expected2 || m.shape == expected3, op, "the attn_mask should have shape \(expected2) or \(expected3), got \(m.shape)")
                if m.dim == 2 { mask = m.unsqueeze(0) }
            }
            if let p = paddingMask {
                check(p.shape == [batch, keyLen], op, "expecting key_padding_mask of shape \([batch, keyLen]), got \(p.shape)")
            }
            if biasK != nil {
                mask = mask.map { padLast($0) }
                paddingMask = paddingMask.map { padLast($0) }
            }
            if addZeroAttn {
                mask = mask.map { padLast($0) }
                paddingMask = paddingMask.map { padLast($0) }
            }
            let srcLen = keyLen + (biasK != nil ? 1 : 0) + (addZeroAttn ? 1 : 0)
            if let p = paddingMask {
                let perHead = additive(p, q.dtype).reshape([batch, 1, 1, srcLen]).expand([batch, numHeads, 1, srcLen])
                    .reshape([batch * numHeads, 1, srcLen])
                mask = mask.map { $0 + perHead } ?? perHead
            }
            let dropping = training && dropout > 0
            let fusable = !needWeights && !dropping && (q.dtype == .float32 || q.dtype == .float64)
            let selfAttention = inProjWeight != nil && query === key && key === value && biasK == nil
    
            if fusable && selfAttention && !addZeroAttn, let w = inProjWeight {
                // One GEMM for q, k and v; the fused op reads the heads out of it and writes them
                // merged, so there is no head split or merge copy and no [N·heads, L, S] temporary.
                let packed = linear(q, weight: w, bias: inProjBias)
                let merged = packed.packedSelfAttention(numHeads: numHeads, batchFirst: !timeMajor, mask: mask,
                                                        scale: 1 / Double(headDim).squareRoot())
                let output = outProj(merged)
                return (batched ? output : output.squeeze(1), nil)
            }
            var qh: Tensor, kh: Tensor, vh: Tensor
            if selfAttention, let w = inProjWeight {
                // Self-attention: one GEMM for q, k and v, then one copy into heads.
                let packed = linear(q, weight: w, bias: inProjBias)
                let split = timeMajor ? [tgtLen, batch, 3, numHeads, headDim] : [batch, tgtLen, 3, numHeads, headDim]
                let all = packed.reshape(split).permute(timeMajor ? [2, 1, 3, 0, 4] : [2, 0, 3, 1, 4])
                    .reshape([3, batch * numHeads, tgtLen, headDim])
                qh = all[0]; kh = all[1]; vh = all[2]
            } else {
                var (pq, pk, pv) = project(q, k, v)
                if let biasK, let biasV {
                    let shape = timeMajor ? [1, batch, embedDim] : [batch, 1, embedDim]
                    pk = Tensor.cat([pk, biasK.expand(shape)], dim: seqDim)
                    pv = Tensor.cat([pv, biasV.expand(shape)], dim: seqDim)
                }
                qh = heads(pq); kh = heads(pk); vh = heads(pv)
            }
            if addZeroAttn {
                kh = Tensor.cat([kh, Tensor.zeros([batch * numHeads, 1, headDim], dtype: kh.dtype)], dim: 1)
                vh = Tensor.cat([vh, Tensor.zeros([batch * numHeads, 1, headDim], dtype: vh.dtype)], dim: 1)
            }
    
            let attended: Tensor, weights: Tensor?
            if fusable {
                // The fused op: no [N·heads, L, S] scores, weights or mask temporaries.
                attended = qh.attention(key: kh, value: vh, mask: mask, scale: 1 / Double(headDim).squareRoot())
                weights = nil
            } else {
                var scores = (qh / Double(headDim).squareRoot()).bmm(kh.transpose(1, 2))
                if let mask { scores = scores + mask }
                var w = scores.softmax(dim: -1)
                if dropping { w = EmberNN.dropout(w, p: dropout, training: true) }
                attended = w.bmm(vh)
                weights = w
            }
            // [N·heads, L, headDim] → [L, N, E] or [N, L, E] (one copy), then the output projection.
            let merged = attended.reshape([batch, numHeads, tgtLen, headDim])
                .permute(timeMajor ? [2, 0, 1, 3] : [0, 2, 1, 3])
                .reshape(timeMajor ? [tgtLen, batch, embedDim] : [batch, tgtLen, embedDim])
            var output = outProj(merged)
            if !batched { output = output.squeeze(1) }
            guard needWeights, let weights else { return (output, nil) }
            var w = weights.view([batch, numHeads, tgtLen, srcLen])
            if averageAttnWeights { w = w.sum(dim: 1) / Double(numHeads) }
            if !batched { w = w.squeeze(0) }
            return (output, w)
        }
    }

    /// The projected queries, keys and values, each in its input's layout.
    private func project(_ q: Tensor, _ k: Tensor, _ v: Tensor) -> (Tensor, Tensor, Tensor) {
        let biases = inProjBias?.chunk(3)
        if let w = inProjWeight {
            let ws = w.chunk(3)
            return (linear(q, weight: ws[0], bias: biases?[0]), linear(k, weight: ws[1], bias: biases?[1]),
                    linear(v, weight: ws[2], bias: biases?[2]))
        }
        return (linear(q, weight: qProjWeight!, bias: biases?[0]), linear(k, weight: kProjWeight!, bias: biases?[1]),
                linear(v, weight: vProjWeight!, bias: biases?[2]))
    }
}

/// `nn.Linear` under the name PyTorch gives `MultiheadAttention.out_proj`, so that printing
/// the module matches PyTorch's (PyTorch: `NonDynamicallyQuantizableLinear`).
open class NonDynamicallyQuantizableLinear: Linear, @unchecked Sendable {}

/// A bool mask as an additive float mask (`-inf` where `true`), or a float mask as is.
func additive(_ mask: Tensor, _ dtype: DType) -> Tensor {
    mask.dtype == .bool ? Tensor.zeros(mask.shape, dtype: dtype).maskedFill(mask, -Double.infinity) : mask.to(dtype)
}

/// Appends one zero (`false`) entry to the last dim of a mask (PyTorch: `pad(mask, (0, 1))`).
func padLast(_ mask: Tensor) -> Tensor {
    var shape = mask.shape
    shape[shape.count - 1] = 1
    return Tensor.cat([mask, Tensor.zeros(shape, dtype: mask.dtype)], dim: -1)
}

extension ModuleEntries {
    /// The entries with PyTorch's snake_case names for camelCase Swift properties
    /// (`selfAttn` → `self_attn`, `inProjWeight` → `in_proj_weight`).
    func snakeCased() -> ModuleEntries {
        var e = self
        e.parameters = parameters.map { (snakeCase($0.name), $0.slot) }
        e.buffers = buffers.map { (snakeCase($0.name), $0.slot) }
        e.children = children.map { (snakeCase($0.name), $0.module) }
        return e
    }
}

/// `inProjWeight` → `in_proj_weight`; digits and dots are kept (`linear1`, `layers.0`).
func snakeCase(_ name: String) -> String {
    var out = ""
    for ch in name {
        if ch.isUppercase {
            out += "_" + ch.lowercased()
        } else {
            out.append(ch)
        }
    }
    return out
}
