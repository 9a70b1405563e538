import Ember

/// The mean squared error of predictions against targets of the same number of elements
/// (torchmetrics: `MeanSquaredError`; scikit-learn: `mean_squared_error`).
///
/// ```swift
/// var mse = MeanSquaredError()
/// mse.update(output: Tensor([1, 2] as [Float]), target: Tensor([1, 4] as [Float]), loss: 0, count: 2)
/// mse.value   // 2.0
/// ```
public struct MeanSquaredError: Metric {
    /// `mse`.
    public let name = "mse"
    /// Sum of squared errors and the number of elements.
    public var state: [Double] = [0, 0]
    /// A metric with nothing added.
    public init() {}
    /// Adds the squared errors of a batch.
    public mutating func update(output: Tensor, target: Tensor, loss: Double, count: Int) {
        let (p, t) = regressionPairs(output, target, "MeanSquaredError")
        for i in p.indices { state[0] += (p[i] - t[i]) * (p[i] - t[i]) }
        state[1] += Double(p.count)
    }
    /// The mean of the squared errors.
    public var value: Double { state[1] == 0 ? 0 : state[0] / state[1] }
}

/// The root of the mean squared error (torchmetrics: `MeanSquaredError(squared=False)`),
/// the usual figure for explicit ratings.
public struct RootMeanSquaredError: Metric {
    /// `rmse`.
    public let name = "rmse"
    /// Sum of squared errors and the number of elements.
    public var state: [Double] = [0, 0]
    /// A metric with nothing added.
    public init() {}
    /// Adds the squared errors of a batch.
    public mutating func update(output: Tensor, target: Tensor, loss: Double, count: Int) {
        let (p, t) = regressionPairs(output, target, "RootMeanSquaredError")
        for i in p.indices { state[0] += (p[i] - t[i]) * (p[i] - t[i]) }
        state[1] += Double(p.count)
    }
    /// The square root of the mean squared error.
    public var value: Double { state[1] == 0 ? 0 : (state[0] / state[1]).squareRoot() }
}

/// The mean absolute error (torchmetrics: `MeanAbsoluteError`; scikit-learn:
/// `mean_absolute_error`).
public struct MeanAbsoluteError: Metric {
    /// `mae`.
    public let name = "mae"
    /// Sum of absolute errors and the number of elements.
    public var state: [Double] = [0, 0]
    /// A metric with nothing added.
    public init() {}
    /// Adds the absolute errors of a batch.
    public mutating func update(output: Tensor, target: Tensor, loss: Double, count: Int) {
        let (p, t) = regressionPairs(output, target, "MeanAbsoluteError")
        for i in p.indices { state[0] += abs(p[i] - t[i]) }
        state[1] += Double(p.count)
    }
    /// The mean of the absolute errors.
    public var value: Double { state[1] == 0 ? 0 : state[0] / state[1] }
}

/// The coefficient of determination, 1 − SSE / SST over every element added (torchmetrics:
/// `R2Score`; scikit-learn: `r2_score` for one output). 1 is a perfect fit; 0 is as good as
/// predicting the targets' mean.
public struct R2Score: Metric {
    /// `r2`.
    public let name = "r2"
    /// Count, sum of targets, sum of squared targets, sum of squared errors.
    public var state: [Double] = [0, 0, 0, 0]
    /// A metric with nothing added.
    public init() {}
    /// Adds a batch.
    public mutating func update(output: Tensor, target: Tensor, loss: Double, count: Int) {
        let (p, t) = regressionPairs(output, target, "R2Score")
        for i in p.indices {
            state[0] += 1
            state[1] += t[i]
            state[2] += t[i] * t[i]
            state[3] += (p[i] - t[i]) * (p[i] - t[i])
        }
    }
    /// 1 − SSE / SST (0 when fewer than two targets or all targets are equal).
    public var value: Double {
        let n = state[0]
        guard n > 1 else { return 0 }
        let sst = state[2] - state[1] * state[1] / n
        return sst > 0 ? 1 - state[3] / sst : 0
    }
}

/// Predictions and targets as float64 arrays; their element counts must match.
func regressionPairs(_ output: Tensor, _ target: Tensor, _ name: StaticString) -> ([Double], [Double]) {
    check(output.numel == target.numel, name, "output \(output.shape) and target \(target.shape) have different numbers of elements")
    return (metricValues(output), metricValues(target))
}
