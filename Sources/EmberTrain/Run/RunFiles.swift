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
    public func csv() -> String {
        ([EpochRecord.csvHeader] + history.map(\.csvRow)).joined(separator: "\n") + "\n"
    }

    /// One line of `metrics.jsonl`; a non-finite value is the string `"nan"`, `"inf"` or
    /// `"-inf"` (bare `NaN` is not JSON).
    static func jsonLine(_ r: EpochRecord) throws -> String {
        try TrainingCheckpoint.encode(r, pretty: false) + "\n"
    }

    /// Draws `loss.svg` and `accuracy.svg` from the history.
    public func writePlots() {
        let loss = LineChart(title: "Loss", xLabel: "epoch", yLabel: "cross-entropy", series: [
            .init(name: "train", values: history.map(\.trainLoss)),
            .init(name: "validation", values: history.map(\.valLoss)),
        ].filter { $0.values.contains { $0 != nil } })
        let accuracy = LineChart(title: "Accuracy", xLabel: "epoch", yLabel: "accuracy (%)", series: [
            .init(name: "train", values: history.map { $0.trainAccuracy * 100 }),
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
