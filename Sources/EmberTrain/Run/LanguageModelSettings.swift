/// The settings of a language-model run (`ember train --task lm`), saved in `config.json`.
public struct LanguageModelSettings: Codable, Sendable, Equatable {
    /// `char` (one token per Unicode scalar) or `word` (whitespace-separated words, `<eos>`
    /// per line).
    public var vocabulary = "char"
    /// Tokens per training window; the GPT's context length.
    public var context = 64
    /// Token embedding width (the GPT's model width).
    public var embedDim = 64
    /// The LSTM's hidden size (the GPT's feed-forward width is 4 × `embedDim`).
    public var hiddenSize = 256
    /// LSTM layers, or transformer blocks.
    public var layers = 2
    /// Attention heads of the GPT.
    public var heads = 4

    /// The defaults: a 2-layer LSTM of 256 over 64-wide embeddings, 64-token windows.
    public init() {}

    /// The largest size any of these settings may have.
    public static let maxSize = 1 << 16

    /// Checks the values; throws `RunError.badConfig` naming the flag.
    func validate(model: RunConfig.Model) throws {
        func bad(_ s: String) -> RunError { .badConfig(s) }
        if vocabulary != "char" && vocabulary != "word" { throw bad("--vocabulary must be char or word, got '\(vocabulary)'") }
        for (flag, v) in [("--context", context), ("--embed-dim", embedDim), ("--hidden-size", hiddenSize), ("--layers", layers), ("--heads", heads)]
        where v < 1 || v > Self.maxSize {
            throw bad("\(flag) must be in 1...\(Self.maxSize), got \(v)")
        }
        if model == .gpt && embedDim % heads != 0 { throw bad("--embed-dim (\(embedDim)) must be a multiple of --heads (\(heads))") }
    }
}
