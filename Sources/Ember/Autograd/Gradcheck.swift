/// The outcome of `gradcheck`: whether every analytical derivative matched its finite
/// difference, the worst mismatch, and a message locating it.
public struct GradcheckResult: Sendable, CustomStringConvertible {
    /// True when every entry of every Jacobian matched within tolerance.
    public let passed: Bool
    /// The largest |analytical - numerical| seen.
    public let maxAbsError: Double
    /// Where the worst mismatch was, or "ok".
    public let description: String
}

/// Compares the gradients autograd computes for `f` with central finite differences, as
/// PyTorch's `torch.autograd.gradcheck` does: for every output element and every input
/// element, `|analytical - numerical| <= atol + rtol * |numerical|`. Inputs should be float64
/// tensors that require grad (non-contiguous and broadcast layouts are fine); they are
/// perturbed in place and restored.
public func gradcheck(
    _ f: ([Tensor]) -> Tensor, inputs: [Tensor],
    eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3
) -> GradcheckResult {
    let output = f(inputs)
    let outCount = output.numel
    let differentiable = inputs.indices.filter { inputs[$0].requiresGrad }

    // Analytical Jacobian rows: one vector-Jacobian product per output element.
    var analytical: [[[Double]]] = differentiable.map { _ in [] }  // [input][outElem][inElem]
    for j in 0..<outCount {
        var seed = [Double](repeating: 0, count: outCount)
        seed[j] = 1
        let gradOutput = Tensor(seed, shape: output.shape, dtype: output.dtype)
        let grads = output.requiresGrad
            ? grad(outputs: [output], inputs: differentiable.map { inputs[$0] }, gradOutputs: [gradOutput], retainGraph: true, allowUnused: true)
            : differentiable.map { _ in nil }
        for (k, i) in differentiable.enumerated() {
            analytical[k].append(grads[k]?.toArray(as: Double.self) ?? [Double](repeating: 0, count: inputs[i].numel))
        }
    }

    // Numerical Jacobian columns: perturb each input element by ±eps.
    var worst = 0.0
    var message = "ok"
    var passed = true
    for (k, i) in differentiable.enumerated() {
        let x = inputs[i]
        for e in 0..<x.numel {
            let original = x.elementRaw(e)
            x.setElementRaw(e, original + eps)
            let plus = withNoGrad { f(inputs).toArray(as: Double.self) }
            x.setElementRaw(e, original - eps)
            let minus = withNoGrad { f(inputs).toArray(as: Double.self) }
            x.setElementRaw(e, original)
            for j in 0..<outCount {
                let numerical = (plus[j] - minus[j]) / (2 * eps)
                let a = analytical[k][j][e]
                let err = Swift.abs(a - numerical)
                if err > worst { worst = err }
                if !(err <= atol + rtol * Swift.abs(numerical)) && passed {
                    passed = false
                    message = "Jacobian mismatch for output element \(j) with respect to input \(i) element \(e): numerical \(numerical), analytical \(a)"
                }
            }
        }
    }
    return GradcheckResult(passed: passed, maxAbsError: worst, description: message)
}

/// Checks second derivatives by running `gradcheck` on the function that maps the inputs to
/// their first gradients (computed with `createGraph: true`) (PyTorch: `gradgradcheck`).
public func gradgradcheck(
    _ f: @escaping ([Tensor]) -> Tensor, inputs: [Tensor],
    eps: Double = 1e-6, atol: Double = 1e-5, rtol: Double = 1e-3
) -> GradcheckResult {
    let first: ([Tensor]) -> Tensor = { xs in withGrad {
        let y = f(xs)
        let gs = grad(outputs: [y.sum()], inputs: xs.filter(\.requiresGrad), createGraph: true, allowUnused: true)
        let parts = zip(xs.filter(\.requiresGrad), gs).map { x, g in (g ?? Tensor.zerosLike(x)).reshape([-1]) }
        return Tensor.cat(parts)
    } }
    return gradcheck(first, inputs: inputs, eps: eps, atol: atol, rtol: rtol)
}

extension Tensor {
    /// Storage offset of the `e`-th element in row-major order.
    func storageIndex(ofElement e: Int) -> Int {
        var rem = e, idx = offset
        for d in stride(from: dim - 1, through: 0, by: -1) {
            idx += (rem % shape[d]) * strides[d]
            rem /= shape[d]
        }
        return idx
    }

    /// Reads element `e` (row-major) as a Double, ignoring autograd.
    func elementRaw(_ e: Int) -> Double {
        Tensor(storage: storage, shape: [], strides: [], offset: storageIndex(ofElement: e), dtype: dtype).item()
    }

    /// Overwrites element `e` (row-major), ignoring autograd and version counting.
    func setElementRaw(_ e: Int, _ v: Double) {
        Tensor(storage: storage, shape: [], strides: [], offset: storageIndex(ofElement: e), dtype: dtype).fillRaw(v)
    }
}
