/// Thrown by `clipGradNorm_(_:maxNorm:normType:errorIfNonfinite:)` when the total gradient
/// norm is NaN or infinite and `errorIfNonfinite` is set (PyTorch raises `RuntimeError`).
public struct NonFiniteNormError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The order of the norm that was computed.
    public let normType: Double
    /// The norm: NaN or ±infinity.
    public let totalNorm: Double

    /// PyTorch's message.
    public var description: String {
        "the total norm of order \(normType) for gradients from `parameters` is non-finite (\(totalNorm)), so it cannot be clipped; to scale the gradients by the non-finite norm anyway, pass errorIfNonfinite: false"
    }
}

/// Scales the gradients of `parameters` in place so that their total `normType`-norm (all
/// gradients as one vector) is at most `maxNorm`, and returns the total norm before
/// clipping (PyTorch: `torch.nn.utils.clip_grad_norm_`).
///
/// Parameters without a gradient are ignored; with none, the norm is 0. `normType` may be
/// any positive number or `.infinity`. The scale is `min(1, maxNorm / (norm + 1e-6))`, as in
/// PyTorch. With `errorIfNonfinite`, a NaN or infinite norm throws `NonFiniteNormError`
/// and leaves the gradients untouched.
///
/// ```swift
/// loss.backward()
/// let norm = try clipGradNorm_(parameters, maxNorm: 1.0)
/// optimizer.step()
/// ```
@discardableResult
public func clipGradNorm_(
    _ parameters: [Tensor], maxNorm: Double, normType: Double = 2, errorIfNonfinite: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) throws(NonFiniteNormError) -> Tensor {
    check(normType > 0, "clipGradNorm_", "normType must be positive or .infinity, got \(normType)", file: file, line: line)
    let grads = parameters.compactMap(\.grad)
    if grads.isEmpty { return Tensor(scalar: Float(0)) }
    let total: Tensor = withNoGrad {
        if normType == .infinity {
            let norms = grads.map { $0.detach().abs().max() }
            return norms.count == 1 ? norms[0] : Tensor.stack(norms).max()
        }
        return Tensor.stack(grads.map { $0.detach().norm(p: normType) }).norm(p: normType)
    }
    let value = total.item()
    if errorIfNonfinite && !value.isFinite { throw NonFiniteNormError(normType: normType, totalNorm: value) }
    withNoGrad {
        let coef = (maxNorm / (total + 1e-6)).clamp(max: 1.0)
        for g in grads { g.detach().mul_(coef.to(g.dtype)) }
    }
    return total
}

/// Limits every gradient element of `parameters` to `[-clipValue, clipValue]` in place
/// (PyTorch: `torch.nn.utils.clip_grad_value_`).
///
/// ```swift
/// clipGradValue_(parameters, clipValue: 0.5)
/// ```
public func clipGradValue_(_ parameters: [Tensor], clipValue: Double) {
    withNoGrad {
        for p in parameters { p.grad?.detach().clamp_(min: -clipValue, max: clipValue) }
    }
}
