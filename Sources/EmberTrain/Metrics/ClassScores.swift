import Ember

/// A batch of classifier outputs read into Swift arrays once: each row's argmax and the
/// rank of its true class, from which accuracy, top-k accuracy and the confusion matrix
/// are counted.
struct ClassScores {
    /// True labels, `[N]`.
    let targets: [Int]
    /// Argmax of each row (the first maximum on ties, as `torch.argmax`).
    let predictions: [Int]
    /// For each row, how many classes scored strictly higher than the true class
    /// (0 means the true class is the top prediction).
    let ranks: [Int]
    /// The number of classes (columns of the logits).
    let numClasses: Int

    /// Reads `[N, C]` logits (any float dtype) and `[N]` integer targets.
    init(logits: Tensor, targets: Tensor) {
        check(logits.dim == 2, "metrics", "expected logits of shape [N, C], got \(logits.shape)")
        check(targets.dim == 1 && targets.shape[0] == logits.shape[0], "metrics", "expected targets of shape [\(logits.shape[0])], got \(targets.shape)")
        let n = logits.shape[0], c = logits.shape[1]
        let values: [Float] = withNoGrad { logits.detach().to(.float32).contiguous().toArray(as: Float.self) }
        let labels = withNoGrad { targets.to(.int64).contiguous().toArray(as: Int64.self) }.map { Int($0) }
        var predictions = [Int](repeating: 0, count: n)
        var ranks = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let row = i * c
            var best = 0
            for j in 1..<max(c, 1) where values[row + j] > values[row + best] { best = j }
            predictions[i] = best
            let t = labels[i]
            check(t >= 0 && t < c, "metrics", "target \(t) at position \(i) is outside 0..<\(c)")
            let v = values[row + t]
            var higher = 0
            for j in 0..<c where values[row + j] > v || (values[row + j] == v && j < t) { higher += 1 }
            // A NaN score ranks the true class last: never count it as correct.
            ranks[i] = v.isNaN ? c : higher
        }
        self.targets = labels
        self.predictions = predictions
        self.ranks = ranks
        numClasses = c
    }

    /// Rows whose true class is among the `k` highest scores.
    func correct(topK k: Int) -> Int { ranks.reduce(0) { $0 + ($1 < k ? 1 : 0) } }
}

/// The fraction of rows of `logits` (`[N, C]`) whose true class is among the `k` highest
/// scores (torchmetrics: `Accuracy(top_k=k)`); `k = 1` is plain accuracy.
///
/// ```swift
/// let acc = accuracy(logits: model(x), targets: y)          // e.g. 0.9141
/// let top5 = accuracy(logits: model(x), targets: y, topK: 5)
/// ```
public func accuracy(logits: Tensor, targets: Tensor, topK k: Int = 1) -> Double {
    let scores = ClassScores(logits: logits, targets: targets)
    return scores.targets.isEmpty ? 0 : Double(scores.correct(topK: k)) / Double(scores.targets.count)
}
