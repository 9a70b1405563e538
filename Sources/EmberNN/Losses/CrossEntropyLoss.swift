/// Classification losses over class scores in dim 1: cross-entropy on logits and negative
/// log-likelihood on log-probabilities, with class weights, an ignored class index and
/// label smoothing, as PyTorch computes them.
///
/// Cross-entropy is `logSoftmax` (a fused, max-subtracted kernel, stable for any logits)
/// followed by a gather of the target classes; the gradient comes from those two ops.

/// The per-position terms of the negative log-likelihood of class-index targets.
private struct NLLTerms {
    /// `-w[t] · logp[t]` per position, 0 where the target is ignored.
    var losses: Tensor
    /// The total weight of the counted positions (the mean's divisor), as a tensor.
    var totalWeight: Tensor
    /// 1 where the target counts, 0 where it is ignored; nil when none is ignored.
    var valid: Tensor?
    /// True when every target is ignored: the mean is NaN (0 / 0) and, as in PyTorch, the
    /// gradient 0 (not the NaN of 0 · 1/0).
    var allIgnored = false
}

/// Checks class-index `target` against `[N, C, d...]` `logp` and picks `-w[t] logp[t]`.
private func nllTerms(_ logp: Tensor, _ target: Tensor, weight: Tensor?, ignoreIndex: Int,
                      _ op: StaticString, file: StaticString, line: UInt) -> NLLTerms {
    let c = logp.shape[1]
    var expected = logp.shape
    expected.remove(at: 1)
    check(target.dtype == .int64, op, "class-index targets must be int64, got \(target.dtype) (use probabilities of the input's dtype for soft targets)", file: file, line: line)
    check(target.shape == expected, op, "expected target of shape \(expected) for input of shape \(logp.shape), got \(target.shape)", file: file, line: line)
    if let weight {
        check(weight.dim == 1 && weight.numel == c, op, "weight must have one entry per class (\(c)), got shape \(weight.shape)", file: file, line: line)
    }
    let values = target.toArray(as: Int64.self)
    var ignored = 0
    for v in values {
        if v == Int64(ignoreIndex) { ignored += 1; continue }
        if v < 0 || v >= Int64(c) {
            emberFailure("\(op)", "target \(v) is out of bounds for \(c) classes (valid: 0..<\(c), or ignoreIndex \(ignoreIndex))", file: file, line: line)
        }
    }
    let validMask = ignored > 0 ? target .!= Double(ignoreIndex) : nil
    let safeTarget = validMask.map { Tensor.where($0, target, Tensor.zeros([], dtype: .int64)) } ?? target
    let picked = logp.gather(1, safeTarget.unsqueeze(1)).squeeze(1)
    let valid = validMask?.to(logp.dtype)
    var w: Tensor? = weight.map { $0.to(logp.dtype).indexSelect(0, safeTarget.reshape([-1])).reshape(safeTarget.shape) }
    if let v = valid { w = w.map { $0 * v } ?? v }
    let losses = w.map { -picked * $0 } ?? -picked
    let totalWeight = w?.sum() ?? Tensor.full([], Double(values.count), dtype: logp.dtype)
    return NLLTerms(losses: losses, totalWeight: totalWeight, valid: valid, allIgnored: ignored > 0 && ignored == values.count)
}

/// Reduces NLL terms: the weighted mean divides by the total weight, as PyTorch.
private func reduceNLL(_ terms: NLLTerms, _ reduction: Reduction, weighted: Bool) -> Tensor {
    switch reduction {
    case .none: return terms.losses
    case .sum: return terms.losses.sum()
    case .mean, .batchMean:  // callers refuse .batchMean first
        if !weighted && terms.valid == nil { return terms.losses.mean() }
        return meanOverWeight(terms.losses.sum(), terms)
    }
}

/// `sum / totalWeight`; with every target ignored, NaN with a zero gradient (PyTorch's).
private func meanOverWeight(_ sum: Tensor, _ terms: NLLTerms) -> Tensor {
    terms.allIgnored ? sum * 0 + Double.nan : sum / terms.totalWeight
}

/// The negative log-likelihood of class-index targets given log-probabilities
/// `[N, C, d...]` (or `[C]`), with optional class `weight` and an `ignoreIndex` that counts
/// neither in the sum nor in the mean's divisor (PyTorch: `F.nll_loss`).
public func nllLoss(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                    reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkFloating(input, "input", "nllLoss", file: file, line: line)
    reduction.checkNotBatchMean("nllLoss", file: file, line: line)
    check(input.dim >= 1, "nllLoss", "input must have a class dimension, got a 0-d tensor", file: file, line: line)
    let unbatched = input.dim == 1
    let x = unbatched ? input.unsqueeze(0) : input
    let t = unbatched ? target.unsqueeze(0) : target
    let out = reduceNLL(nllTerms(x, t, weight: weight, ignoreIndex: ignoreIndex, "nllLoss", file: file, line: line),
                        reduction, weighted: weight != nil)
    return unbatched && reduction == .none ? out.squeeze(0) : out
}

/// Cross-entropy between logits `[N, C, d...]` (or `[C]`) and targets that are either int64
/// class indices `[N, d...]` or class probabilities of the input's shape
/// (PyTorch: `F.cross_entropy`).
///
/// `weight` rescales each class; with class-index targets, the mean divides by the total
/// weight of the targets, and positions whose target is `ignoreIndex` count nowhere.
/// `labelSmoothing` ε mixes the target with the uniform distribution: `(1 - ε)` of the loss
/// against the target plus `ε / C` of the loss against every class.
///
/// ```swift
/// let loss = crossEntropy(logits, labels)                       // labels: int64 [N]
/// let smooth = crossEntropy(logits, labels, labelSmoothing: 0.1)
/// ```
public func crossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                         reduction: Reduction = .mean, labelSmoothing: Double = 0,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkFloating(input, "input", "crossEntropy", file: file, line: line)
    reduction.checkNotBatchMean("crossEntropy", file: file, line: line)
    check(input.dim >= 1, "crossEntropy", "input must have a class dimension, got a 0-d tensor", file: file, line: line)
    check(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy", "labelSmoothing must be between 0.0 and 1.0, got \(labelSmoothing)", file: file, line: line)
    let unbatched = input.dim == 1
    let x = unbatched ? input.unsqueeze(0) : input
    let t = unbatched ? target.unsqueeze(0) : target
    let c = x.shape[1]
    let logp = x.logSoftmax(dim: 1)
    var classShape = [Int](repeating: 1, count: x.dim)
    classShape[1] = c
    let weightView = weight.map { $0.to(x.dtype).reshape(classShape) }
    let out: Tensor
    if target.dtype.isFloatingPoint {
        // Probability targets: -Σ_c w_c p_c log q_c; the mean is over positions, not weights.
        check(t.shape == x.shape, "crossEntropy", "probability targets must have the input's shape \(input.shape), got \(target.shape)", file: file, line: line)
        if let weight {
            check(weight.dim == 1 && weight.numel == c, "crossEntropy", "weight must have one entry per class (\(c)), got shape \(weight.shape)", file: file, line: line)
        }
        let p = labelSmoothing > 0 ? t * (1 - labelSmoothing) + labelSmoothing / Double(c) : t
        var terms = logp * p
        if let weightView { terms = terms * weightView }
        switch reduction {
        case .none: out = -terms.sum(dim: 1)
        case .sum: out = -terms.sum()
        case .mean, .batchMean: out = -terms.sum() / Double(x.numel / Swift.max(c, 1))  // .batchMean refused above
        }
    } else {
        let terms = nllTerms(logp, t, weight: weight, ignoreIndex: ignoreIndex, "crossEntropy", file: file, line: line)
        let nll = reduceNLL(terms, reduction, weighted: weight != nil)
        if labelSmoothing == 0 {
            out = nll
        } else {
            // The loss against the uniform distribution: -Σ_c w_c log q_c per position.
            var smooth = -(weightView.map { logp * $0 } ?? logp).sum(dim: 1)
            if let valid = terms.valid { smooth = smooth * valid }
            let reduced: Tensor
            switch reduction {
            case .none: reduced = smooth
            case .sum: reduced = smooth.sum()
            case .mean, .batchMean: reduced = meanOverWeight(smooth.sum(), terms)  // .batchMean refused above
            }
            out = nll * (1 - labelSmoothing) + reduced * (labelSmoothing / Double(c))
        }
    }
    return unbatched && reduction == .none ? out.squeeze(0) : out
}

/// Cross-entropy of logits against class indices or class probabilities
/// (PyTorch: `nn.CrossEntropyLoss(weight=None, ignore_index=-100, reduction='mean', label_smoothing=0.0)`).
///
/// ```swift
/// let criterion = CrossEntropyLoss()
/// let loss = criterion(model(images), labels)   // logits [N, C], labels int64 [N]
/// ```
public struct CrossEntropyLoss: Loss, Sendable {
    /// A weight per class, `[C]`, or nil for equal weights.
    public var weight: Tensor?
    /// A target value that is skipped (PyTorch: `ignore_index`).
    public var ignoreIndex: Int
    /// How per-sample losses are combined.
    public var reduction: Reduction
    /// The share ε of the target mixed with the uniform distribution (PyTorch: `label_smoothing`).
    public var labelSmoothing: Double

    /// A cross-entropy loss.
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean, labelSmoothing: Double = 0) {
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        self.reduction = reduction
        self.labelSmoothing = labelSmoothing
    }

    /// `crossEntropy(input, target, ...)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        crossEntropy(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction, labelSmoothing: labelSmoothing, file: file, line: line)
    }
}

/// Negative log-likelihood of log-probabilities against class indices
/// (PyTorch: `nn.NLLLoss(weight=None, ignore_index=-100, reduction='mean')`).
///
/// ```swift
/// let loss = NLLLoss()(logSoftmax(logits, dim: 1), labels)
/// ```
public struct NLLLoss: Loss, Sendable {
    /// A weight per class, `[C]`, or nil for equal weights.
    public var weight: Tensor?
    /// A target value that is skipped (PyTorch: `ignore_index`).
    public var ignoreIndex: Int
    /// How per-sample losses are combined.
    public var reduction: Reduction

    /// A negative log-likelihood loss.
    public init(weight: Tensor? = nil, ignoreIndex: Int = -100, reduction: Reduction = .mean) {
        self.weight = weight
        self.ignoreIndex = ignoreIndex
        self.reduction = reduction
    }

    /// `nllLoss(input, target, ...)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        nllLoss(input, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction, file: file, line: line)
    }
}
