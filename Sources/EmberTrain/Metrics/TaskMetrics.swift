import Ember
import Foundation

/// Classification accuracy as a pluggable metric: the fraction of rows of `[N, C]` logits
/// (or `[N, T, C]`, per token) whose target is among the `k` highest scores (torchmetrics:
/// `Accuracy(top_k=k)`). Named `acc` for `k = 1` and `top<k>_acc` otherwise.
public struct Accuracy: Metric {
    /// How many of the highest scores count as a hit.
    public let k: Int
    /// `acc` or `top<k>_acc`.
    public var name: String { k == 1 ? "acc" : "top\(k)_acc" }
    /// Rows right and rows seen.
    public var state: [Double] = [0, 0]
    /// Top-`k` accuracy (plain accuracy by default).
    public init(topK k: Int = 1, file: StaticString = #fileID, line: UInt = #line) {
        check(k >= 1, "Accuracy", "topK must be >= 1, got \(k)", file: file, line: line)
        self.k = k
    }
    /// Adds a batch of logits and integer targets.
    public mutating func update(output: Tensor, target: Tensor, loss: Double, count: Int) {
        let c = output.shape.last ?? 1
        let scores = ClassScores(logits: output.reshape(-1, c), targets: target.reshape(-1))
        state[0] += Double(scores.correct(topK: k))
        state[1] += Double(scores.targets.count)
    }
    /// The fraction right.
    public var value: Double { state[1] == 0 ? 0 : state[0] / state[1] }
}

/// The perplexity of a language model, exp of the mean per-token cross-entropy over the
/// epoch (torchmetrics: `Perplexity`): the loss the trainer gives it is averaged over
/// `count` tokens.
public struct Perplexity: Metric {
    /// `ppl`.
    public let name = "ppl"
    /// Sum of `loss × tokens` and tokens.
    public var state: [Double] = [0, 0]
    /// A metric with nothing added.
    public init() {}
    /// Adds a batch's mean cross-entropy over its tokens.
    public mutating func update(output: Tensor, target: Tensor, loss: Double, count: Int) {
        state[0] += loss * Double(count)
        state[1] += Double(count)
    }
    /// exp(mean cross-entropy).
    public var value: Double { state[1] == 0 ? 0 : exp(state[0] / state[1]) }
}

/// The fraction of users whose held-out item is among the `k` best-scored candidates
/// (HR@k; torchmetrics: `RetrievalHitRate(top_k=k)`), for implicit-feedback recommendation
/// evaluated with sampled negatives: each row of the `[N, C]` scores ranks C candidates, and
/// the target `[N]` holds the column of the true item (0 for the usual layout).
public struct HitRate: Metric {
    /// The cut-off.
    public let k: Int
    /// `hr@<k>`.
    public var name: String { "hr@\(k)" }
    /// Hits and rows.
    public var state: [Double] = [0, 0]
    /// HR@`k`.
    public init(k: Int = 10, file: StaticString = #fileID, line: UInt = #line) {
        check(k >= 1, "HitRate", "k must be >= 1, got \(k)", file: file, line: line)
        self.k = k
    }
    /// Adds a batch of candidate scores.
    public mutating func update(output: Tensor, target: Tensor, loss: Double, count: Int) {
        let scores = ClassScores(logits: output, targets: target)
        state[0] += Double(scores.correct(topK: k))
        state[1] += Double(scores.targets.count)
    }
    /// The fraction of rows with a hit.
    public var value: Double { state[1] == 0 ? 0 : state[0] / state[1] }
}

/// Normalized discounted cumulative gain at `k` with one relevant item per row (NDCG@k;
/// torchmetrics: `RetrievalNormalizedDCG(top_k=k)`): 1 / log2(rank + 2) when the true
/// item's 0-based rank is below `k`, else 0, averaged over rows. Same layout as `HitRate`.
public struct NDCG: Metric {
    /// The cut-off.
    public let k: Int
    /// `ndcg@<k>`.
    public var name: String { "ndcg@\(k)" }
    /// Sum of gains and rows.
    public var state: [Double] = [0, 0]
    /// NDCG@`k`.
    public init(k: Int = 10, file: StaticString = #fileID, line: UInt = #line) {
        check(k >= 1, "NDCG", "k must be >= 1, got \(k)", file: file, line: line)
        self.k = k
    }
    /// Adds a batch of candidate scores.
    public mutating func update(output: Tensor, target: Tensor, loss: Double, count: Int) {
        let scores = ClassScores(logits: output, targets: target)
        for r in scores.ranks where r < k { state[0] += 1 / log2(Double(r) + 2) }
        state[1] += Double(scores.targets.count)
    }
    /// The mean gain.
    public var value: Double { state[1] == 0 ? 0 : state[0] / state[1] }
}
