/// Hooks a `Trainer` calls as training proceeds (Keras: `Callback`; PyTorch Lightning:
/// `Callback`). Every method has an empty default, so a callback implements only what it
/// needs.
///
/// ```swift
/// final class PrintLoss: TrainingCallback {
///     func epochDidEnd(_ record: EpochRecord, isBest: Bool) { print(record.epoch, record.trainLoss) }
/// }
/// trainer.callbacks.append(PrintLoss())
/// ```
public protocol TrainingCallback: AnyObject {
    /// Training starts (or resumes): `startEpoch` counts from 0, `epochs` is the total.
    func trainingWillStart(startEpoch: Int, epochs: Int, batchesPerEpoch: Int)
    /// An epoch starts; `firstBatch` is above 0 when it resumes halfway.
    func epochWillStart(epoch: Int, epochs: Int, batches: Int, firstBatch: Int)
    /// An optimizer step finished.
    func batchDidEnd(_ event: BatchEvent)
    /// Validation of the epoch starts.
    func validationWillStart(epoch: Int)
    /// An epoch finished; `isBest` when its monitored metric is the best so far.
    func epochDidEnd(_ record: EpochRecord, isBest: Bool)
    /// A checkpoint was written to `path`.
    func checkpointDidSave(path: String, epoch: Int, batch: Int)
    /// Training ended normally (all epochs, or early stopping).
    func trainingDidEnd(history: [EpochRecord], stoppedEarly: Bool)
}

extension TrainingCallback {
    /// Does nothing.
    public func trainingWillStart(startEpoch: Int, epochs: Int, batchesPerEpoch: Int) {}
    /// Does nothing.
    public func epochWillStart(epoch: Int, epochs: Int, batches: Int, firstBatch: Int) {}
    /// Does nothing.
    public func batchDidEnd(_ event: BatchEvent) {}
    /// Does nothing.
    public func validationWillStart(epoch: Int) {}
    /// Does nothing.
    public func epochDidEnd(_ record: EpochRecord, isBest: Bool) {}
    /// Does nothing.
    public func checkpointDidSave(path: String, epoch: Int, batch: Int) {}
    /// Does nothing.
    public func trainingDidEnd(history: [EpochRecord], stoppedEarly: Bool) {}
}

/// One finished optimizer step, as callbacks see it.
public struct BatchEvent: Sendable {
    /// The epoch, counting from 0.
    public var epoch: Int
    /// Total epochs of the run.
    public var epochs: Int
    /// Batches finished in this epoch (1 after the first).
    public var batch: Int
    /// Batches in the epoch.
    public var batches: Int
    /// Optimizer steps since training started.
    public var step: Int
    /// This batch's mean loss.
    public var loss: Double
    /// The epoch's running classification metrics so far (empty for a trainer with `metrics`).
    public var meter: ClassificationMeter
    /// The learning rate of the first parameter group after this step.
    public var lr: Double
    /// Samples (items, e.g. tokens) processed in this epoch since it (re)started in this process.
    public var samplesSinceStart: Int
    /// Batches processed in this epoch since it (re)started in this process.
    public var batchesSinceStart: Int
    /// Seconds since the epoch (re)started in this process.
    public var secondsSinceStart: Double
    /// The epoch's running mean training loss so far.
    public var epochLoss: Double
    /// The epoch's running training metrics so far, by name (`acc` for the classification
    /// trainer, the `Metric`s' names otherwise).
    public var metricValues: [(name: String, value: Double)]
}
