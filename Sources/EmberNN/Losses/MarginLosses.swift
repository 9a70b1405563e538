/// Losses on pairs of inputs with a ±1 target: cosine embedding and margin ranking.

/// `1 - cos(x₁, x₂)` where the target is 1, `max(0, cos(x₁, x₂) - margin)` where it is -1,
/// with the cosine over the last dim of `[N, D]` (or `[D]`) inputs
/// (PyTorch: `F.cosine_embedding_loss`).
public func cosineEmbeddingLoss(_ input1: Tensor, _ input2: Tensor, _ target: Tensor, margin: Double = 0,
                                reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(input1.shape == input2.shape, "cosineEmbeddingLoss", "input1 \(input1.shape) and input2 \(input2.shape) must have the same shape", file: file, line: line)
    check(input1.dim == 1 || input1.dim == 2, "cosineEmbeddingLoss", "expected 1-d or 2-d inputs, got shape \(input1.shape)", file: file, line: line)
    check(target.dim == input1.dim - 1 && (target.dim == 0 || target.shape[0] == input1.shape[0]), "cosineEmbeddingLoss", "expected a target of shape \(Array(input1.shape.dropLast())), got \(target.shape)", file: file, line: line)
    let d = input1.dim - 1
    let eps = Double(Float(1e-12))  // PyTorch's EPSILON: 1e-12 as a float32, also for float64
    let dot = (input1 * input2).sum(dim: d)
    let norms = ((input1 * input1).sum(dim: d) + eps) * ((input2 * input2).sum(dim: d) + eps)
    let cos = dot / norms.sqrt()
    let zero = Tensor.zerosLike(cos)
    let positive = Tensor.where(target .== 1, 1 - cos, zero)
    let negative = Tensor.where(target .== -1, (cos - margin).clamp(min: 0), zero)
    return reduction.apply(positive + negative, "cosineEmbeddingLoss", file: file, line: line)
}

/// `max(0, -y (x₁ - x₂) + margin)`: x₁ should rank above x₂ where y is 1, below where y is
/// -1 (PyTorch: `F.margin_ranking_loss`).
public func marginRankingLoss(_ input1: Tensor, _ input2: Tensor, _ target: Tensor, margin: Double = 0,
                              reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(input1.shape == input2.shape && input1.shape == target.shape, "marginRankingLoss", "input1 \(input1.shape), input2 \(input2.shape) and target \(target.shape) must have the same shape", file: file, line: line)
    return reduction.apply((-target * (input1 - input2) + margin).clamp(min: 0), "marginRankingLoss", file: file, line: line)
}

/// A loss that pulls pairs with target 1 together and pushes pairs with target -1 apart in
/// cosine similarity (PyTorch: `nn.CosineEmbeddingLoss(margin=0.0, reduction='mean')`).
///
/// ```swift
/// let loss = CosineEmbeddingLoss(margin: 0.2)(a, b, Tensor([1.0, -1.0, 1.0]))
/// ```
public struct CosineEmbeddingLoss: Loss, Sendable {
    /// The cosine above which negative pairs are penalized.
    public var margin: Double
    /// How per-pair losses are combined.
    public var reduction: Reduction
    /// A cosine embedding loss.
    public init(margin: Double = 0, reduction: Reduction = .mean) {
        self.margin = margin
        self.reduction = reduction
    }
    /// `cosineEmbeddingLoss(input1, input2, target)`.
    public func callAsFunction(_ input1: Tensor, _ input2: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        cosineEmbeddingLoss(input1, input2, target, margin: margin, reduction: reduction, file: file, line: line)
    }
    /// `["input1", "input2", "target"]`.
    public static var inputNames: [String] { ["input1", "input2", "target"] }
    /// `self(tensors[0], tensors[1], tensors[2])`.
    public func callAsFunction(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkLossInputs(self, tensors, file: file, line: line)
        return self(tensors[0], tensors[1], tensors[2], file: file, line: line)
    }
}

/// A loss that ranks `input1` above `input2` where the target is 1 and below where it is -1,
/// by at least `margin` (PyTorch: `nn.MarginRankingLoss(margin=0.0, reduction='mean')`).
public struct MarginRankingLoss: Loss, Sendable {
    /// The required gap between the two scores.
    public var margin: Double
    /// How per-pair losses are combined.
    public var reduction: Reduction
    /// A margin ranking loss.
    public init(margin: Double = 0, reduction: Reduction = .mean) {
        self.margin = margin
        self.reduction = reduction
    }
    /// `marginRankingLoss(input1, input2, target)`.
    public func callAsFunction(_ input1: Tensor, _ input2: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        marginRankingLoss(input1, input2, target, margin: margin, reduction: reduction, file: file, line: line)
    }
    /// `["input1", "input2", "target"]`.
    public static var inputNames: [String] { ["input1", "input2", "target"] }
    /// `self(tensors[0], tensors[1], tensors[2])`.
    public func callAsFunction(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkLossInputs(self, tensors, file: file, line: line)
        return self(tensors[0], tensors[1], tensors[2], file: file, line: line)
    }
}
