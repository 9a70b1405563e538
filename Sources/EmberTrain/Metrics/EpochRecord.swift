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
    /// Training accuracy over the epoch's samples (nil for a trainer with pluggable `metrics`).
    public var trainAccuracy: Double?
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
    /// Training samples per second (tokens for a language model; a timing column).
    public var samplesPerSecond: Double
    /// The pluggable metrics' values by column name (`train_mse`, `val_r2`, ...), or nil for
    /// the classification trainer, whose metrics are the fields above.
    public var metrics: [String: Double]?

    /// Creates a record.
    public init(epoch: Int, step: Int, trainLoss: Double, trainAccuracy: Double?, valLoss: Double?, valAccuracy: Double?,
                valTopKAccuracy: Double?, topK: Int, lr: Double, seconds: Double, samplesPerSecond: Double,
                metrics: [String: Double]? = nil) {
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
        self.metrics = metrics
    }

    /// The value of `metric` in this record (validation metrics fall back to nil).
    public func value(of monitor: Monitor) -> Double? {
        switch monitor.name {
        case "train_loss": return trainLoss
        case "val_loss": return valLoss
        case "train_acc" where trainAccuracy != nil: return trainAccuracy
        case "val_acc" where metrics == nil: return valAccuracy
        default: return metrics?[monitor.name]
        }
    }

    /// The pluggable metrics' column names in CSV order: every `train_` column, then every
    /// `val_` one, each sorted.
    public var metricColumns: [String] {
        let names = (metrics ?? [:]).keys
        return names.filter { $0.hasPrefix("train_") }.sorted() + names.filter { !$0.hasPrefix("train_") }.sorted()
    }

    /// The CSV header of a trainer with pluggable metrics: loss columns, then `columns`
    /// (`metricColumns`), then learning rate and timing.
    public static func csvHeader(columns: [String]) -> String {
        (["epoch", "step", "train_loss", "val_loss"] + columns + ["lr", "epoch_seconds", "samples_per_sec"]).joined(separator: ",")
    }

    /// The record as a row under `csvHeader(columns:)`.
    public func csvRow(columns: [String]) -> String {
        func opt(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        return (["\(epoch)", "\(step)", "\(trainLoss)", opt(valLoss)] + columns.map { opt(metrics?[$0]) }
            + ["\(lr)", formatFixed(seconds, digits: 3), formatFixed(samplesPerSecond, digits: 1)]).joined(separator: ",")
    }

    /// The CSV header matching `csvRow`; the timing columns come last.
    public static let csvHeader = "epoch,step,train_loss,train_acc,val_loss,val_acc,val_topk_acc,lr,epoch_seconds,samples_per_sec"

    /// The record as one CSV line, numbers written so they read back exactly.
    public var csvRow: String {
        func opt(_ x: Double?) -> String { x.map { "\($0)" } ?? "" }
        return "\(epoch),\(step),\(trainLoss),\(opt(trainAccuracy)),\(opt(valLoss)),\(opt(valAccuracy)),\(opt(valTopKAccuracy)),\(lr),"
            + "\(formatFixed(seconds, digits: 3)),\(formatFixed(samplesPerSecond, digits: 1))"
    }
}
