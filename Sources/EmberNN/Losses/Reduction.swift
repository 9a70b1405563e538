/// How a loss combines its per-element values (PyTorch: the `reduction` argument).
public enum Reduction: Sendable, Equatable {
    /// One loss value per element (or per sample), unreduced (PyTorch: `"none"`).
    case none
    /// The average (PyTorch: `"mean"`, the default); weighted losses divide by the total weight.
    case mean
    /// The sum (PyTorch: `"sum"`).
    case sum

    /// `losses` reduced this way.
    func apply(_ losses: Tensor) -> Tensor {
        switch self {
        case .none: return losses
        case .mean: return losses.mean()
        case .sum: return losses.sum()
        }
    }

    /// PyTorch's string for this reduction.
    var pyName: String {
        switch self {
        case .none: return "none"
        case .mean: return "mean"
        case .sum: return "sum"
        }
    }
}

/// A loss of a prediction against a target: the common shape of `MSELoss`,
/// `CrossEntropyLoss`, `BCEWithLogitsLoss` and the others, for code that takes any loss.
///
/// ```swift
/// func evaluate(_ model: Module, _ loss: some Loss, _ x: Tensor, _ y: Tensor) -> Double {
///     withNoGrad { loss(model(x), y).item() }
/// }
/// ```
public protocol Loss {
    /// The loss of `input` (the model's output) against `target`.
    func callAsFunction(_ input: Tensor, _ target: Tensor) -> Tensor
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
