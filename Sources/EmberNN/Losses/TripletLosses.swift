/// Triplet losses for metric learning: an anchor should be nearer its positive than its
/// negative by a margin (the distance is `pairwiseDistance` unless given).

/// `max(0, margin + d(a, p) - d(a, n))` with the pairwise `p`-norm distance `d`; `swap` uses
/// `min(d(a, n), d(p, n))` for the negative distance (PyTorch: `F.triplet_margin_loss`).
public func tripletMarginLoss(_ anchor: Tensor, _ positive: Tensor, _ negative: Tensor, margin: Double = 1, p: Double = 2,
                              eps: Double = 1e-6, swap: Bool = false, reduction: Reduction = .mean,
                              file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    tripletMarginWithDistanceLoss(anchor, positive, negative, distance: { pairwiseDistance($0, $1, p: p, eps: eps) },
                                  margin: margin, swap: swap, reduction: reduction, op: "tripletMarginLoss", file: file, line: line)
}

/// `max(0, margin + d(a, p) - d(a, n))` for any distance function `d` of two batches (the
/// pairwise Euclidean distance when nil); `swap` uses `min(d(a, n), d(p, n))`
/// (PyTorch: `F.triplet_margin_with_distance_loss`).
///
/// ```swift
/// let loss = tripletMarginWithDistanceLoss(a, p, n, distance: { 1 - $0.cosineSimilarity($1) })
/// ```
public func tripletMarginWithDistanceLoss(_ anchor: Tensor, _ positive: Tensor, _ negative: Tensor,
                                          distance: (@Sendable (Tensor, Tensor) -> Tensor)? = nil, margin: Double = 1,
                                          swap: Bool = false, reduction: Reduction = .mean,
                                          file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    tripletMarginWithDistanceLoss(anchor, positive, negative, distance: distance ?? { pairwiseDistance($0, $1) },
                                  margin: margin, swap: swap, reduction: reduction, op: "tripletMarginWithDistanceLoss", file: file, line: line)
}

/// The triplet loss shared by both spellings, checked under `op`'s name.
private func tripletMarginWithDistanceLoss(_ anchor: Tensor, _ positive: Tensor, _ negative: Tensor,
                                           distance: (Tensor, Tensor) -> Tensor, margin: Double, swap: Bool,
                                           reduction: Reduction, op: StaticString, file: StaticString, line: UInt) -> Tensor {
    check(anchor.dim == positive.dim && positive.dim == negative.dim, op,
          "anchor \(anchor.shape), positive \(positive.shape) and negative \(negative.shape) must have the same number of dims", file: file, line: line)
    checkFloating(anchor, "anchor", op, file: file, line: line)
    let positiveDistance = distance(anchor, positive)
    var negativeDistance = distance(anchor, negative)
    if swap { negativeDistance = negativeDistance.minimum(distance(positive, negative)) }
    return reduction.apply((margin + positiveDistance - negativeDistance).clamp(min: 0), op, file: file, line: line)
}

/// The triplet loss with the pairwise `p`-norm distance
/// (PyTorch: `nn.TripletMarginLoss(margin=1.0, p=2.0, eps=1e-06, swap=False, reduction='mean')`).
///
/// ```swift
/// let loss = TripletMarginLoss(margin: 0.5)(anchor, positive, negative)
/// ```
public struct TripletMarginLoss: Loss, Sendable {
    /// How much nearer the positive should be.
    public var margin: Double
    /// The norm degree of the distance.
    public var p: Double
    /// Added to differences before the norm.
    public var eps: Double
    /// Whether to use the positive-negative distance when it is smaller (PyTorch: `swap`).
    public var swap: Bool
    /// How per-triplet losses are combined.
    public var reduction: Reduction
    /// A triplet margin loss.
    public init(margin: Double = 1, p: Double = 2, eps: Double = 1e-6, swap: Bool = false, reduction: Reduction = .mean) {
        (self.margin, self.p, self.eps, self.swap, self.reduction) = (margin, p, eps, swap, reduction)
    }
    /// `tripletMarginLoss(anchor, positive, negative)`.
    public func callAsFunction(_ anchor: Tensor, _ positive: Tensor, _ negative: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        tripletMarginLoss(anchor, positive, negative, margin: margin, p: p, eps: eps, swap: swap, reduction: reduction, file: file, line: line)
    }
    /// `["anchor", "positive", "negative"]`.
    public static var inputNames: [String] { ["anchor", "positive", "negative"] }
    /// `self(tensors[0], tensors[1], tensors[2])`.
    public func callAsFunction(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkLossInputs(self, tensors, file: file, line: line)
        return self(tensors[0], tensors[1], tensors[2], file: file, line: line)
    }
}

/// The triplet loss with any distance function
/// (PyTorch: `nn.TripletMarginWithDistanceLoss(distance_function=None, margin=1.0, swap=False, reduction='mean')`).
public struct TripletMarginWithDistanceLoss: Loss, Sendable {
    /// The distance of two batches, or nil for the pairwise Euclidean distance.
    public var distance: (@Sendable (Tensor, Tensor) -> Tensor)?
    /// How much nearer the positive should be.
    public var margin: Double
    /// Whether to use the positive-negative distance when it is smaller (PyTorch: `swap`).
    public var swap: Bool
    /// How per-triplet losses are combined.
    public var reduction: Reduction
    /// A triplet loss with a distance function; `margin` must be positive, as PyTorch requires.
    public init(distance: (@Sendable (Tensor, Tensor) -> Tensor)? = nil, margin: Double = 1, swap: Bool = false,
                reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line) {
        check(margin > 0, "TripletMarginWithDistanceLoss", "margin must be greater than 0, got \(margin)", file: file, line: line)
        (self.distance, self.margin, self.swap, self.reduction) = (distance, margin, swap, reduction)
    }
    /// `tripletMarginWithDistanceLoss(anchor, positive, negative)`.
    public func callAsFunction(_ anchor: Tensor, _ positive: Tensor, _ negative: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        tripletMarginWithDistanceLoss(anchor, positive, negative, distance: distance, margin: margin, swap: swap, reduction: reduction, file: file, line: line)
    }
    /// `["anchor", "positive", "negative"]`.
    public static var inputNames: [String] { ["anchor", "positive", "negative"] }
    /// `self(tensors[0], tensors[1], tensors[2])`.
    public func callAsFunction(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkLossInputs(self, tensors, file: file, line: line)
        return self(tensors[0], tensors[1], tensors[2], file: file, line: line)
    }
}
