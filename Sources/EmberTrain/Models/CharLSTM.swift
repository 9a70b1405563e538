import Ember
import EmberNN

/// The recurrent language model `ember train --task lm --model char-lstm` trains: token
/// embedding → multi-layer LSTM → linear head over the vocabulary (PyTorch examples:
/// `word_language_model`'s `RNNModel("LSTM", ...)`; Karpathy's char-rnn).
///
/// State dict: `embedding.weight`, `lstm.weight_ih_l0`, ..., `head.weight`, `head.bias`, the
/// names `nn.Embedding`, `nn.LSTM(batch_first=True)` and `nn.Linear` give in PyTorch.
///
/// ```swift
/// let model = CharLSTM(vocabularySize: 90, embedDim: 64, hiddenSize: 256, layers: 2)
/// let logits = model(ids)            // [N, T, 90] for int64 ids [N, T]
/// ```
public final class CharLSTM: Module, LanguageModel, @unchecked Sendable {
    /// Token embedding.
    public let embedding: Embedding
    /// The recurrent layers (batch first).
    public let lstm: LSTM
    /// Hidden state → next-token logits.
    public let head: Linear
    /// Tokens in the vocabulary.
    public let vocabularySize: Int

    /// A model for `vocabularySize` tokens.
    public init(vocabularySize: Int, embedDim: Int = 64, hiddenSize: Int = 256, layers: Int = 2, dropout: Double = 0,
                file: StaticString = #fileID, line: UInt = #line) {
        check(vocabularySize > 0 && embedDim > 0 && hiddenSize > 0 && layers > 0, "CharLSTM",
              "sizes must be positive: vocabulary \(vocabularySize), embedding \(embedDim), hidden \(hiddenSize), layers \(layers)",
              file: file, line: line)
        embedding = Embedding(vocabularySize, embedDim)
        lstm = LSTM(embedDim, hiddenSize, numLayers: layers, batchFirst: true, dropout: dropout)
        head = Linear(hiddenSize, vocabularySize)
        self.vocabularySize = vocabularySize
        super.init()
    }

    /// Next-token logits `[N, T, V]` for int64 ids `[N, T]`.
    public override func forward(_ ids: Tensor) -> Tensor {
        head(lstm(embedding(ids)).output)
    }

    /// An LSTM has no context limit.
    public var contextLength: Int? { nil }

    /// A decoder carrying the LSTM's `(h, c)` between calls: each new token costs one step.
    public func makeDecoder() -> any IncrementalDecoder { Decoder(model: self) }

    final class Decoder: IncrementalDecoder {
        let model: CharLSTM
        var state: (h: Tensor, c: Tensor)?
        init(model: CharLSTM) { self.model = model }

        func feed(_ ids: [Int]) -> Tensor {
            let x = Tensor(ids.map { Int64($0) }, shape: [1, ids.count])
            let (out, state) = model.lstm(model.embedding(x), self.state)
            self.state = state
            return model.head(out[0, ids.count - 1])
        }
    }
}
