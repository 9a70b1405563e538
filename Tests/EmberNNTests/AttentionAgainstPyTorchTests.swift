import EmberNN
import EmberTestSupport
import Testing

// MultiheadAttention, scaled dot-product attention, the Transformer layers, RMSNorm and the
// positional helpers against PyTorch (Tests/Fixtures/seq_attn.safetensors, made by
// scripts/make_seq_fixtures.py): state dicts load unchanged, and outputs and the gradients of
// every parameter and floating input match to 1e-5 relative, 1e-6 absolute, with bool and
// float masks, key padding masks, batch-first and unbatched inputs.

/// Every floating input of the case as a leaf that requires grad; bool and integer inputs as stored.
private func leaves(_ f: SeqCase, _ names: [String]) -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for name in names {
        guard let t = f.optional(name) else { continue }
        out[name] = t.dtype.isFloatingPoint ? t.detach().requiresGrad_() : t
    }
    return out
}

@Suite struct AttentionAgainstPyTorch {
    @Test(arguments: ["mha", "mha_masks", "mha_kvdim", "mha_biaskv", "mha_unbatched"])
    func multiheadAttention(_ name: String) {
        let average = name != "mha_masks"
        let make: () -> MultiheadAttention = {
            switch name {
            case "mha_masks": MultiheadAttention(embedDim: 8, numHeads: 4, batchFirst: true)
            case "mha_kvdim": MultiheadAttention(embedDim: 8, numHeads: 2, kdim: 5, vdim: 6)
            case "mha_biaskv": MultiheadAttention(embedDim: 8, numHeads: 2, bias: false, addBiasKV: true, addZeroAttn: true)
            default: MultiheadAttention(embedDim: 8, numHeads: 2)
            }
        }
        guard let f = seqCase("seq_attn", name) else { return }
        let mha = make()
        f.load(into: mha)
        let ins = leaves(f, ["query", "key", "value", "key_padding_mask", "attn_mask"])
        let query = ins["query"]!
        let key = ins["key"] ?? query
        let value = ins["value"] ?? key
        let (out, weights) = mha(query, key, value, keyPaddingMask: ins["key_padding_mask"], attnMask: ins["attn_mask"],
                                 averageAttnWeights: average)
        f.check(outputs: ["out": out, "attn": weights!], module: mha, inputs: ins)
    }

    @Test(arguments: ["sdpa", "sdpa_bool", "sdpa_float", "sdpa_causal", "sdpa_causal_rect"])
    func scaledDotProduct(_ name: String) {
        guard let f = seqCase("seq_attn", name) else { return }
        let ins = leaves(f, ["q", "k", "v", "attn_mask"])
        let out = scaledDotProductAttention(ins["q"]!, ins["k"]!, ins["v"]!, attnMask: ins["attn_mask"],
                                            isCausal: name.hasPrefix("sdpa_causal"), scale: name == "sdpa_float" ? 0.3 : nil)
        f.check(outputs: ["out": out], module: nil, inputs: ins)
    }

    /// Batch-first self-attention with a causal float mask and no weights: the fused path a GPT block takes.
    @Test func causalSelfAttentionWithoutWeights() {
        guard let f = seqCase("seq_attn", "mha_causal_noweights") else { return }
        let mha = MultiheadAttention(embedDim: 16, numHeads: 4, batchFirst: true)
        f.load(into: mha)
        let ins = leaves(f, ["query", "attn_mask"])
        let x = ins["query"]!
        let (out, weights) = mha(x, x, x, needWeights: false, attnMask: ins["attn_mask"]!.detach())
        #expect(weights == nil)
        f.check(outputs: ["out": out], module: mha, inputs: ["query": x])
    }

    @Test func encoderLayers() {
        let cases: [(String, Module)] = [
            ("enc_layer", TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0)),
            ("enc_layer_prenorm", TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, activation: .gelu,
                                                          layerNormEps: 1e-6, batchFirst: true, normFirst: true)),
            ("encoder", TransformerEncoder(TransformerEncoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0),
                                           numLayers: 2, norm: LayerNorm(8))),
        ]
        for (name, model) in cases {
            guard let f = seqCase("seq_attn", name) else { continue }
            f.load(into: model)
            let ins = leaves(f, ["src", "src_mask", "src_key_padding_mask"])
            let out: Tensor
            if let layer = model as? TransformerEncoderLayer {
                out = layer(ins["src"]!, srcMask: ins["src_mask"], srcKeyPaddingMask: ins["src_key_padding_mask"])
            } else {
                out = (model as! TransformerEncoder)(ins["src"]!, mask: ins["src_mask"], srcKeyPaddingMask: ins["src_key_padding_mask"])
            }
            // Two stacked layers sum gradients of magnitude ~6 over many terms: PyTorch's own float32
            // gradients differ from its float64 ones by up to 1.8e-6 here, so 1e-6 absolute is
            // below the noise floor; 3e-6 is used for the stack.
            f.check(outputs: ["out": out], module: model, inputs: ins, atol: name == "encoder" ? 3e-6 : 1e-6)
        }
    }

    @Test func decoderLayers() {
        let cases: [(String, Module)] = [
            ("dec_layer", TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0)),
            ("decoder", TransformerDecoder(TransformerDecoderLayer(dModel: 8, nhead: 2, dimFeedforward: 16, dropout: 0, activation: .gelu,
                                                                   batchFirst: true, normFirst: true),
                                           numLayers: 2, norm: LayerNorm(8))),
        ]
        for (name, model) in cases {
            guard let f = seqCase("seq_attn", name) else { continue }
            f.load(into: model)
            let ins = leaves(f, ["tgt", "memory", "tgt_mask", "memory_mask", "tgt_key_padding_mask", "memory_key_padding_mask"])
            let out: Tensor
            if let layer = model as? TransformerDecoderLayer {
                out = layer(ins["tgt"]!, memory: ins["memory"]!, tgtMask: ins["tgt_mask"], memoryMask: ins["memory_mask"],
                            tgtKeyPaddingMask: ins["tgt_key_padding_mask"], memoryKeyPaddingMask: ins["memory_key_padding_mask"])
            } else {
                out = (model as! TransformerDecoder)(ins["tgt"]!, memory: ins["memory"]!, tgtMask: ins["tgt_mask"],
                                                     tgtKeyPaddingMask: ins["tgt_key_padding_mask"])
            }
            f.check(outputs: ["out": out], module: model, inputs: ins)
        }
    }

    @Test func transformer() {
        guard let f = seqCase("seq_attn", "transformer") else { return }
        let model = Transformer(dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16,
                                dropout: 0, batchFirst: true)
        f.load(into: model)
        let ins = leaves(f, ["src", "tgt", "tgt_mask", "src_key_padding_mask"])
        let out = model(ins["src"]!, ins["tgt"]!, tgtMask: ins["tgt_mask"], srcKeyPaddingMask: ins["src_key_padding_mask"],
                        memoryKeyPaddingMask: ins["src_key_padding_mask"])
        f.check(outputs: ["out": out], module: model, inputs: ins)
        // The causal mask helper is PyTorch's.
        assertClose(Transformer.generateSquareSubsequentMask(4), f.tensor("tgt_mask"))
    }

    @Test func rmsNorm() {
        for (name, norm) in [("rmsnorm", RMSNorm(8)), ("rmsnorm_2d", RMSNorm([4, 8], eps: 1e-3))] {
            guard let f = seqCase("seq_attn", name) else { continue }
            f.load(into: norm)
            let ins = leaves(f, ["x"])
            f.check(outputs: ["out": norm(ins["x"]!)], module: norm, inputs: ins)
        }
    }

    @Test func positional() {
        if let f = seqCase("seq_attn", "sinusoidal") {
            assertClose(sinusoidalPositionalEncoding(length: 10, dim: 8), f.tensor("out"), rtol: 1e-5, atol: 1e-6, "sinusoidal")
        }
        if let f = seqCase("seq_attn", "rope") {
            let ins = leaves(f, ["x"])
            let (cos, sin) = rotaryEmbedding(length: 6, dim: 8)
            assertClose(cos, f.tensor("cos"), rtol: 1e-5, atol: 1e-6, "rope.cos")
            assertClose(sin, f.tensor("sin"), rtol: 1e-5, atol: 1e-6, "rope.sin")
            f.check(outputs: ["out": applyRotaryEmbedding(ins["x"]!, cos: cos, sin: sin)], module: nil, inputs: ins)
        }
    }
}
