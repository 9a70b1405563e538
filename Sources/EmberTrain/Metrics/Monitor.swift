/// A quantity a run can watch, by its column name in `metrics.csv`: to pick the best
/// weights, stop early, or reduce the learning rate on a plateau (Keras: `monitor="val_loss"`;
/// PyTorch Lightning: `ModelCheckpoint(monitor="val_loss")`).
///
/// Any metric a trainer records can be watched: `train_loss`, `val_loss`, `train_acc`,
/// `val_acc`, and `train_<name>` / `val_<name>` for each of the trainer's `Metric`s
/// (`val_r2`, `val_ppl`, `val_hr@10`, ...).
///
/// ```swift
/// trainer.earlyStopping = EarlyStopping(monitor: .valLoss, patience: 3)
/// trainer.monitor = Monitor("val_r2")           // higher is better: an r2 is a score
/// ```
public struct Monitor: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The column name, e.g. `val_loss`.
    public let name: String

    /// Watches the column `name` (`train_` or `val_` followed by a metric's name).
    public init(_ name: String) { self.name = name }

    /// Mean training loss (lower is better).
    public static let trainLoss = Monitor("train_loss")
    /// Training accuracy (higher is better).
    public static let trainAccuracy = Monitor("train_acc")
    /// Mean validation loss (lower is better).
    public static let valLoss = Monitor("val_loss")
    /// Validation accuracy (higher is better).
    public static let valAccuracy = Monitor("val_acc")

    /// The names of the metrics for which lower is better: losses and errors.
    public static let lowerIsBetterNames: Set<String> = ["loss", "mse", "mae", "rmse", "ppl"]

    /// Whether a larger value is an improvement: false for losses and errors (`loss`, `mse`,
    /// `mae`, `rmse`, `ppl`), true for scores (`acc`, `r2`, `hr@10`, `ndcg@10`, ...).
    public var higherIsBetter: Bool { !Self.lowerIsBetterNames.contains(metricName) }

    /// The metric's name without its `train_` or `val_` prefix.
    public var metricName: String {
        if name.hasPrefix("train_") { return String(name.dropFirst(6)) }
        if name.hasPrefix("val_") { return String(name.dropFirst(4)) }
        return name
    }

    /// The training counterpart of a validation metric (used when there is no validation set).
    public var trainingFallback: Monitor {
        name.hasPrefix("val_") ? Monitor("train_" + name.dropFirst(4)) : self
    }

    /// The column name.
    public var description: String { name }

    /// Reads the column name, as the earlier enum wrote it.
    public init(from decoder: Decoder) throws {
        name = try decoder.singleValueContainer().decode(String.self)
    }

    /// Writes the column name.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(name)
    }
}
