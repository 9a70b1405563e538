import Ember
import EmberNN

/// A model of next-token probabilities that `generate` can sample from: `forward` maps
/// int64 ids `[N, T]` to logits `[N, T, V]` (Hugging Face: a causal LM's `forward`), and
/// `makeDecoder()` gives an incremental decoder that carries state between calls (the
/// LSTM's `(h, c)`, a transformer's key/value cache: Hugging Face's `past_key_values`).
public protocol LanguageModel: Module {
    /// The most positions the model attends over, or nil for no limit.
    var contextLength: Int? { get }
    /// Tokens in the vocabulary (the width of the logits).
    var vocabularySize: Int { get }
    /// A fresh decoder, holding no tokens.
    func makeDecoder() -> any IncrementalDecoder
}

/// Runs a language model over a growing sequence, one call per new chunk of tokens: each
/// call costs the new positions only, not the whole prefix.
public protocol IncrementalDecoder: AnyObject {
    /// Feeds `ids` after every token fed so far and returns the next-token logits `[V]` after
    /// the last of them. The total fed must stay within the model's `contextLength`.
    func feed(_ ids: [Int]) -> Tensor
}
