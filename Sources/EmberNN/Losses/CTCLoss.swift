/// Connectionist temporal classification loss, for sequence outputs (speech, handwriting)
/// whose alignment to a shorter label sequence is unknown.

/// The CTC loss of per-frame log-probabilities `[T, N, C]` (or `[T, C]` for one sample) against
/// `targets`, padded `[N, S]` or concatenated `[Σ targetLengths]` class indices, computed by the
/// forward-backward recursion in log space (PyTorch: `F.ctc_loss`).
///
/// `.mean` divides each sample's loss by its target length (at least 1), then averages over the
/// batch, as PyTorch does; `zeroInfinity` turns the infinite loss of a sample no alignment fits
/// (an input shorter than its target needs) into 0 with a zero gradient. The gradient with
/// respect to `logProbs` is the true derivative; it equals PyTorch's once it flows back through
/// `logSoftmax` (PyTorch's own CTC backward assumes that step).
///
/// ```swift
/// let logProbs = logSoftmax(model(audio), dim: 2)             // [T, N, C]
/// let loss = ctcLoss(logProbs, labels, inputLengths: [50, 42], targetLengths: [12, 9])
/// ```
public func ctcLoss(_ logProbs: Tensor, _ targets: Tensor, inputLengths: [Int], targetLengths: [Int], blank: Int = 0,
                    reduction: Reduction = .mean, zeroInfinity: Bool = false,
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    reduction.checkNotBatchMean("ctcLoss", file: file, line: line)
    let unbatched = logProbs.dim == 2
    let lp = unbatched ? logProbs.unsqueeze(1) : logProbs
    let t = unbatched ? targets.unsqueeze(0) : targets
    let losses = ctcNegativeLogLikelihood(lp, t, inputLengths: inputLengths, targetLengths: targetLengths, blank: blank,
                                          zeroInfinity: zeroInfinity, file: file, line: line)
    switch reduction {
    case .none: return unbatched ? losses.squeeze(0) : losses
    case .sum: return losses.sum()
    case .mean, .batchMean:  // .batchMean refused above
        let divisors = Tensor(targetLengths.map { Swift.max($0, 1) }, shape: [targetLengths.count], dtype: losses.dtype)
        return (losses / divisors).mean()
    }
}

/// `ctcLoss` with the lengths given as int64 (or int32) tensors, as PyTorch takes them.
public func ctcLoss(_ logProbs: Tensor, _ targets: Tensor, inputLengths: Tensor, targetLengths: Tensor, blank: Int = 0,
                    reduction: Reduction = .mean, zeroInfinity: Bool = false,
                    file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(!inputLengths.dtype.isFloatingPoint && !targetLengths.dtype.isFloatingPoint, "ctcLoss",
          "lengths must be integer tensors, got \(inputLengths.dtype) and \(targetLengths.dtype)", file: file, line: line)
    return ctcLoss(logProbs, targets, inputLengths: inputLengths.toArray(as: Int64.self).map(Int.init),
                   targetLengths: targetLengths.toArray(as: Int64.self).map(Int.init), blank: blank,
                   reduction: reduction, zeroInfinity: zeroInfinity, file: file, line: line)
}

/// The connectionist temporal classification loss
/// (PyTorch: `nn.CTCLoss(blank=0, reduction='mean', zero_infinity=False)`).
///
/// ```swift
/// let ctc = CTCLoss(blank: 0, zeroInfinity: true)
/// let loss = ctc(logProbs, targets, inputLengths: inputLengths, targetLengths: targetLengths)
/// ```
public struct CTCLoss: Loss, Sendable {
    /// The class index of the blank symbol.
    public var blank: Int
    /// How per-sample losses are combined (`.mean` divides by target lengths first).
    public var reduction: Reduction
    /// Whether infinite losses (and their gradients) become 0 (PyTorch: `zero_infinity`).
    public var zeroInfinity: Bool
    /// A CTC loss.
    public init(blank: Int = 0, reduction: Reduction = .mean, zeroInfinity: Bool = false) {
        (self.blank, self.reduction, self.zeroInfinity) = (blank, reduction, zeroInfinity)
    }
    /// `ctcLoss(logProbs, targets, inputLengths:, targetLengths:)`.
    public func callAsFunction(_ logProbs: Tensor, _ targets: Tensor, inputLengths: Tensor, targetLengths: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        ctcLoss(logProbs, targets, inputLengths: inputLengths, targetLengths: targetLengths, blank: blank,
                reduction: reduction, zeroInfinity: zeroInfinity, file: file, line: line)
    }
    /// `ctcLoss(logProbs, targets, inputLengths:, targetLengths:)` with lengths as arrays.
    public func callAsFunction(_ logProbs: Tensor, _ targets: Tensor, inputLengths: [Int], targetLengths: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        ctcLoss(logProbs, targets, inputLengths: inputLengths, targetLengths: targetLengths, blank: blank,
                reduction: reduction, zeroInfinity: zeroInfinity, file: file, line: line)
    }
    /// `["log_probs", "targets", "input_lengths", "target_lengths"]`.
    public static var inputNames: [String] { ["log_probs", "targets", "input_lengths", "target_lengths"] }
    /// `self(tensors[0], tensors[1], inputLengths: tensors[2], targetLengths: tensors[3])`.
    public func callAsFunction(_ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkLossInputs(self, tensors, file: file, line: line)
        return self(tensors[0], tensors[1], inputLengths: tensors[2], targetLengths: tensors[3], file: file, line: line)
    }
}
