import Ember

/// Accumulates loss and accuracy over the batches of an epoch (the running averages a
/// PyTorch loop keeps by hand: `total_loss += loss.item() * len(y)`, `correct += ...`).
///
/// Its state is a plain value, saved in checkpoints so that an epoch resumed halfway ends
/// with the same averages as one never interrupted.
///
/// ```swift
/// var meter = ClassificationMeter(topK: 5)
/// meter.add(loss: loss.item(), logits: out, targets: y)
/// meter.loss, meter.accuracy, meter.topKAccuracy
/// ```
public struct ClassificationMeter: Sendable, Equatable, Codable {
    /// The `k` of the top-k accuracy.
    public let topK: Int
    /// Sum over batches of `batch mean loss × batch size`.
    public private(set) var lossSum: Double = 0
    /// Samples seen.
    public private(set) var count: Int = 0
    /// Samples whose top prediction was right.
    public private(set) var correct: Int = 0
    /// Samples whose true class was among the `topK` best scores.
    public private(set) var topKCorrect: Int = 0
    /// Batches seen.
    public private(set) var batches: Int = 0
    /// Whether a confusion matrix is kept.
    public let tracksConfusion: Bool
    /// The confusion matrix (classes taken from the logits' width), when `confusion` was asked for.
    public private(set) var confusion: ConfusionMatrix?

    /// An empty meter; with `confusion` it also fills a confusion matrix.
    public init(topK: Int = 5, confusion: Bool = false) {
        check(topK >= 1, "ClassificationMeter", "topK must be >= 1, got \(topK)")
        self.topK = topK
        tracksConfusion = confusion
    }

    /// Adds one batch: its mean loss, its `[N, C]` logits and `[N]` targets.
    public mutating func add(loss: Double, logits: Tensor, targets: Tensor) {
        let scores = ClassScores(logits: logits, targets: targets)
        let n = scores.targets.count
        lossSum += loss * Double(n)
        count += n
        batches += 1
        correct += scores.correct(topK: 1)
        topKCorrect += scores.correct(topK: topK)
        if tracksConfusion {
            if confusion == nil { confusion = ConfusionMatrix(numClasses: scores.numClasses) }
            confusion!.add(actual: scores.targets, predicted: scores.predictions)
        }
    }

    /// Replaces the sums with those of several meters together (data-parallel ranks); the
    /// batch count is kept, as every rank sees the same number of batches.
    mutating func setTotals(lossSum: Double, count: Int, correct: Int, topKCorrect: Int) {
        self.lossSum = lossSum
        self.count = count
        self.correct = correct
        self.topKCorrect = topKCorrect
    }

    /// The mean loss per sample (0 before any batch).
    public var loss: Double { count == 0 ? 0 : lossSum / Double(count) }
    /// The fraction predicted right (0 before any batch).
    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }
    /// The fraction with the true class in the top `topK` (0 before any batch).
    public var topKAccuracy: Double { count == 0 ? 0 : Double(topKCorrect) / Double(count) }
}
