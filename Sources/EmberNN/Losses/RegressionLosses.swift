/// Losses between a prediction and a target of the same shape: squared, absolute,
/// smooth L1 and Huber errors.

/// `(input - target)²`, reduced (PyTorch: `F.mse_loss`).
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "mseLoss", file: file, line: line)
    return reduction.apply((input - target).square(), "mseLoss", file: file, line: line)
}

/// `|input - target|`, reduced (PyTorch: `F.l1_loss`).
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                   file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "l1Loss", file: file, line: line)
    return reduction.apply((input - target).abs(), "l1Loss", file: file, line: line)
}

/// `0.5 d² / β` where `|d| < β`, else `|d| - 0.5 β`, with `d = input - target`
/// (PyTorch: `F.smooth_l1_loss`). `beta: 0` is the L1 loss.
public func smoothL1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, beta: Double = 1,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "smoothL1Loss", file: file, line: line)
    check(beta >= 0, "smoothL1Loss", "beta must be non-negative, got \(beta)", file: file, line: line)
    let d = input - target
    if beta == 0 { return reduction.apply(d.abs(), "smoothL1Loss", file: file, line: line) }
    let ad = d.abs()
    return reduction.apply(Tensor.where(ad .< beta, d.square() * (0.5 / beta), ad - 0.5 * beta), "smoothL1Loss", file: file, line: line)
}

/// `0.5 d²` where `|d| < δ`, else `δ (|d| - 0.5 δ)`, with `d = input - target`
/// (PyTorch: `F.huber_loss`).
public func huberLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, delta: Double = 1,
                      file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "huberLoss", file: file, line: line)
    check(delta > 0, "huberLoss", "delta must be positive, got \(delta)", file: file, line: line)
    let d = input - target
    let ad = d.abs()
    return reduction.apply(Tensor.where(ad .< delta, d.square() * 0.5, (ad - 0.5 * delta) * delta), "huberLoss", file: file, line: line)
}

/// Mean squared error (PyTorch: `nn.MSELoss(reduction='mean')`).
///
/// ```swift
/// let loss = MSELoss()(prediction, target)
/// ```
public struct MSELoss: Loss, Sendable {
    /// How per-element losses are combined.
    public var reduction: Reduction
    /// A mean squared error loss.
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// `mseLoss(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { mseLoss(input, target, reduction: reduction, file: file, line: line) }
}

/// Mean absolute error (PyTorch: `nn.L1Loss(reduction='mean')`).
public struct L1Loss: Loss, Sendable {
    /// How per-element losses are combined.
    public var reduction: Reduction
    /// A mean absolute error loss.
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// `l1Loss(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { l1Loss(input, target, reduction: reduction, file: file, line: line) }
}

/// Squared error near 0, absolute error beyond `beta` (PyTorch: `nn.SmoothL1Loss(beta=1.0)`).
public struct SmoothL1Loss: Loss, Sendable {
    /// How per-element losses are combined.
    public var reduction: Reduction
    /// Where the loss turns from quadratic to linear.
    public var beta: Double
    /// A smooth L1 loss.
    public init(reduction: Reduction = .mean, beta: Double = 1) {
        self.reduction = reduction
        self.beta = beta
    }
    /// `smoothL1Loss(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { smoothL1Loss(input, target, reduction: reduction, beta: beta, file: file, line: line) }
}

/// Squared error near 0, `delta`-scaled absolute error beyond `delta`
/// (PyTorch: `nn.HuberLoss(delta=1.0)`).
public struct HuberLoss: Loss, Sendable {
    /// How per-element losses are combined.
    public var reduction: Reduction
    /// Where the loss turns from quadratic to linear.
    public var delta: Double
    /// A Huber loss.
    public init(reduction: Reduction = .mean, delta: Double = 1) {
        self.reduction = reduction
        self.delta = delta
    }
    /// `huberLoss(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { huberLoss(input, target, reduction: reduction, delta: delta, file: file, line: line) }
}
