import Ember
/// Stops training when a watched metric has not improved for `patience` epochs, and can
/// put back the best weights seen (Keras: `EarlyStopping(monitor, min_delta, patience,
/// restore_best_weights)`; PyTorch Lightning: `EarlyStopping`).
///
/// An epoch improves on the best so far when it is better by more than `minDelta`
/// (lower for losses, higher for accuracies). Without a validation set, validation
/// metrics fall back to their training counterparts.
///
/// ```swift
/// trainer.earlyStopping = EarlyStopping(monitor: .valLoss, patience: 3, minDelta: 1e-4)
/// ```
public struct EarlyStopping: Sendable, Equatable, Codable {
    /// The metric watched.
    public var monitor: Monitor
    /// Epochs without improvement tolerated before stopping.
    public var patience: Int
    /// The smallest change that counts as an improvement.
    public var minDelta: Double
    /// Whether the model gets the weights of its best epoch back when training stops.
    public var restoreBestWeights: Bool

    /// The best value seen, or nil before the first epoch.
    public private(set) var best: Double?
    /// The epoch (from 1) of the best value, 0 before the first epoch.
    public private(set) var bestEpoch = 0
    /// Epochs since the last improvement.
    public private(set) var wait = 0
    /// Whether training should stop.
    public private(set) var shouldStop = false

    /// An early-stopping rule; PyTorch Lightning's defaults but for `patience`.
    public init(monitor: Monitor = .valLoss, patience: Int, minDelta: Double = 0, restoreBestWeights: Bool = true) {
        check(patience >= 0, "EarlyStopping", "patience must be >= 0, got \(patience)")
        check(minDelta >= 0, "EarlyStopping", "minDelta must be >= 0, got \(minDelta)")
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBestWeights = restoreBestWeights
    }

    /// Records an epoch; returns true when it is a new best.
    @discardableResult
    public mutating func update(_ record: EpochRecord) -> Bool {
        guard let value = record.value(of: monitor) ?? record.value(of: monitor.trainingFallback) else { return false }
        if isImprovement(value, over: best, higherIsBetter: monitor.higherIsBetter, minDelta: minDelta) {
            best = value
            bestEpoch = record.epoch
            wait = 0
            return true
        }
        wait += 1
        if wait > patience { shouldStop = true }
        return false
    }
}

/// Whether `value` beats `best` by more than `minDelta` in the metric's direction; a
/// non-finite value never does, and anything finite beats no best at all.
func isImprovement(_ value: Double, over best: Double?, higherIsBetter: Bool, minDelta: Double) -> Bool {
    guard value.isFinite else { return false }
    guard let best else { return true }
    return higherIsBetter ? value > best + minDelta : value < best - minDelta
}
