/// Multi-class and multi-label margin losses over class scores `[N, C]` (or `[C]`).

/// The binary logistic loss of each class, averaged over the `C` classes of the last dim:
/// `-(y·log σ(x) + (1 - y)·log σ(-x))`, times an optional per-class `weight`
/// (PyTorch: `F.multilabel_soft_margin_loss`). Unreduced, one value per sample.
public func multilabelSoftMarginLoss(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, reduction: Reduction = .mean,
                                     file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "multilabelSoftMarginLoss", file: file, line: line)
    checkFloating(input, "input", "multilabelSoftMarginLoss", file: file, line: line)
    check(input.dim >= 1, "multilabelSoftMarginLoss", "input must have a class dimension, got a 0-d tensor", file: file, line: line)
    var losses = -(target * logSigmoid(input) + (1 - target) * logSigmoid(-input))
    if let weight { losses = losses * weight }
    let classDim = input.dim - 1
    return reduction.apply(losses.sum(dim: classDim) / Double(input.shape[classDim]), "multilabelSoftMarginLoss", file: file, line: line)
}

/// The multi-label hinge loss: for each sample, `Σ_j Σ_i max(0, 1 - (x[j] - x[i])) / C` over its
/// target classes `j` and non-target classes `i`. `target` is int64 of the input's shape, each
/// row listing class indices and ending at the first -1 (PyTorch: `F.multilabel_margin_loss`).
public func multilabelMarginLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean,
                                 file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let op: StaticString = "multilabelMarginLoss"
    checkFloating(input, "input", op, file: file, line: line)
    check(input.dim == 1 || input.dim == 2, op, "expected a 1-d [C] or 2-d [N, C] input, got shape \(input.shape)", file: file, line: line)
    check(target.shape == input.shape, op, "target shape \(target.shape) must be the input's \(input.shape)", file: file, line: line)
    check(target.dtype == .int64, op, "target must be int64 class indices, got \(target.dtype)", file: file, line: line)
    let x = input.dim == 1 ? input.unsqueeze(0) : input
    let (n, c) = (x.shape[0], x.shape[1])
    let labels = target.toArray(as: Int64.self).map(Int.init)
    // Each row's targets up to the first -1; `listed` may repeat a class, and counts it again
    // (PyTorch loops over the list).
    var rows: [[Int]] = []
    for r in 0..<n {
        var listed: [Int] = []
        for k in 0..<c {
            let label = labels[r * c + k]
            if label < 0 { break }
            check(label < c, op, "target \(label) is out of range for \(c) classes", file: file, line: line)
            listed.append(label)
        }
        rows.append(listed)
    }
    let k = Swift.max(rows.map(\.count).max() ?? 0, 1)
    var picks = [Int](repeating: 0, count: n * k), pairWeights = [Double](repeating: 0, count: n * k * c)
    for (r, listed) in rows.enumerated() {
        let isTarget = Set(listed)
        for (slot, j) in listed.enumerated() {
            picks[r * k + slot] = j
            for i in 0..<c where !isTarget.contains(i) { pairWeights[(r * k + slot) * c + i] = 1 }
        }
    }
    let targetScores = x.gather(1, Tensor(picks, shape: [n, k]))                    // [N, K]
    let hinge = (1 - targetScores.unsqueeze(2) + x.unsqueeze(1)).relu()             // [N, K, C]
    let mask = Tensor(pairWeights, shape: [n, k, c], dtype: x.dtype)
    var losses = (hinge * mask).sum(dims: [1, 2]) / Double(c)
    if input.dim == 1 { losses = losses.squeeze(0) }
    return reduction.apply(losses, op, file: file, line: line)
}

/// The multi-class hinge loss: for each sample with class `y`,
/// `Σ_{i≠y} max(0, margin - x[y] + x[i])^p / C`, times `weight[y]` when given
/// (PyTorch: `F.multi_margin_loss(p=1, margin=1)`). `p` is 1 or 2; `target` holds int64 classes
/// `[N]` (or a 0-d tensor for a `[C]` input).
public func multiMarginLoss(_ input: Tensor, _ target: Tensor, p: Int = 1, margin: Double = 1, weight: Tensor? = nil,
                            reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let op: StaticString = "multiMarginLoss"
    checkFloating(input, "input", op, file: file, line: line)
    check(p == 1 || p == 2, op, "only p == 1 and p == 2 are supported, got \(p)", file: file, line: line)
    check(input.dim == 1 || input.dim == 2, op, "expected a 1-d [C] or 2-d [N, C] input, got shape \(input.shape)", file: file, line: line)
    check(target.dtype == .int64, op, "target must be int64 class indices, got \(target.dtype)", file: file, line: line)
    let x = input.dim == 1 ? input.unsqueeze(0) : input
    let (n, c) = (x.shape[0], x.shape[1])
    check(target.numel == n && target.dim <= 1, op, "expected a target of \(n) class indices for input \(input.shape), got shape \(target.shape)", file: file, line: line)
    for label in target.toArray(as: Int64.self) where label < 0 || label >= Int64(c) {
        emberFailure(op, "target \(label) is out of range for \(c) classes", file: file, line: line)
    }
    if let weight {
        check(weight.dim == 1 && weight.numel == c, op, "weight must have one entry per class (\(c)), got shape \(weight.shape)", file: file, line: line)
    }
    let y = target.reshape([n, 1])
    let z = (margin - x.gather(1, y) + x).relu()                                     // [N, C]
    let others = Tensor.arange(c).unsqueeze(0) .!= y
    var terms = Tensor.where(others, p == 2 ? z.square() : z, 0)
    if let weight { terms = terms * weight.to(x.dtype).indexSelect(0, y.reshape([n])).unsqueeze(1) }
    var losses = terms.sum(dim: 1) / Double(c)
    if input.dim == 1 { losses = losses.squeeze(0) }
    return reduction.apply(losses, op, file: file, line: line)
}

/// One-vs-all logistic loss for multi-label targets in {0, 1}
/// (PyTorch: `nn.MultiLabelSoftMarginLoss(weight=None, reduction='mean')`).
public struct MultiLabelSoftMarginLoss: Loss, Sendable {
    /// A weight per class, `[C]`, or nil.
    public var weight: Tensor?
    /// How per-sample losses are combined.
    public var reduction: Reduction
    /// A multi-label soft margin loss.
    public init(weight: Tensor? = nil, reduction: Reduction = .mean) {
        (self.weight, self.reduction) = (weight, reduction)
    }
    /// `multilabelSoftMarginLoss(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        multilabelSoftMarginLoss(input, target, weight: weight, reduction: reduction, file: file, line: line)
    }
}

/// The multi-label hinge loss over target-class lists ending at -1
/// (PyTorch: `nn.MultiLabelMarginLoss(reduction='mean')`).
///
/// ```swift
/// // sample 0 has classes 3 and 0; the -1 ends its list
/// let loss = MultiLabelMarginLoss()(scores, Tensor([[3, 0, -1, 1]] as [[Int]]))
/// ```
public struct MultiLabelMarginLoss: Loss, Sendable {
    /// How per-sample losses are combined.
    public var reduction: Reduction
    /// A multi-label margin loss.
    public init(reduction: Reduction = .mean) { self.reduction = reduction }
    /// `multilabelMarginLoss(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        multilabelMarginLoss(input, target, reduction: reduction, file: file, line: line)
    }
}

/// The multi-class hinge loss (PyTorch: `nn.MultiMarginLoss(p=1, margin=1.0, weight=None, reduction='mean')`).
public struct MultiMarginLoss: Loss, Sendable {
    /// The exponent of each hinge term, 1 or 2.
    public var p: Int
    /// The score gap the target class should lead by.
    public var margin: Double
    /// A weight per class, `[C]`, or nil.
    public var weight: Tensor?
    /// How per-sample losses are combined.
    public var reduction: Reduction
    /// A multi-class margin loss.
    public init(p: Int = 1, margin: Double = 1, weight: Tensor? = nil, reduction: Reduction = .mean) {
        (self.p, self.margin, self.weight, self.reduction) = (p, margin, weight, reduction)
    }
    /// `multiMarginLoss(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        multiMarginLoss(input, target, p: p, margin: margin, weight: weight, reduction: reduction, file: file, line: line)
    }
}
