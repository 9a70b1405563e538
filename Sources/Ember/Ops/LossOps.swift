/// Loss kernels whose gradient PyTorch defines by its own formula rather than by the chain
/// rule through their forward (which would meet 0 · ∞ at the edges of their domain).

/// Per-element binary cross-entropy of probabilities `x` against targets `y`,
/// `-(y log x + (1 - y) log(1 - x))` with each log clamped to at least -100 (PyTorch's
/// `binary_cross_entropy` with `reduction='none'`, no weight). Its gradient with respect to
/// `x` is PyTorch's, `(x - y) / max(x (1 - x), ε)` with ε = 1e-12 as a float32 (PyTorch's
/// `EPSILON`, also for float64): finite at `x` = 0 and 1, where the
/// chain rule through the clamped logs gives NaN. A target that requires grad gets
/// `log(1 - x) - log x` (each clamped as in the forward).
/// PyTorch's `EPSILON` in the binary cross-entropy backward: 1e-12 rounded to float32.
private let bceEpsilon = Double(Float(1e-12))

package func binaryCrossEntropyElements(_ x: Tensor, _ y: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let out = withNoGrad {
        (y - 1) * (-x).log1p().clamp(min: -100) - y * x.log().clamp(min: -100)
    }
    if needsGrad(x, y) {
        let sx = SavedTensor(x, op: "BinaryCrossEntropyBackward0"), sy = SavedTensor(y, op: "BinaryCrossEntropyBackward0")
        let xNeeds = x.requiresGrad, yNeeds = y.requiresGrad
        record("BinaryCrossEntropyBackward0", out, x, y, file: file, line: line) { g in
            let x = sx.value, y = sy.value
            let gx = xNeeds ? g * (x - y) / (x * (1 - x)).clamp(min: bceEpsilon) : nil
            let gy = yNeeds ? g * ((-x).log1p().clamp(min: -100) - x.log().clamp(min: -100)) : nil
            return [gx, gy]
        }
    }
    return out
}
