/// Smooth activations: Mish, SELU, CELU, softsign, tanhshrink and log-sigmoid, as functions
/// (PyTorch: `torch.nn.functional`) and modules (PyTorch: `torch.nn`), composed from Ember's
/// differentiable ops, so their gradients (and higher derivatives) come from autograd.

/// SELU's `α` (PyTorch's constant).
let seluAlpha = 1.6732632423543772848170429916717
/// SELU's `λ` (PyTorch's constant).
let seluScale = 1.0507009873554804934193349852946

/// `x · tanh(softplus(x))` (PyTorch: `F.mish`).
public func mish(_ x: Tensor) -> Tensor { x * x.softplus().tanh() }

/// `λ · elu(x, α)` with PyTorch's fixed `α ≈ 1.6733` and `λ ≈ 1.0507`, self-normalizing
/// (PyTorch: `F.selu`).
public func selu(_ x: Tensor) -> Tensor { x.elu(alpha: seluAlpha) * seluScale }

/// `max(0, x) + min(0, α(e^(x/α) - 1))` (PyTorch: `F.celu(x, alpha=1.0)`), computed as
/// `α · elu(x / α)`.
public func celu(_ x: Tensor, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(alpha != 0, "celu", "alpha must not be 0 (it divides the input)", file: file, line: line)
    return (x / alpha).elu(alpha: 1) * alpha
}

/// `x / (1 + |x|)` (PyTorch: `F.softsign`).
public func softsign(_ x: Tensor) -> Tensor { x / (x.abs() + 1) }

/// `x - tanh(x)` (PyTorch: `F.tanhshrink`).
public func tanhshrink(_ x: Tensor) -> Tensor { x - x.tanh() }

/// `log(1 / (1 + e⁻ˣ))`, computed stably as `-softplus(-x)` (PyTorch: `F.logsigmoid`).
public func logSigmoid(_ x: Tensor) -> Tensor { -(-x).softplus() }

/// `x · tanh(softplus(x))` (PyTorch: `nn.Mish`).
open class Mish: Module, @unchecked Sendable {
    /// A Mish layer.
    public override init() { super.init() }
    /// `mish(x)`.
    open override func forward(_ x: Tensor) -> Tensor { mish(x) }
}

/// Scaled ELU with PyTorch's fixed constants (PyTorch: `nn.SELU`).
open class SELU: Module, @unchecked Sendable {
    /// A SELU layer.
    public override init() { super.init() }
    /// `selu(x)`.
    open override func forward(_ x: Tensor) -> Tensor { selu(x) }
}

/// `max(0, x) + min(0, α(e^(x/α) - 1))` (PyTorch: `nn.CELU(alpha=1.0)`).
open class CELU: Module, @unchecked Sendable {
    /// The scale of the negative part (PyTorch: `alpha`).
    public let alpha: Double
    /// A CELU layer; `alpha` must not be 0.
    public init(alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) {
        check(alpha != 0, "CELU", "alpha must not be 0 (it divides the input)", file: file, line: line)
        self.alpha = alpha
        super.init()
    }
    /// `celu(x, alpha:)`.
    open override func forward(_ x: Tensor) -> Tensor { celu(x, alpha: alpha) }
    /// `alpha=1.0`.
    open override var extraDescription: String { "alpha=\(pyFloat(alpha))" }
}

/// `x / (1 + |x|)` (PyTorch: `nn.Softsign`).
open class Softsign: Module, @unchecked Sendable {
    /// A softsign layer.
    public override init() { super.init() }
    /// `softsign(x)`.
    open override func forward(_ x: Tensor) -> Tensor { softsign(x) }
}

/// `x - tanh(x)` (PyTorch: `nn.Tanhshrink`).
open class Tanhshrink: Module, @unchecked Sendable {
    /// A tanhshrink layer.
    public override init() { super.init() }
    /// `tanhshrink(x)`.
    open override func forward(_ x: Tensor) -> Tensor { tanhshrink(x) }
}

/// `log σ(x)` (PyTorch: `nn.LogSigmoid`).
open class LogSigmoid: Module, @unchecked Sendable {
    /// A log-sigmoid layer.
    public override init() { super.init() }
    /// `logSigmoid(x)`.
    open override func forward(_ x: Tensor) -> Tensor { logSigmoid(x) }
}
