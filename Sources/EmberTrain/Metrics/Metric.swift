import Ember

/// A quantity computed over an epoch's batches, such as accuracy, mean squared error, R²
/// or perplexity (torchmetrics: `Metric` with `update` and `compute`).
///
/// A metric is a value holding running sums: the trainer starts each epoch from a fresh
/// copy of the metric it was given, calls `update` after each batch, and reads `value` at
/// the epoch's end. Its `state` is saved in checkpoints, so an epoch resumed halfway ends
/// with the same value, bit for bit, as one never interrupted.
///
/// ```swift
/// trainer.metrics = [MeanSquaredError(), MeanAbsoluteError(), R2Score()]
/// // metrics.csv gains train_mse, train_mae, train_r2, val_mse, val_mae, val_r2
/// trainer.earlyStopping = EarlyStopping(monitor: Monitor("val_r2"), patience: 5)
/// ```
public protocol Metric: Sendable {
    /// The column name without `train_`/`val_` (`mse`, `r2`, `ppl`, `hr@10`).
    var name: String { get }
    /// Adds one batch: the model's `output`, the `target`, the batch's mean `loss` and the
    /// number of items (`count`) the loss was averaged over.
    mutating func update(output: Tensor, target: Tensor, loss: Double, count: Int)
    /// The metric over the batches added so far (0 before any).
    var value: Double { get }
    /// The running sums, for checkpoints (`state = saved` restores them exactly).
    var state: [Double] { get set }
}

extension Metric {
    /// Whether a larger value is better (`Monitor.higherIsBetter` of its name).
    public var higherIsBetter: Bool { Monitor(name).higherIsBetter }
}

/// Flattened float64 values of a tensor, read once, for metrics.
func metricValues(_ t: Tensor) -> [Double] {
    withNoGrad { t.detach().to(.float64).contiguous().toArray(as: Double.self) }
}

/// The running loss and metrics of an epoch for a trainer with pluggable metrics: the
/// part of a checkpoint that lets an epoch resume halfway with the same averages.
public struct RunningMetrics: Sendable, Equatable, Codable {
    /// Sum over batches of `batch mean loss × items`.
    public var lossSum = 0.0
    /// Items seen (samples, or tokens for a language model).
    public var count = 0
    /// Batches seen.
    public var batches = 0
    /// Each metric's `state`, in the trainer's order.
    public var states: [[Double]] = []

    /// An empty record for metrics in the state `fresh` (their states when new).
    public init(fresh: [any Metric] = []) { states = fresh.map(\.state) }

    /// The mean loss per item (0 before any batch).
    public var loss: Double { count == 0 ? 0 : lossSum / Double(count) }
}

/// Metrics updated together with a running loss: what a trainer keeps for an epoch and
/// what `evaluate(_:on:lossFunction:metrics:)` returns.
public struct MetricResults: Sendable {
    /// Running sums, for checkpoints.
    public private(set) var running: RunningMetrics
    /// The metrics in the order given.
    public private(set) var metrics: [any Metric]

    /// Fresh results for `metrics`.
    public init(_ metrics: [any Metric]) {
        self.metrics = metrics
        running = RunningMetrics(fresh: metrics)
    }

    /// Results continuing from `running` (read from a checkpoint); nil when its states do
    /// not fit these metrics.
    public init?(_ metrics: [any Metric], running: RunningMetrics) {
        guard running.states.count == metrics.count,
              zip(metrics, running.states).allSatisfy({ $0.state.count == $1.count }) else { return nil }
        self.metrics = metrics
        for i in self.metrics.indices { self.metrics[i].state = running.states[i] }
        self.running = running
    }

    /// Adds a batch: its mean loss over `count` items, the output and the target.
    public mutating func add(loss: Double, count: Int, output: Tensor, target: Tensor) {
        running.lossSum += loss * Double(count)
        running.count += count
        running.batches += 1
        for i in metrics.indices {
            metrics[i].update(output: output, target: target, loss: loss, count: count)
            running.states[i] = metrics[i].state
        }
    }

    /// The mean loss per item.
    public var loss: Double { running.loss }

    /// Each metric's name and value, in order.
    public var values: [(name: String, value: Double)] { metrics.map { ($0.name, $0.value) } }

    /// The value of the metric called `name`, if there is one.
    public subscript(name: String) -> Double? { metrics.first { $0.name == name }?.value }
}
