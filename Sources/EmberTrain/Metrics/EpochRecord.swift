/// What one epoch of training produced: the row written to `metrics.csv` and
/// `metrics.jsonl` (Keras: the `logs` dict of `on_epoch_end`; PyTorch Lightning: the
/// logged epoch metrics).
///
/// Everything but `seconds` and `samplesPerSecond` is a pure function of the seed and
/// configuration: the same run gives the same values bit for bit.
public struct EpochRecord: Sendable, Equatable, Codable {
    /// The epoch number, counting from 1.
    public var epoch: Int
    /// Optimizer steps taken since the start of training, after this epoch.
    public var step: Int
    /// Mean training loss over the epoch's samples.
    public var trainLoss: Double
    /// Training accuracy over the epoch's samples.
    public var trainAccuracy: Double
    /// Mean validation loss, or nil without a validation set.
    public var valLoss: Double?
    /// Validation accuracy, or nil without a validation set.
    public var valAccuracy: Double?
    /// Validation top-k accuracy (k in `topK`), or nil without a validation set.
    public var valTopKAccuracy: Double?
    /// The `k` of `valTopKAccuracy`.
    public var topK: Int
    /// The learning rate of the first parameter group during the epoch's last step.
    public var lr: Double
    /// Wall-clock seconds the epoch took, validation included (a timing column).
    public var seconds: Double
    /// Training samples per second (a timing column).
    public var samplesPerSecond: Double

    /// Creates a record.
    public init(epoch: Int, step: Int, trainLoss: Double, trainAccuracy: Double, valLoss: Double?, valAccuracy: Double?,
                valTopKAccuracy: Double?, topK: Int, lr: Double, seconds: Double, samplesPerSecond: Double) {
        self.epoch = epoch
        self.step = step
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.valLoss = valLoss
        self.valAccuracy = valAccuracy
        self.valTopKAccuracy = valTopKAccuracy
        self.topK = topK
        self.lr = lr
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
    }

    /// The value of `metric` in this record (validation metrics fall back to nil).
    public func value(of metric: Metric) -> Double? {
        switch metric {
        case .trainLoss: return trainLoss
        case .trainAccuracy: return trainAccuracy
        case .valLoss: return valLoss
        case .valAccuracy: return valAccuracy
        }
    }

    /// The CSV header matching `csvRow`; the timing columns come last.
    public static let csvHeader = "epoch,step,train_loss,train_acc,val_loss,val_acc,val_topk_acc,lr,epoch_seconds,samples_per_sec"

    /// The record as one CSV line, numbers written so they read back exactly.
    public var csvRow: String {
        func opt(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        return "\(epoch),\(step),\(trainLoss),\(trainAccuracy),\(opt(valLoss)),\(opt(valAccuracy)),\(opt(valTopKAccuracy)),\(lr),"
            + "\(formatFixed(seconds, digits: 3)),\(formatFixed(samplesPerSecond, digits: 1))"
    }
}

/// A quantity a run can watch: to pick the best weights, stop early, or reduce the
/// learning rate on a plateau (Keras: `monitor="val_loss"`).
public enum Metric: String, Sendable, Codable, CaseIterable {
    /// Mean training loss (lower is better).
    case trainLoss = "train_loss"
    /// Training accuracy (higher is better).
    case trainAccuracy = "train_acc"
    /// Mean validation loss (lower is better).
    case valLoss = "val_loss"
    /// Validation accuracy (higher is better).
    case valAccuracy = "val_acc"

    /// Whether a larger value is an improvement.
    public var higherIsBetter: Bool { self == .trainAccuracy || self == .valAccuracy }

    /// The training counterpart of a validation metric (used when there is no validation set).
    public var trainingFallback: Metric {
        switch self {
        case .valLoss: return .trainLoss
        case .valAccuracy: return .trainAccuracy
        default: return self
        }
    }
}
