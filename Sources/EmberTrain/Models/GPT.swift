import Ember
import EmberNN

/// A decoder-only transformer language model (nanoGPT's `GPT`; GPT-2's layout): token and
/// learned position embeddings, pre-norm blocks with causal self-attention, a final
/// LayerNorm, and an output head tied to the token embedding (logits = `h · wteᵀ`, so the
/// state dict has no separate head weight).
///
/// Weights start as nanoGPT's: normal(0, 0.02) for embeddings and linear weights, zero
/// biases. `makeDecoder()` keeps each block's keys and values, so generating a token costs
/// one position rather than the whole prefix.
///
/// ```swift
/// let model = GPT(vocabularySize: 90, contextLength: 128, embedDim: 128, layers: 4, heads: 4)
/// let logits = model(ids)          // [N, T, 90] for int64 ids [N, T ≤ 128]
/// ```
public final class GPT: Module, LanguageModel, @unchecked Sendable {
    /// Token embedding, also the output head.
    public let wte: Embedding
    /// Position embedding.
    public let wpe: Embedding
    /// Dropout after the embeddings.
    public let drop: Dropout
    /// The transformer blocks.
    public let h: [GPTBlock]
    /// The final norm.
    public let lnF: LayerNorm
    /// Tokens in the vocabulary.
    public let vocabularySize: Int
    /// The context length (positions embedded).
    public let context: Int

    /// A GPT of `layers` blocks of width `embedDim` with `heads` heads.
    public init(vocabularySize: Int, contextLength: Int, embedDim: Int = 128, layers: Int = 4, heads: Int = 4, dropout p: Double = 0,
                file: StaticString = #fileID, line: UInt = #line) {
        check(vocabularySize > 0 && contextLength > 0 && embedDim > 0 && layers > 0 && heads > 0 && embedDim % heads == 0, "GPT",
              "sizes must be positive and embedDim a multiple of heads: vocabulary \(vocabularySize), context \(contextLength), "
              + "embedDim \(embedDim), layers \(layers), heads \(heads)", file: file, line: line)
        wte = Embedding(vocabularySize, embedDim)
        wpe = Embedding(contextLength, embedDim)
        drop = Dropout(p: p)
        h = (0..<layers).map { _ in GPTBlock(embedDim: embedDim, heads: heads, dropout: p) }
        lnF = LayerNorm([embedDim])
        self.vocabularySize = vocabularySize
        context = contextLength
        super.init()
        withNoGrad {
            for (name, t) in namedParameters() where !name.contains("ln") {
                if name.hasSuffix("bias") { _ = Init.zeros_(t) } else { _ = Init.normal_(t, std: 0.02) }
            }
        }
    }

    /// Logits `[N, T, V]` for int64 ids `[N, T]`, `T ≤ contextLength`.
    public override func forward(_ ids: Tensor) -> Tensor {
        run(ids, start: 0, caches: nil).logits
    }

    /// The context length.
    public var contextLength: Int? { context }

    /// Runs new positions `start..<start + T` with the blocks' caches (nil: no cache).
    func run(_ ids: Tensor, start: Int, caches: [(k: Tensor, v: Tensor)]?) -> (logits: Tensor, caches: [(k: Tensor, v: Tensor)]) {
        let t = ids.shape[1]
        check(start + t <= context, "GPT", "positions up to \(start + t) exceed the context length \(context)")
        var x = drop(wte(ids) + wpe.weight.narrow(0, start: start, length: t))
        var out: [(k: Tensor, v: Tensor)] = []
        for (i, block) in h.enumerated() {
            let (y, cache) = block.step(x, past: caches?[i])
            x = y
            out.append(cache)
        }
        return (lnF(x).matmul(wte.weight.t()), out)
    }

    /// A key/value-cache decoder.
    public func makeDecoder() -> any IncrementalDecoder { Decoder(model: self) }

    final class Decoder: IncrementalDecoder {
        let model: GPT
        var caches: [(k: Tensor, v: Tensor)]?
        var position = 0
        init(model: GPT) { self.model = model }

        func feed(_ ids: [Int]) -> Tensor {
            let x = Tensor(ids.map { Int64($0) }, shape: [1, ids.count])
            let (logits, caches) = model.run(x, start: position, caches: self.caches)
            self.caches = caches
            position += ids.count
            return logits[0, ids.count - 1]
        }
    }
}
