/// Activation functions as modules, for `Sequential` (PyTorch: `nn.ReLU`, `nn.GELU`, ...).

/// `max(x, 0)` (PyTorch: `nn.ReLU`).
open class ReLU: Module, @unchecked Sendable {
    /// A ReLU layer.
    public override init() { super.init() }
    /// `relu(x)`.
    open override func forward(_ x: Tensor) -> Tensor { relu(x) }
}

/// `x` if positive else `negativeSlope · x` (PyTorch: `nn.LeakyReLU(negative_slope=0.01)`).
open class LeakyReLU: Module, @unchecked Sendable {
    /// The slope for negative inputs (PyTorch: `negative_slope`).
    public let negativeSlope: Double
    /// A leaky ReLU layer.
    public init(negativeSlope: Double = 0.01) {
        self.negativeSlope = negativeSlope
        super.init()
    }
    /// `leakyRelu(x)`.
    open override func forward(_ x: Tensor) -> Tensor { leakyRelu(x, negativeSlope: negativeSlope) }
    /// `negative_slope=0.01`.
    open override var extraDescription: String { "negative_slope=\(pyFloat(negativeSlope))" }
}

/// `x` if positive else `a · x` with a learned slope `a`, one for all channels or one per
/// channel of dim 1 (PyTorch: `nn.PReLU(num_parameters=1, init=0.25)`).
///
/// ```swift
/// let act = PReLU(numParameters: 64)   // one slope per channel
/// ```
open class PReLU: Module, @unchecked Sendable {
    /// The learned slopes, `[numParameters]`, starting at `initialValue`. (The module's
    /// `numParameters` counts them, as PyTorch's `num_parameters` does.)
    @Parameter public var weight: Tensor

    /// A PReLU layer with slopes starting at `initialValue` (PyTorch's `init`).
    public init(numParameters: Int = 1, initialValue: Double = 0.25, dtype: DType = .float32) {
        self.weight = Tensor.full([numParameters], initialValue, dtype: dtype)
        super.init()
    }
    /// `prelu(x, weight)`.
    open override func forward(_ x: Tensor) -> Tensor { prelu(x, weight: weight) }
    /// `num_parameters=1`.
    open override var extraDescription: String { "num_parameters=\(weight.numel)" }
}

/// `x` if positive else `α(eˣ - 1)` (PyTorch: `nn.ELU(alpha=1.0)`).
open class ELU: Module, @unchecked Sendable {
    /// The scale of the negative part (PyTorch: `alpha`).
    public let alpha: Double
    /// An ELU layer.
    public init(alpha: Double = 1) {
        self.alpha = alpha
        super.init()
    }
    /// `elu(x)`.
    open override func forward(_ x: Tensor) -> Tensor { elu(x, alpha: alpha) }
    /// `alpha=1.0`.
    open override var extraDescription: String { "alpha=\(pyFloat(alpha))" }
}

/// Gaussian error linear unit (PyTorch: `nn.GELU(approximate='none')`).
open class GELU: Module, @unchecked Sendable {
    /// `"none"` for the exact form, `"tanh"` for the tanh approximation.
    public let approximate: String
    /// A GELU layer.
    public init(approximate: String = "none") {
        check(approximate == "none" || approximate == "tanh", "GELU", "approximate must be \"none\" or \"tanh\", got \"\(approximate)\"")
        self.approximate = approximate
        super.init()
    }
    /// `gelu(x)`.
    open override func forward(_ x: Tensor) -> Tensor { gelu(x, approximate: approximate) }
    /// `approximate='none'`.
    open override var extraDescription: String { "approximate='\(approximate)'" }
}

/// `x · σ(x)` (PyTorch: `nn.SiLU`).
open class SiLU: Module, @unchecked Sendable {
    /// A SiLU layer.
    public override init() { super.init() }
    /// `silu(x)`.
    open override func forward(_ x: Tensor) -> Tensor { silu(x) }
}

/// `1 / (1 + e⁻ˣ)` (PyTorch: `nn.Sigmoid`).
open class Sigmoid: Module, @unchecked Sendable {
    /// A sigmoid layer.
    public override init() { super.init() }
    /// `sigmoid(x)`.
    open override func forward(_ x: Tensor) -> Tensor { sigmoid(x) }
}

/// Hyperbolic tangent (PyTorch: `nn.Tanh`).
open class Tanh: Module, @unchecked Sendable {
    /// A tanh layer.
    public override init() { super.init() }
    /// `tanh(x)`.
    open override func forward(_ x: Tensor) -> Tensor { tanh(x) }
}

/// Softmax along `dim` (PyTorch: `nn.Softmax(dim)`).
open class Softmax: Module, @unchecked Sendable {
    /// The dim that sums to 1.
    public let dim: Int
    /// A softmax layer over `dim`.
    public init(dim: Int) {
        self.dim = dim
        super.init()
    }
    /// `softmax(x, dim:)`.
    open override func forward(_ x: Tensor) -> Tensor { softmax(x, dim: dim) }
    /// `dim=1`.
    open override var extraDescription: String { "dim=\(dim)" }
}

/// Log-softmax along `dim` (PyTorch: `nn.LogSoftmax(dim)`).
open class LogSoftmax: Module, @unchecked Sendable {
    /// The dim normalized over.
    public let dim: Int
    /// A log-softmax layer over `dim`.
    public init(dim: Int) {
        self.dim = dim
        super.init()
    }
    /// `logSoftmax(x, dim:)`.
    open override func forward(_ x: Tensor) -> Tensor { logSoftmax(x, dim: dim) }
    /// `dim=1`.
    open override var extraDescription: String { "dim=\(dim)" }
}

/// `log(1 + e^(βx)) / β` (PyTorch: `nn.Softplus(beta=1, threshold=20)`).
open class Softplus: Module, @unchecked Sendable {
    /// The sharpness β (PyTorch: `beta`).
    public let beta: Double
    /// Above `βx > threshold` the function is linear (PyTorch: `threshold`).
    public let threshold: Double
    /// A softplus layer.
    public init(beta: Double = 1, threshold: Double = 20) {
        self.beta = beta
        self.threshold = threshold
        super.init()
    }
    /// `softplus(x)`.
    open override func forward(_ x: Tensor) -> Tensor { softplus(x, beta: beta, threshold: threshold) }
    /// `beta=1, threshold=20`.
    open override var extraDescription: String { "beta=\(pyNumber(beta)), threshold=\(pyNumber(threshold))" }
}

/// `x` clamped to `[minVal, maxVal]` (PyTorch: `nn.Hardtanh(min_val=-1.0, max_val=1.0)`).
open class Hardtanh: Module, @unchecked Sendable {
    /// The lower bound (PyTorch: `min_val`).
    public let minVal: Double
    /// The upper bound (PyTorch: `max_val`).
    public let maxVal: Double
    /// A hardtanh layer.
    public init(minVal: Double = -1, maxVal: Double = 1) {
        self.minVal = minVal
        self.maxVal = maxVal
        super.init()
    }
    /// `hardtanh(x)`.
    open override func forward(_ x: Tensor) -> Tensor { hardtanh(x, minVal: minVal, maxVal: maxVal) }
    /// `min_val=-1.0, max_val=1.0`.
    open override var extraDescription: String { "min_val=\(pyFloat(minVal)), max_val=\(pyFloat(maxVal))" }
}

/// A number as Python prints an int-valued default (`1`, `20`) or a float (`0.5`).
func pyNumber(_ x: Double) -> String {
    x == x.rounded() && Swift.abs(x) < 1e15 ? String(Int(x)) : pyFloat(x)
}
