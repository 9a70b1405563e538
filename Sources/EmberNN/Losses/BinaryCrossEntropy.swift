/// Binary cross-entropy on probabilities and on logits.

/// `-(y log x + (1 - y) log(1 - x))` for probabilities `x` in [0, 1], each log clamped to
/// at least -100 as in PyTorch, times an optional `weight` (broadcast to the input)
/// (PyTorch: `F.binary_cross_entropy`).
public func binaryCrossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "binaryCrossEntropy", file: file, line: line)
    checkFloating(input, "input", "binaryCrossEntropy", file: file, line: line)
    let outside = withNoGrad { (input .< 0).logicalOr(input .> 1).any().item(as: Bool.self) }
    check(!outside, "binaryCrossEntropy", "all elements of input should be between 0 and 1 (apply sigmoid first, or use binaryCrossEntropyWithLogits)", file: file, line: line)
    // PyTorch: (y - 1) · max(log1p(-x), -100) - y · max(log x, -100), with PyTorch's gradient
    // (x - y) / max(x (1 - x), 1e-12), finite at x = 0 and 1.
    var losses = binaryCrossEntropyElements(input, target, file: file, line: line)
    if let weight { losses = losses * weight }
    return reduction.apply(losses, "binaryCrossEntropy", file: file, line: line)
}

/// Binary cross-entropy on logits: `sigmoid` and the loss in one numerically stable formula,
/// `(1 - y) x + L · (log(e^(-m) + e^(-x - m)) + m)` with `m = max(-x, 0)` and
/// `L = 1 + (posWeight - 1) y` (PyTorch: `F.binary_cross_entropy_with_logits`). `posWeight`
/// weighs positive examples per class (broadcast over the last dim); `weight` each element.
public func binaryCrossEntropyWithLogits(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, posWeight: Tensor? = nil,
                                         reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "binaryCrossEntropyWithLogits", file: file, line: line)
    checkFloating(input, "input", "binaryCrossEntropyWithLogits", file: file, line: line)
    let m = (-input).clamp(min: 0)
    let logTerm = ((-m).exp() + (-input - m).exp()).log() + m
    var losses: Tensor
    if let posWeight {
        let logWeight = (posWeight - 1) * target + 1
        losses = (1 - target) * input + logWeight * logTerm
    } else {
        losses = (1 - target) * input + logTerm
    }
    if let weight { losses = losses * weight }
    return reduction.apply(losses, "binaryCrossEntropyWithLogits", file: file, line: line)
}

/// Binary cross-entropy on probabilities (PyTorch: `nn.BCELoss(weight=None, reduction='mean')`).
///
/// ```swift
/// let loss = BCELoss()(sigmoid(logits), labels)
/// ```
public struct BCELoss: Loss, Sendable {
    /// A weight per element (broadcast to the input), or nil.
    public var weight: Tensor?
    /// How per-element losses are combined.
    public var reduction: Reduction
    /// A binary cross-entropy loss.
    public init(weight: Tensor? = nil, reduction: Reduction = .mean) {
        self.weight = weight
        self.reduction = reduction
    }
    /// `binaryCrossEntropy(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        binaryCrossEntropy(input, target, weight: weight, reduction: reduction, file: file, line: line)
    }
}

/// Binary cross-entropy on logits, stable for any logit
/// (PyTorch: `nn.BCEWithLogitsLoss(weight=None, reduction='mean', pos_weight=None)`).
///
/// ```swift
/// let criterion = BCEWithLogitsLoss(posWeight: Tensor([3.0]))   // positives count 3x
/// let loss = criterion(logits, labels)
/// ```
public struct BCEWithLogitsLoss: Loss, Sendable {
    /// A weight per element (broadcast to the input), or nil.
    public var weight: Tensor?
    /// A weight for positive examples per class (broadcast over the last dim), or nil.
    public var posWeight: Tensor?
    /// How per-element losses are combined.
    public var reduction: Reduction
    /// A binary cross-entropy loss on logits.
    public init(weight: Tensor? = nil, reduction: Reduction = .mean, posWeight: Tensor? = nil) {
        self.weight = weight
        self.posWeight = posWeight
        self.reduction = reduction
    }
    /// `binaryCrossEntropyWithLogits(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        binaryCrossEntropyWithLogits(input, target, weight: weight, posWeight: posWeight, reduction: reduction, file: file, line: line)
    }
}
