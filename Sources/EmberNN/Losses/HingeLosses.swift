/// Losses on scores against ±1 labels: hinge embedding and soft margin.

/// `x` where the target is 1, `max(0, margin - x)` where it is -1, for `input` distances
/// (PyTorch: `F.hinge_embedding_loss`).
public func hingeEmbeddingLoss(_ input: Tensor, _ target: Tensor, margin: Double = 1, reduction: Reduction = .mean,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "hingeEmbeddingLoss", file: file, line: line)
    checkFloating(input, "input", "hingeEmbeddingLoss", file: file, line: line)
    // PyTorch's sum of two masked parts: a target other than ±1 takes both.
    let marginPart = Tensor.where(target .!= 1, (margin - input).clamp(min: 0), 0)
    let selfPart = Tensor.where(target .!= -1, input, 0)
    return reduction.apply(marginPart + selfPart, "hingeEmbeddingLoss", file: file, line: line)
}

/// `log(1 + exp(-y·x))` per element, the logistic loss of ±1 labels (PyTorch: `F.soft_margin_loss`).
public func softMarginLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                           file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "softMarginLoss", file: file, line: line)
    checkFloating(input, "input", "softMarginLoss", file: file, line: line)
    return reduction.apply((-target * input).softplus(), "softMarginLoss", file: file, line: line)
}

/// A hinge loss on distances: small for similar pairs (target 1), at least `margin` for
/// dissimilar ones (target -1) (PyTorch: `nn.HingeEmbeddingLoss(margin=1.0, reduction='mean')`).
///
/// ```swift
/// let loss = HingeEmbeddingLoss(margin: 2)(distances, labels)
/// ```
public struct HingeEmbeddingLoss: Loss, Sendable {
    /// The distance dissimilar pairs should exceed.
    public var margin: Double
    /// How per-element losses are combined.
    public var reduction: Reduction
    /// A hinge embedding loss.
    public init(margin: Double = 1, reduction: Reduction = .mean) {
        (self.margin, self.reduction) = (margin, reduction)
    }
    /// `hingeEmbeddingLoss(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        hingeEmbeddingLoss(input, target, margin: margin, reduction: reduction, file: file, line: line)
    }
}

/// The logistic loss of scores against ±1 labels (PyTorch: `nn.SoftMarginLoss(reduction='mean')`).
public struct SoftMarginLoss: Loss, Sendable {
    /// How per-element losses are combined.
    public var reduction: Reduction
    /// A soft margin loss.
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// `softMarginLoss(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        softMarginLoss(input, target, reduction: reduction, file: file, line: line)
    }
}
