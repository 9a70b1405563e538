import Ember

/// Counts of (true class, predicted class) pairs for a classifier, with the per-class
/// scores derived from them (torchmetrics: `ConfusionMatrix`; scikit-learn:
/// `confusion_matrix` and `classification_report`).
///
/// Rows are true classes, columns predicted classes, as in scikit-learn.
///
/// ```swift
/// var cm = ConfusionMatrix(numClasses: 3)
/// cm.add(actual: [0, 1, 2, 2], predicted: [0, 2, 2, 2])
/// cm[2, 2]            // 2
/// cm.accuracy         // 0.75
/// cm.recall(1)        // 0.0
/// ```
public struct ConfusionMatrix: Sendable, Equatable, Codable {
    /// The number of classes; labels are `0..<numClasses`.
    public let numClasses: Int
    /// Row-major counts: `counts[actual * numClasses + predicted]`.
    public private(set) var counts: [Int]

    /// An empty matrix for `numClasses` classes.
    public init(numClasses: Int) {
        precondition(numClasses > 0, "[ConfusionMatrix] numClasses must be positive, got \(numClasses)")
        self.numClasses = numClasses
        counts = Array(repeating: 0, count: numClasses * numClasses)
    }

    /// The number of samples of class `actual` predicted as `predicted`.
    public subscript(actual: Int, predicted: Int) -> Int {
        counts[actual * numClasses + predicted]
    }

    /// Adds pairs of labels. Labels outside `0..<numClasses` stop the program with a message.
    public mutating func add(actual: [Int], predicted: [Int]) {
        precondition(actual.count == predicted.count,
                     "[ConfusionMatrix.add] \(actual.count) true labels but \(predicted.count) predictions")
        for (a, p) in zip(actual, predicted) {
            precondition(a >= 0 && a < numClasses && p >= 0 && p < numClasses,
                         "[ConfusionMatrix.add] label pair (\(a), \(p)) is outside 0..<\(numClasses)")
            counts[a * numClasses + p] += 1
        }
    }

    /// Adds the argmax predictions of `logits` (`[N, C]`) against int64 `targets` (`[N]`).
    public mutating func add(logits: Tensor, targets: Tensor) {
        let scores = ClassScores(logits: logits, targets: targets)
        add(actual: scores.targets, predicted: scores.predictions)
    }

    /// Adds every count of `other`, which must have the same number of classes.
    public mutating func merge(_ other: ConfusionMatrix) {
        precondition(other.numClasses == numClasses, "[ConfusionMatrix.merge] \(other.numClasses) classes vs \(numClasses)")
        for i in counts.indices { counts[i] += other.counts[i] }
    }

    /// All samples counted.
    public var total: Int { counts.reduce(0, +) }

    /// Samples on the diagonal (predicted right).
    public var correct: Int { (0..<numClasses).reduce(0) { $0 + self[$1, $1] } }

    /// `correct / total`, or 0 when empty.
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Samples whose true class is `c` (scikit-learn: `support`).
    public func support(_ c: Int) -> Int { (0..<numClasses).reduce(0) { $0 + self[c, $1] } }

    /// Samples predicted as `c`.
    public func predictedCount(_ c: Int) -> Int { (0..<numClasses).reduce(0) { $0 + self[$1, c] } }

    /// Of the samples predicted as `c`, the fraction that are `c` (0 when none were).
    public func precision(_ c: Int) -> Double {
        let n = predictedCount(c)
        return n == 0 ? 0 : Double(self[c, c]) / Double(n)
    }

    /// Of the samples of class `c`, the fraction predicted as `c` (0 when there are none).
    public func recall(_ c: Int) -> Double {
        let n = support(c)
        return n == 0 ? 0 : Double(self[c, c]) / Double(n)
    }

    /// The harmonic mean of precision and recall for class `c` (0 when both are 0).
    public func f1(_ c: Int) -> Double {
        let p = precision(c), r = recall(c)
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }

    /// The unweighted mean of the per-class F1 scores (scikit-learn: `average="macro"`).
    public var macroF1: Double {
        (0..<numClasses).reduce(0) { $0 + f1($1) } / Double(numClasses)
    }

    /// A per-class report like scikit-learn's `classification_report`: precision, recall,
    /// F1 and support for each class, then accuracy and the macro averages.
    public func report(classNames: [String]? = nil) -> String {
        let names = (0..<numClasses).map { c in classNames.flatMap { c < $0.count ? $0[c] : nil } ?? "\(c)" }
        let width = max(12, names.map(\.count).max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        func fmt(_ x: Double) -> String { pad(formatFixed(x, digits: 4), 10) }
        var lines = [pad("", width) + pad("precision", 10) + pad("recall", 10) + pad("f1", 10) + pad("support", 10)]
        for c in 0..<numClasses {
            lines.append(pad(names[c], width) + fmt(precision(c)) + fmt(recall(c)) + fmt(f1(c)) + pad("\(support(c))", 10))
        }
        let macroP = (0..<numClasses).reduce(0) { $0 + precision($1) } / Double(numClasses)
        let macroR = (0..<numClasses).reduce(0) { $0 + recall($1) } / Double(numClasses)
        lines.append("")
        lines.append(pad("accuracy", width) + pad("", 20) + fmt(accuracy) + pad("\(total)", 10))
        lines.append(pad("macro avg", width) + fmt(macroP) + fmt(macroR) + fmt(macroF1) + pad("\(total)", 10))
        return lines.joined(separator: "\n")
    }

    /// The matrix as text: one row per true class, counts right-aligned.
    public func table(classNames: [String]? = nil) -> String {
        let labels = (0..<numClasses).map { c in classNames.flatMap { c < $0.count ? $0[c] : nil } ?? "\(c)" }
        let cell = max(5, String(counts.max() ?? 0).count + 1)
        let header = "true \\ predicted"
        let first = max(header.count, labels.map(\.count).max() ?? 0)
        func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
        var lines = [pad(header, first) + (0..<numClasses).map { pad("\($0)", cell) }.joined()]
        for a in 0..<numClasses {
            lines.append(pad(labels[a], first) + (0..<numClasses).map { pad("\(self[a, $0])", cell) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
