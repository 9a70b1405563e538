/// Piecewise-linear activations: ReLU6, hard sigmoid, hard swish and threshold, as functions
/// (PyTorch: `torch.nn.functional`) and modules (PyTorch: `torch.nn`). Each is composed from
/// Ember's differentiable ops; where PyTorch's gradient at a kink differs from the composite's,
/// the composition follows PyTorch's (noted per function).

/// `min(max(x, 0), 6)` (PyTorch: `F.relu6`). As PyTorch's (a hardtanh on [0, 6]), the gradient
/// is 1 strictly inside (0, 6) and 0 elsewhere.
public func relu6(_ x: Tensor) -> Tensor { hardtanh(x, minVal: 0, maxVal: 6) }

/// `min(max(x + 3, 0), 6) / 6` (PyTorch: `F.hardsigmoid`); the gradient is 1/6 strictly inside
/// (-3, 3) and 0 elsewhere, as PyTorch's.
public func hardsigmoid(_ x: Tensor) -> Tensor { (hardtanh(x, minVal: -3, maxVal: 3) + 3) / 6 }

/// `x · min(max(x + 3, 0), 6) / 6` (PyTorch: `F.hardswish`); the gradient is 0 below -3,
/// `x/3 + 1/2` on [-3, 3] and 1 above, as PyTorch's.
public func hardswish(_ x: Tensor) -> Tensor { x * (x + 3).clamp(min: 0, max: 6) / 6 }

/// `x` where `x > threshold`, else `value` (PyTorch: `F.threshold(x, threshold, value)`); the
/// gradient is 1 where `x > threshold` and 0 elsewhere.
///
/// ```swift
/// threshold(Tensor([-1.0, 0.5, 2.0]), threshold: 0.5, value: -9)   // [-9, -9, 2]
/// ```
public func threshold(_ x: Tensor, threshold: Double, value: Double) -> Tensor {
    Tensor.where(x .> threshold, x, value)
}

/// `min(max(x, 0), 6)` (PyTorch: `nn.ReLU6`).
open class ReLU6: Module, @unchecked Sendable {
    /// A ReLU6 layer.
    public override init() { super.init() }
    /// `relu6(x)`.
    open override func forward(_ x: Tensor) -> Tensor { relu6(x) }
}

/// `min(max(x + 3, 0), 6) / 6` (PyTorch: `nn.Hardsigmoid`).
open class Hardsigmoid: Module, @unchecked Sendable {
    /// A hard sigmoid layer.
    public override init() { super.init() }
    /// `hardsigmoid(x)`.
    open override func forward(_ x: Tensor) -> Tensor { hardsigmoid(x) }
}

/// `x · min(max(x + 3, 0), 6) / 6`, MobileNetV3's activation (PyTorch: `nn.Hardswish`).
open class Hardswish: Module, @unchecked Sendable {
    /// A hard swish layer.
    public override init() { super.init() }
    /// `hardswish(x)`.
    open override func forward(_ x: Tensor) -> Tensor { hardswish(x) }
}

/// `x` where `x > threshold`, else `value` (PyTorch: `nn.Threshold(threshold, value)`).
///
/// ```swift
/// let layer = Threshold(0.1, 20)
/// ```
open class Threshold: Module, @unchecked Sendable {
    /// Values at or below this are replaced (PyTorch: `threshold`).
    public let threshold: Double
    /// The replacement (PyTorch: `value`).
    public let value: Double
    /// A threshold layer.
    public init(_ threshold: Double, _ value: Double) {
        self.threshold = threshold
        self.value = value
        super.init()
    }
    /// `threshold(x, threshold:, value:)`.
    open override func forward(_ x: Tensor) -> Tensor { EmberNN.threshold(x, threshold: threshold, value: value) }
    /// `threshold=0.1, value=20`: integral values print as integers, as the arguments people
    /// pass to PyTorch usually are.
    open override var extraDescription: String { "threshold=\(pyNumber(threshold)), value=\(pyNumber(value))" }
}
