import Foundation

/// Keeps a run folder's metric files and plots up to date as epochs finish:
/// `metrics.csv` (one row per epoch, rewritten atomically), `metrics.jsonl` (one JSON
/// object per epoch, appended), `loss.svg` and `accuracy.svg`.
///
/// Created with the history a resumed trainer already has, it first rewrites both metric
/// files from that history, so rows from epochs that were lost with an interrupted run
/// (finished but not checkpointed) never appear twice.
public final class RunFiles: TrainingCallback {
    /// The run folder.
    public let folder: String
    /// The records written so far.
    public private(set) var history: [EpochRecord]
    /// The loss's name on the loss plot's axis.
    public var lossName = "cross-entropy"
    /// Errors while writing are kept here rather than stopping training.
    public private(set) var writeErrors: [String] = []

    /// Files for `folder`, continuing `history`.
    public init(folder: String, history: [EpochRecord] = []) {
        self.folder = folder
        self.history = history
    }

    /// The path of `name` inside the folder.
    public func path(_ name: String) -> String { folder + "/" + name }

    /// Rewrites the metric files from the history so far.
    public func trainingWillStart(startEpoch: Int, epochs: Int, batchesPerEpoch: Int) {
        record {
            try FileIO.writeAtomically(csv(), to: path("metrics.csv"))
            try FileIO.writeAtomically(history.map { try Self.jsonLine($0) }.joined(), to: path("metrics.jsonl"))
        }
        if !history.isEmpty { writePlots() }
    }

    /// Appends the epoch to both metric files and redraws the plots.
    public func epochDidEnd(_ r: EpochRecord, isBest: Bool) {
        history.append(r)
        record {
            try FileIO.writeAtomically(csv(), to: path("metrics.csv"))
            try FileIO.append(try Self.jsonLine(r), to: path("metrics.jsonl"))
        }
        writePlots()
    }

    /// `metrics.csv`'s text.
    /// Classification runs have the fixed columns of `EpochRecord.csvHeader`; runs with
    /// pluggable metrics have a column per metric (`train_mse`, `val_r2`, ...).
    public func csv() -> String {
        if let first = history.first, first.metrics != nil {
            let columns = first.metricColumns
            return ([EpochRecord.csvHeader(columns: columns)] + history.map { $0.csvRow(columns: columns) }).joined(separator: "\n") + "\n"
        }
        return ([EpochRecord.csvHeader] + history.map(\.csvRow)).joined(separator: "\n") + "\n"
    }

    /// One line of `metrics.jsonl`; a non-finite value is the string `"nan"`, `"inf"` or
    /// `"-inf"` (bare `NaN` is not JSON).
    static func jsonLine(_ r: EpochRecord) throws -> String {
        try TrainingCheckpoint.encode(r, pretty: false) + "\n"
    }

    /// Draws `loss.svg` and `accuracy.svg` (or, with pluggable metrics, `<metric>.svg` for
    /// each, e.g. `r2.svg`, `ppl.svg`) from the history.
    public func writePlots() {
        let loss = LineChart(title: "Loss", xLabel: "epoch", yLabel: lossName, series: [
            .init(name: "train", values: history.map(\.trainLoss)),
            .init(name: "validation", values: history.map(\.valLoss)),
        ].filter { $0.values.contains { $0 != nil } })
        if let first = history.first, first.metrics != nil {
            record { try FileIO.writeAtomically(loss.svg, to: path("loss.svg")) }
            let names = Set(first.metricColumns.map { Monitor($0).metricName }).sorted()
            for name in names {
                let chart = LineChart(title: name, xLabel: "epoch", yLabel: name, series: [
                    .init(name: "train", values: history.map { $0.metrics?["train_" + name] }),
                    .init(name: "validation", values: history.map { $0.metrics?["val_" + name] }),
                ].filter { $0.values.contains { $0 != nil } })
                let file = name.replacingOccurrences(of: "@", with: "_at_") + ".svg"
                record { try FileIO.writeAtomically(chart.svg, to: path(file)) }
            }
            return
        }
        let accuracy = LineChart(title: "Accuracy", xLabel: "epoch", yLabel: "accuracy (%)", series: [
            .init(name: "train", values: history.map { $0.trainAccuracy.map { $0 * 100 } }),
            .init(name: "validation", values: history.map { $0.valAccuracy.map { $0 * 100 } }),
        ].filter { $0.values.contains { $0 != nil } }, yFormat: { Format.fixed($0, 1) })
        record {
            try FileIO.writeAtomically(loss.svg, to: path("loss.svg"))
            try FileIO.writeAtomically(accuracy.svg, to: path("accuracy.svg"))
        }
    }

    private func record(_ body: () throws -> Void) {
        do { try body() } catch { writeErrors.append("\(error)") }
    }
}
