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
    /// A failed check names `file`:`line` (each loss gives them the caller's location by
    /// default: implement this with `file: StaticString = #fileID, line: UInt = #line`).
    func callAsFunction(_ tensors: [Tensor], file: StaticString, line: UInt) -> Tensor
    /// The loss of `input` (the model's output) against `target`, for losses of two tensors;
    /// a loss of more tensors traps, naming the ones it takes. Implement it with
    /// `file: StaticString = #fileID, line: UInt = #line`, so `loss(output, y)` reports the
    /// caller's line when a check fails.
    func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor
}

extension Loss {
    /// `["input", "target"]`.
    public static var inputNames: [String] { ["input", "target"] }

    /// `self(tensors[0], tensors[1])` for losses of two tensors.
    public func callAsFunction(_ tensors: [Tensor], file: StaticString, line: UInt) -> Tensor {
        checkLossInputs(self, tensors, file: file, line: line)
        return self(tensors[0], tensors[1], file: file, line: line)
    }

    /// For a loss of more than two tensors: traps, naming the tensors it takes. (A loss of
    /// two tensors implements this itself; one that does not is named in the message.)
    public func callAsFunction(_ input: Tensor, _ target: Tensor, file: StaticString, line: UInt) -> Tensor {
        checkLossInputs(self, [input, target], file: file, line: line)
        emberFailure("Loss", "\(Self.self) does not implement callAsFunction(_:_:file:line:)", file: file, line: line)
    }

    /// `loss([t0, t1, ...])` for code that holds the loss as a generic or `any Loss`.
    public func callAsFunction(_ tensors: [Tensor]) -> Tensor {
        self(tensors, file: #fileID, line: #line)
    }

    /// `loss(input, target)` for code that holds the loss as a generic or `any Loss` (a
    /// concrete loss's own call, which takes the caller's location, is picked otherwise).
    public func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor {
        self(input, target, file: #fileID, line: #line)
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
