/// Kullback-Leibler divergence.

/// How `KLDivLoss` combines its per-element values: now the one `Reduction`, whose
/// `.batchMean` is PyTorch's `"batchmean"`.
@available(*, deprecated, renamed: "Reduction")
public typealias KLDivReduction = Reduction

/// `target · (log target - input)` pointwise, for `input` given as log-probabilities and
/// `target` as probabilities (or log-probabilities with `logTarget`); 0 where the target is 0
/// (PyTorch: `F.kl_div`). `reduction` takes every `Reduction`, `.batchMean` included (the sum
/// over the batch size, the true KL divergence per sample); PyTorch's default `.mean` averages
/// over all elements, which is not the KL divergence.
public func klDiv(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean, logTarget: Bool = false,
                  file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkSameShape(input, target, "klDiv", file: file, line: line)
    checkFloating(input, "input", "klDiv", file: file, line: line)
    let losses: Tensor
    if logTarget {
        losses = target.exp() * (target - input)
    } else {
        // xlogy(t, t) - t · input, with 0 · log 0 = 0. The gradient with respect to a zero
        // target is NaN, as PyTorch's (xlogy's t / t there).
        let xlogy = Tensor.where(target .== 0, Tensor.zeros([], dtype: target.dtype), target * target.log())
        losses = xlogy - target * input
    }
    switch reduction {
    case .none: return losses
    case .sum: return losses.sum()
    case .mean: return losses.mean()
    case .batchMean: return input.dim == 0 ? losses.sum() : losses.sum() / Double(input.shape[0])
    }
}

/// Kullback-Leibler divergence of a target distribution from log-probabilities
/// (PyTorch: `nn.KLDivLoss(reduction='mean', log_target=False)`).
///
/// ```swift
/// let kl = KLDivLoss(reduction: .batchMean)
/// let loss = kl(logSoftmax(studentLogits, dim: 1), softmax(teacherLogits, dim: 1))
/// ```
public struct KLDivLoss: Loss, Sendable {
    /// How per-element losses are combined.
    public var reduction: Reduction
    /// Whether the target is given as log-probabilities (PyTorch: `log_target`).
    public var logTarget: Bool
    /// A KL divergence loss.
    public init(reduction: Reduction = .mean, logTarget: Bool = false) {
        self.reduction = reduction
        self.logTarget = logTarget
    }
    /// `klDiv(input, target)`.
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        klDiv(input, target, reduction: reduction, logTarget: logTarget, file: file, line: line)
    }
}
