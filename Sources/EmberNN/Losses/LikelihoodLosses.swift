/// Negative log-likelihood losses of a distribution's parameters: Poisson (rate) and Gaussian
/// (mean and variance).

/// The Poisson negative log-likelihood of `target` counts given rates: `exp(input) - target·input`
/// for log-rates (`logInput`, the default), else `input - target·log(input + eps)`; `full` adds
/// Stirling's approximation of `log(target!)` where the target exceeds 1
/// (PyTorch: `F.poisson_nll_loss`).
public func poissonNLLLoss(_ input: Tensor, _ target: Tensor, logInput: Bool = true, full: Bool = false, eps: Double = 1e-8,
                           reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "poissonNLLLoss", file: file, line: line)
    checkFloating(input, "input", "poissonNLLLoss", file: file, line: line)
    var losses = logInput ? input.exp() - target * input : input - target * (input + eps).log()
    if full {
        // target·log(target) - target + ½·log(2π·target), 0 where target ≤ 1 (PyTorch's masked_fill).
        let counted = target .> 1
        let safe = Tensor.where(counted, target, 2)
        let stirling = safe * safe.log() - safe + (safe * (2 * Double.pi)).log() * 0.5
        losses = losses + Tensor.where(counted, stirling, 0)
    }
    return reduction.apply(losses, "poissonNLLLoss", file: file, line: line)
}

/// The Gaussian negative log-likelihood `½(log var + (input - target)² / var)` (plus `½ log 2π`
/// when `full`), with `var` clamped to at least `eps` for the value while its gradient passes
/// unclamped, as PyTorch's (PyTorch: `F.gaussian_nll_loss`). `variance` has the input's shape,
/// or that shape without its last dim, or with a last dim of 1 (one variance per sample).
public func gaussianNLLLoss(_ input: Tensor, _ target: Tensor, variance: Tensor, full: Bool = false, eps: Double = 1e-6,
                            reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "gaussianNLLLoss", file: file, line: line)
    checkFloating(input, "input", "gaussianNLLLoss", file: file, line: line)
    var v = variance
    if v.shape != input.shape {
        let leading = Array(input.shape.dropLast())
        if input.dim > 0 && v.shape == leading {
            v = v.unsqueeze(-1)
        } else {
            check(input.dim > 0 && v.dim == input.dim && Array(v.shape.dropLast()) == leading && v.shape.last == 1, "gaussianNLLLoss",
                  "var of shape \(variance.shape) does not fit input \(input.shape): expected \(input.shape), \(leading) or \(leading + [1])", file: file, line: line)
        }
    }
    let negative = withNoGrad { (v .< 0).any().item(as: Bool.self) }
    check(!negative, "gaussianNLLLoss", "var has negative entries", file: file, line: line)
    // The clamp is invisible to autograd (PyTorch clamps a clone under no_grad).
    let clamped = v + (v.clamp(min: eps) - v).detach()
    var losses = (clamped.log() + (input - target).square() / clamped) * 0.5
    if full { losses = losses + halfLogTwoPi }
    return reduction.apply(losses, "gaussianNLLLoss", file: file, line: line)
}

/// `½·log(2π)`.
private let halfLogTwoPi = 0.91893853320467274178

/// The Poisson negative log-likelihood of counts given (log-)rates
/// (PyTorch: `nn.PoissonNLLLoss(log_input=True, full=False, eps=1e-08, reduction='mean')`).
///
/// ```swift
/// let loss = PoissonNLLLoss()(logRates, counts)
/// ```
public struct PoissonNLLLoss: Loss, Sendable {
    /// Whether the input is the log of the rate (PyTorch: `log_input`).
    public var logInput: Bool
    /// Whether to add Stirling's term for `log(target!)` (PyTorch: `full`).
    public var full: Bool
    /// Added to the rate inside the log when `logInput` is false (PyTorch: `eps`).
    public var eps: Double
    /// How per-element losses are combined.
    public var reduction: Reduction
    /// A Poisson negative log-likelihood loss.
    public init(logInput: Bool = true, full: Bool = false, eps: Double = 1e-8, reduction: Reduction = .mean) {
        (self.logInput, self.full, self.eps, self.reduction) = (logInput, full, eps, reduction)
    }
    /// `poissonNLLLoss(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        poissonNLLLoss(input, target, logInput: logInput, full: full, eps: eps, reduction: reduction, file: file, line: line)
    }
}

/// The Gaussian negative log-likelihood of targets given predicted means and variances
/// (PyTorch: `nn.GaussianNLLLoss(full=False, eps=1e-06, reduction='mean')`).
///
/// ```swift
/// let loss = GaussianNLLLoss()(mean, target, variance)
/// ```
public struct GaussianNLLLoss: Loss, Sendable {
    /// Whether to add the constant `½ log 2π` (PyTorch: `full`).
    public var full: Bool
    /// The smallest variance used in the value (PyTorch: `eps`).
    public var eps: Double
    /// How per-element losses are combined.
    public var reduction: Reduction
    /// A Gaussian negative log-likelihood loss.
    public init(full: Bool = false, eps: Double = 1e-6, reduction: Reduction = .mean) {
        (self.full, self.eps, self.reduction) = (full, eps, reduction)
    }
    /// `gaussianNLLLoss(input, target, variance: variance)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, _ variance: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        gaussianNLLLoss(input, target, variance: variance, full: full, eps: eps, reduction: reduction, file: file, line: line)
    }
    /// `["input", "target", "var"]`.
    public static var inputNames: [String] { ["input", "target", "var"] }
    /// `self(tensors[0], tensors[1], tensors[2])`.
    public func callAsFunction(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkLossInputs(self, tensors, file: file, line: line)
        return self(tensors[0], tensors[1], tensors[2], file: file, line: line)
    }
}
