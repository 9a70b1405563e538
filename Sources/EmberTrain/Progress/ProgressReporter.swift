/// Shows training as it happens (Keras: `ProgbarLogger`; tqdm in a PyTorch loop).
///
/// On a terminal, a live bar per epoch, redrawn at most ten times a second:
///
/// ```
/// Epoch 3/10 [==========>          ] 235/469  5,210 samples/s  loss 0.3123  acc 88.42%  ETA 0:06
/// ```
///
/// then one summary line per epoch:
///
/// ```
/// Epoch 3/10  train loss 0.3123 acc 88.42%  val loss 0.3345 acc 87.90%  lr 1.00e-03  11.8s  (best)
/// ```
///
/// where `(best)` marks an epoch whose weights are the best so far.
///
/// When standard output is not a terminal, only plain lines: the summaries, and a progress
/// line every `plainInterval` seconds.
public final class ProgressReporter: TrainingCallback {
    /// Where lines go.
    public let console: Console
    /// Seconds between progress lines when not on a terminal.
    public var plainInterval: Double
    /// What the throughput counts: `samples`, or `tokens` for a language model.
    public var unit = "samples"
    private var lastDraw = -Double.infinity
    private var epochs = 0

    /// A reporter writing to `console`.
    public init(console: Console = Console(), plainInterval: Double = 15) {
        self.console = console
        self.plainInterval = plainInterval
    }

    /// Notes the run's length and says where training starts.
    public func trainingWillStart(startEpoch: Int, epochs: Int, batchesPerEpoch: Int) {
        self.epochs = epochs
        if startEpoch > 0 { console.line("Resuming at epoch \(startEpoch + 1)/\(epochs)") }
    }

    /// Draws an empty bar.
    public func epochWillStart(epoch: Int, epochs: Int, batches: Int, firstBatch: Int) {
        lastDraw = monotonicSeconds()
        if firstBatch > 0 { console.line("Epoch \(epoch + 1)/\(epochs): resuming at batch \(firstBatch)/\(batches)") }
        console.redraw(bar(epoch: epoch, done: firstBatch, total: batches, suffix: ""))
    }

    /// Redraws the bar (throttled).
    public func batchDidEnd(_ e: BatchEvent) {
        let now = monotonicSeconds()
        if console.isTerminal {
            guard now - lastDraw >= 0.1 || e.batch == e.batches else { return }
        } else {
            // The summary line follows the last batch: no progress line for it.
            guard now - lastDraw >= plainInterval && e.batch < e.batches else { return }
        }
        lastDraw = now
        let rate = e.secondsSinceStart > 0 ? Double(e.samplesSinceStart) / e.secondsSinceStart : 0
        let batchesLeft = e.batches - e.batch
        let eta = e.batchesSinceStart > 0 ? Double(batchesLeft) * e.secondsSinceStart / Double(e.batchesSinceStart) : .nan
        let metrics = e.metricValues.map { "  \($0.name) \(Self.format($0.name, $0.value))" }.joined()
        let suffix = "\(Format.grouped(Format.count(rate))) \(unit)/s  loss \(Format.fixed(e.epochLoss, 4))\(metrics)  ETA \(Format.duration(eta))"
        if console.isTerminal {
            console.redraw(bar(epoch: e.epoch, done: e.batch, total: e.batches, suffix: suffix))
        } else {
            console.line("Epoch \(e.epoch + 1)/\(e.epochs)  \(e.batch)/\(e.batches)  " + suffix)
        }
    }

    /// Shows that validation is running.
    public func validationWillStart(epoch: Int) {
        console.redraw("Epoch \(epoch + 1)/\(epochs)  validating...")
    }

    /// Replaces the bar with the epoch's summary line.
    public func epochDidEnd(_ r: EpochRecord, isBest: Bool) {
        console.line(Self.summary(r, epochs: epochs) + (isBest && r.valLoss != nil ? "  (best)" : ""))
    }

    /// Notes early stopping.
    public func trainingDidEnd(history: [EpochRecord], stoppedEarly: Bool) {
        if stoppedEarly, let last = history.last { console.line("Early stopping after epoch \(last.epoch)") }
    }

    /// The one-line summary of an epoch.
    public static func summary(_ r: EpochRecord, epochs: Int) -> String {
        var s = "Epoch \(r.epoch)/\(epochs)  train loss \(Format.fixed(r.trainLoss, 4))"
        if let ta = r.trainAccuracy { s += " acc \(Format.percent(ta))" }
        let columns = r.metricColumns
        for c in columns where c.hasPrefix("train_") { s += " \(c.dropFirst(6)) \(format(String(c.dropFirst(6)), r.metrics![c]!))" }
        if let vl = r.valLoss {
            s += "  val loss \(Format.fixed(vl, 4))"
            if let va = r.valAccuracy { s += " acc \(Format.percent(va))" }
            for c in columns where c.hasPrefix("val_") { s += " \(c.dropFirst(4)) \(format(String(c.dropFirst(4)), r.metrics![c]!))" }
        }
        s += "  lr \(Format.scientific(r.lr))  \(Format.fixed(r.seconds, 1))s"
        return s
    }

    /// A metric's value as shown: accuracies and hit rates as percentages, the rest with 4 digits.
    static func format(_ name: String, _ value: Double) -> String {
        name.hasSuffix("acc") || name.hasPrefix("hr@") ? Format.percent(value) : Format.fixed(value, 4)
    }

    private func bar(epoch: Int, done: Int, total: Int, suffix: String) -> String {
        let head = "Epoch \(epoch + 1)/\(epochs) "
        let counter = " \(done)/\(total)  "
        let width = max(10, min(30, console.width - head.count - counter.count - suffix.count - 3))
        let filled = total > 0 ? width * done / total : 0
        let arrow = filled < width && filled > 0 ? ">" : ""
        let body = String(repeating: "=", count: max(0, filled - arrow.count)) + arrow + String(repeating: " ", count: width - filled)
        let line = head + "[" + body + "]" + counter + suffix
        return String(line.prefix(console.width - 1))
    }
}
