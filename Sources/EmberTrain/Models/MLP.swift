import Ember
import EmberNN

/// The multilayer perceptron `ember train --model mlp` trains: `inputs → 512 → 256 →
/// classes` with ReLU, optionally BatchNorm after each hidden layer and Dropout after each
/// hidden activation.
///
/// Inputs of any shape `[N, ...]` are flattened, then standardized with fixed constants:
/// `(x - inputMean) / inputStd` (the data set's pixel statistics; these are not state, so
/// the state dict has only the layers: `fc1.weight`, `fc1.bias`, `bn1.*`, `fc2.*`, `fc3.*`).
///
/// ```swift
/// let model = MLP(inputs: 784, classes: 10)
/// let logits = model(images)   // [N, 10]
/// ```
public final class MLP: Module, @unchecked Sendable {
    /// First hidden layer.
    public let fc1: Linear
    /// BatchNorm after `fc1`, when enabled.
    public let bn1: BatchNorm1d?
    /// Second hidden layer.
    public let fc2: Linear
    /// BatchNorm after `fc2`, when enabled.
    public let bn2: BatchNorm1d?
    /// The output layer.
    public let fc3: Linear
    /// Dropout after each hidden activation (p = 0 is the identity).
    public let dropout: Dropout
    /// Subtracted from the flattened input.
    public let inputMean: Double
    /// The flattened input is divided by this.
    public let inputStd: Double

    /// An MLP with `hidden` widths (default 512, 256).
    public init(inputs: Int, classes: Int, hidden: (Int, Int) = (512, 256), batchNorm: Bool = false, dropout p: Double = 0,
                inputMean: Double = 0, inputStd: Double = 1) {
        fc1 = Linear(inputs, hidden.0)
        bn1 = batchNorm ? BatchNorm1d(hidden.0) : nil
        fc2 = Linear(hidden.0, hidden.1)
        bn2 = batchNorm ? BatchNorm1d(hidden.1) : nil
        fc3 = Linear(hidden.1, classes)
        dropout = Dropout(p: p)
        self.inputMean = inputMean
        self.inputStd = inputStd
        super.init()
    }

    /// Logits `[N, classes]`.
    public override func forward(_ x: Tensor) -> Tensor {
        var h = x.flatten(startDim: 1)
        if inputMean != 0 || inputStd != 1 { h = (h - inputMean) / inputStd }
        h = fc1(h)
        if let bn1 { h = bn1(h) }
        h = dropout(h.relu())
        h = fc2(h)
        if let bn2 { h = bn2(h) }
        h = dropout(h.relu())
        return fc3(h)
    }
}
