/// How a loss combines its per-element values (PyTorch: the `reduction` argument), and the
/// protocol every loss conforms to.

/// How a loss combines its per-element values (PyTorch: the `reduction` argument).
public enum Reduction: Sendable, Equatable {
    /// One loss value per element (or per sample), unreduced (PyTorch: `"none"`).
    case none
    /// The average (PyTorch: `"mean"`, the default); weighted losses divide by the total weight.
    case mean
    /// The sum (PyTorch: `"sum"`).
    case sum
    /// The sum divided by the batch size (dim 0), the KL divergence per sample
    /// (PyTorch: `"batchmean"`). Only `klDiv` / `KLDivLoss` accept it, as in PyTorch.
    case batchMean

    /// `losses` reduced this way; `.batchMean` traps, naming `op` (PyTorch raises
    /// "batchmean is not a valid value for reduction" outside `kl_div`).
    func apply(_ losses: Tensor, _ op: StaticString, file: StaticString, line: UInt) -> Tensor {
        switch self {
        case .none: return losses
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        case .batchMean:
            checkNotBatchMean(op, file: file, line: line)
            return losses.sum()
        }
    }

    /// Traps when this is `.batchMean`, which only the KL divergence defines.
    func checkNotBatchMean(_ op: StaticString, file: StaticString, line: UInt) {
        check(self != .batchMean, op, "reduction .batchMean is only defined for klDiv / KLDivLoss; use .mean, .sum or .none", file: file, line: line)
    }

    /// PyTorch's string for this reduction.
    var pyName: String {
        switch self {
        case .none: return "none"
        case .mean: return "mean"
        case .sum: return "sum"
        case .batchMean: return "batchmean"
        }
    }
}

/// Every loss (PyTorch: `nn.modules.loss._Loss`): a value holding its options and a
/// `reduction`, called with the tensors PyTorch's `forward` takes.
///
/// Most losses take `(input, target)` and are called as `loss(input, target)`; code that
/// takes any such loss can write
///
/// ```swift
/// func evaluate(_ model: Module, _ loss: some Loss, _ x: Tensor, _ y: Tensor) -> Double {
///     withNoGrad { loss(model(x), y).item() }
/// }
/// ```
///
/// Losses of more tensors (`MarginRankingLoss(input1, input2, target)`,
/// `TripletMarginLoss(anchor, positive, negative)`, `GaussianNLLLoss(input, target, var)`,
/// `CTCLoss(logProbs, targets, inputLengths, targetLengths)`) have their own typed call and
/// answer the array form `loss([t0, t1, ...])` in the order of `inputNames`.
public protocol Loss: Sendable {
    /// How per-element (or per-sample) losses are combined (PyTorch: `reduction`).
    var reduction: Reduction { get set }
    /// The names of the tensors the loss takes, in PyTorch's `forward` order
    /// (`["input", "target"]` for most).
    static var inputNames: [String] { get }
    /// The loss of `tensors`, given in the order of `inputNames`; traps on a wrong count.
    func callAsFunction(_ tensors: [Tensor]) -> Tensor
    /// The loss of `input` (the model's output) against `target`, for losses of two tensors;
    /// a loss of more tensors traps, naming the ones it takes.
    func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor
}

extension Loss {
    /// `["input", "target"]`.
    public static var inputNames: [String] { ["input", "target"] }

    /// `self(tensors[0], tensors[1])` for losses of two tensors.
    public func callAsFunction(_ tensors: [Tensor]) -> Tensor {
        checkLossInputs(self, tensors)
        return self(tensors[0], tensors[1])
    }

    /// `self([input, target])`, which traps for a loss of more than two tensors.
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        checkLossInputs(self, [input, target])
        return self([input, target])
    }
}

/// Traps unless `tensors` holds one tensor per name in `L.inputNames`.
func checkLossInputs<L: Loss>(_ loss: L, _ tensors: [Tensor], file: StaticString = #fileID, line: UInt = #line) {
    let names = L.inputNames
    check(tensors.count == names.count, "Loss", "\(L.self) takes \(names.count) tensors (\(names.joined(separator: ", "))), got \(tensors.count)", file: file, line: line)
}

/// Traps unless `input` and `target` have the same shape. PyTorch broadcasts here with a
/// warning, which silently turns `[N, 1]` against `[N]` into an `[N, N]` loss; Ember stops.
func checkSameShape(_ input: Tensor, _ target: Tensor, _ op: StaticString, file: StaticString, line: UInt) {
    check(input.shape == target.shape, op, "input shape \(input.shape) and target shape \(target.shape) must be the same (did you mean to squeeze or unsqueeze one of them?)", file: file, line: line)
}

/// Traps unless `t` is floating point.
func checkFloating(_ t: Tensor, _ what: String, _ op: StaticString, file: StaticString, line: UInt) {
    check(t.dtype.isFloatingPoint, op, "\(what) must be a floating point tensor, got \(t.dtype)", file: file, line: line)
}
