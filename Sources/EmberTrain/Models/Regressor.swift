import Ember
import EmberNN

/// The multilayer perceptron `ember train --task regression` trains: `features → hidden →
/// ... → 1` with ReLU, standardizing its input and un-standardizing its output inside
/// `forward`, so it takes raw feature values and predicts in the target's own units.
///
/// The statistics are buffers (`x_mean`, `x_std`, `y_mean`, `y_std`), computed from the
/// training rows only and saved in the state dict with the layers, so `ember eval` and
/// `ember predict` apply exactly what training used (scikit-learn: a `StandardScaler` fitted
/// on the training split in a `Pipeline`; PyTorch: `(x - mean) / std` before the model).
///
/// ```swift
/// let model = Regressor(inputs: 10, hidden: [64, 64])
/// model.setStatistics(features: xTrain, targets: yTrain)
/// let prediction = model(x)    // [N]
/// ```
public final class Regressor: Module, @unchecked Sendable {
    /// The hidden and output layers.
    public let layers: Sequential
    /// The training features' means, `[F]`.
    @Buffer(name: "x_mean") public var xMean = Tensor.zeros([1])
    /// The training features' standard deviations, `[F]` (1 where a feature is constant).
    @Buffer(name: "x_std") public var xStd = Tensor.zeros([1])
    /// The training targets' mean, `[1]`.
    @Buffer(name: "y_mean") public var yMean = Tensor.zeros([1])
    /// The training targets' standard deviation, `[1]`.
    @Buffer(name: "y_std") public var yStd = Tensor.zeros([1])

    /// A regressor over `inputs` features with ReLU hidden layers of widths `hidden`;
    /// its statistics start as the identity (mean 0, std 1).
    public init(inputs: Int, hidden: [Int] = [64, 64], file: StaticString = #fileID, line: UInt = #line) {
        check(inputs > 0 && hidden.allSatisfy { $0 > 0 }, "Regressor", "inputs \(inputs) and hidden widths \(hidden) must be positive",
              file: file, line: line)
        var modules: [Module] = []
        var width = inputs
        for h in hidden {
            modules.append(Linear(width, h))
            modules.append(ReLU())
            width = h
        }
        modules.append(Linear(width, 1))
        layers = Sequential(modules)
        xMean = Tensor.zeros([inputs])
        xStd = Tensor.ones([inputs])
        yMean = Tensor.zeros([1])
        yStd = Tensor.ones([1])
        super.init()
    }

    /// Sets the statistics from the training rows: `features` `[N, F]`, `targets` `[N]`
    /// (population standard deviations, as `StandardScaler`; a constant column gets 1).
    public func setStatistics(features: Tensor, targets: Tensor, file: StaticString = #fileID, line: UInt = #line) {
        check(features.dim == 2 && features.shape[1] == xMean.shape[0] && targets.numel == features.shape[0], "Regressor.setStatistics",
              "expected features [N, \(xMean.shape[0])] and targets [N], got \(features.shape) and \(targets.shape)", file: file, line: line)
        withNoGrad {
            let x = features.to(.float64), y = targets.to(.float64).reshape(-1, 1)
            let sx = x.std(dim: 0, correction: 0)
            xMean = x.mean(dim: 0).to(.float32)
            xStd = Tensor.where(sx .> 1e-12, sx, Tensor.onesLike(sx)).to(.float32)
            let sy = y.std(dim: 0, correction: 0)
            yMean = y.mean(dim: 0).to(.float32)
            yStd = Tensor.where(sy .> 1e-12, sy, Tensor.onesLike(sy)).to(.float32)
        }
    }

    /// Predictions `[N]` in the target's units for raw features `[N, F]`.
    public override func forward(_ x: Tensor) -> Tensor {
        let h = layers((x - xMean) / xStd)
        return h.squeeze(1) * yStd + yMean
    }
}
