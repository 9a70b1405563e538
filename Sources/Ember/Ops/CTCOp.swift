#if canImport(Glibc)
import Glibc
#endif

/// Connectionist temporal classification: the negative log-likelihood of each target sequence
/// under per-frame class log-probabilities, by the forward-backward recursion in log space
/// (Graves et al. 2006), with its gradient from the same pass. EmberNN's `ctcLoss` reduces it.
///
/// The gradient is the true derivative of the loss with respect to `logProbs`,
/// `-exp(log Σ αβ + nll - logProbs)`, αβ summed over the positions of each class. PyTorch's
/// CTC backward adds `exp(logProbs)` to it, which is only the gradient once it flows back
/// through a `log_softmax` (where the two agree exactly); Ember keeps the plain derivative, so
/// gradcheck holds on any input.

/// Per-sample CTC losses `[N]` for `logProbs` `[T, N, C]`, `targets` padded `[N, S]` or
/// concatenated `[Σ targetLengths]` (int64 or int32), and the lengths per sample. Infinite
/// losses (no alignment fits) become 0 with a zero gradient when `zeroInfinity`.
package func ctcNegativeLogLikelihood(
    _ logProbs: Tensor, _ targets: Tensor, inputLengths: [Int], targetLengths: [Int], blank: Int, zeroInfinity: Bool,
    file: StaticString, line: UInt
) -> Tensor {
    let op: StaticString = "ctcLoss"
    check(logProbs.dim == 3, op, "logProbs must be [T, N, C], got shape \(logProbs.shape)", file: file, line: line)
    check(logProbs.dtype == .float32 || logProbs.dtype == .float64, op, "logProbs must be float32 or float64, got \(logProbs.dtype)", file: file, line: line)
    let (steps, batch, classes) = (logProbs.shape[0], logProbs.shape[1], logProbs.shape[2])
    check(blank >= 0 && blank < classes, op, "blank \(blank) must be a class index in 0..<\(classes)", file: file, line: line)
    check(inputLengths.count == batch && targetLengths.count == batch, op, "expected \(batch) input lengths and \(batch) target lengths, got \(inputLengths.count) and \(targetLengths.count)", file: file, line: line)
    check(targets.dtype == .int64 || targets.dtype == .int32, op, "targets must be int64 or int32 class indices, got \(targets.dtype)", file: file, line: line)
    let padded = targets.dim == 2
    check(padded || targets.dim == 1, op, "targets must be padded [N, S] or concatenated [sum(targetLengths)], got shape \(targets.shape)", file: file, line: line)
    if padded {
        check(targets.shape[0] == batch, op, "padded targets \(targets.shape) must have \(batch) rows, one per sample", file: file, line: line)
    } else {
        check(targets.numel == targetLengths.reduce(0, +), op, "concatenated targets have \(targets.numel) labels but targetLengths sum to \(targetLengths.reduce(0, +))", file: file, line: line)
    }
    let labels = targets.toArray(as: Int64.self).map(Int.init)
    var starts = [Int](repeating: 0, count: batch)
    for n in 0..<batch {
        check(inputLengths[n] >= 0 && inputLengths[n] <= steps, op, "input length \(inputLengths[n]) of sample \(n) must be in 0...\(steps) (T)", file: file, line: line)
        let limit = padded ? targets.shape[1] : Int.max
        check(targetLengths[n] >= 0 && targetLengths[n] <= limit, op, "target length \(targetLengths[n]) of sample \(n) must be in 0...\(limit)", file: file, line: line)
        starts[n] = padded ? n * targets.shape[1] : (n == 0 ? 0 : starts[n - 1] + targetLengths[n - 1])
        for s in 0..<targetLengths[n] where labels[starts[n] + s] < 0 || labels[starts[n] + s] >= classes {
            emberFailure(op, "target \(labels[starts[n] + s]) of sample \(n) is out of range for \(classes) classes", file: file, line: line)
        }
    }
    let lp = logProbs.detach().toArray(as: Double.self)
    let wantGrad = needsGrad(logProbs)
    var losses = [Double](repeating: 0, count: batch)
    var grad = wantGrad ? [Double](repeating: 0, count: lp.count) : []
    for n in 0..<batch {
        let sample = CTCSample(lp: lp, batch: batch, classes: classes, sample: n, length: inputLengths[n],
                               labels: Array(labels[starts[n]..<starts[n] + targetLengths[n]]), blank: blank)
        var nll = sample.negativeLogLikelihood()
        let infinite = nll.isInfinite
        if infinite && zeroInfinity { nll = 0 }
        losses[n] = nll
        if wantGrad && !(infinite && zeroInfinity) { sample.addGradient(nll: nll, into: &grad) }
    }
    let out = Tensor(losses, shape: [batch], dtype: logProbs.dtype)
    if wantGrad {
        let dLoss = Tensor(grad, shape: logProbs.shape, dtype: logProbs.dtype)
        record("CtcLossBackward0", out, logProbs, file: file, line: line) { g in
            [g.reshape([1, batch, 1]) * dLoss]
        }
    }
    return out
}

/// One sample's forward (α) and backward (β) variables over the blank-extended label sequence
/// `l' = [blank, l₁, blank, l₂, ..., blank]`, both in log space and both including the
/// emission at their own frame.
private struct CTCSample {
    let lp: [Double], batch: Int, classes: Int, sample: Int, length: Int, blank: Int
    let extended: [Int]
    var alpha: [Double] = [], beta: [Double] = []

    init(lp: [Double], batch: Int, classes: Int, sample: Int, length: Int, labels: [Int], blank: Int) {
        (self.lp, self.batch, self.classes, self.sample, self.length, self.blank) = (lp, batch, classes, sample, length, blank)
        var ext = [blank]
        for l in labels { ext += [l, blank] }
        extended = ext
        computeAlphaBeta()
    }

    /// `logProbs[t, sample, c]`.
    func logProb(_ t: Int, _ c: Int) -> Double { lp[(t * batch + sample) * classes + c] }

    /// Whether the path may skip from position `s - 2` to `s` (a label differing from the
    /// label two positions back, so no blank is needed between them).
    func canSkip(_ s: Int) -> Bool { s >= 2 && extended[s] != blank && extended[s] != extended[s - 2] }

    mutating func computeAlphaBeta() {
        let width = extended.count, ninf = -Double.infinity
        alpha = [Double](repeating: ninf, count: length * width)
        beta = alpha
        guard length > 0 else { return }
        alpha[0] = logProb(0, blank)
        if width > 1 { alpha[1] = logProb(0, extended[1]) }
        for t in 1..<Swift.max(length, 1) {
            for s in 0..<width {
                var a = alpha[(t - 1) * width + s]
                if s >= 1 { a = logAddExp(a, alpha[(t - 1) * width + s - 1]) }
                if canSkip(s) { a = logAddExp(a, alpha[(t - 1) * width + s - 2]) }
                alpha[t * width + s] = a + logProb(t, extended[s])
            }
        }
        let last = length - 1
        beta[last * width + width - 1] = logProb(last, blank)
        if width > 1 { beta[last * width + width - 2] = logProb(last, extended[width - 2]) }
        for t in stride(from: last - 1, through: 0, by: -1) {
            for s in 0..<width {
                var b = beta[(t + 1) * width + s]
                if s + 1 < width { b = logAddExp(b, beta[(t + 1) * width + s + 1]) }
                if s + 2 < width && canSkip(s + 2) { b = logAddExp(b, beta[(t + 1) * width + s + 2]) }
                beta[t * width + s] = b + logProb(t, extended[s])
            }
        }
    }

    /// `-log p(labels | logProbs)`: infinite when no alignment fits in `length` frames.
    func negativeLogLikelihood() -> Double {
        let width = extended.count
        guard length > 0 else { return width == 1 ? 0 : .infinity }
        let row = (length - 1) * width
        let end = width > 1 ? logAddExp(alpha[row + width - 1], alpha[row + width - 2]) : alpha[row]
        return -end
    }

    /// Adds `d nll / d logProbs[t, sample, c]` for `t < length` into `grad`; NaN for every class
    /// of those frames when the loss is infinite (as PyTorch's gradient without `zero_infinity`).
    func addGradient(nll: Double, into grad: inout [Double]) {
        let width = extended.count
        for t in 0..<length {
            var posterior = [Double](repeating: -.infinity, count: classes)
            for s in 0..<width {
                let c = extended[s]
                posterior[c] = logAddExp(posterior[c], alpha[t * width + s] + beta[t * width + s])
            }
            for c in 0..<classes {
                let index = (t * batch + sample) * classes + c
                if nll.isInfinite { grad[index] = .nan; continue }
                guard posterior[c] > -.infinity else { continue }
                grad[index] = -Glibc.exp(posterior[c] + nll - logProb(t, c))
            }
        }
    }
}

/// `log(eᵃ + eᵇ)`, exact when either is -∞.
@inline(__always)
private func logAddExp(_ a: Double, _ b: Double) -> Double {
    if a == -.infinity { return b }
    if b == -.infinity { return a }
    let m = Swift.max(a, b)
    return m + Glibc.log1p(Glibc.exp(-Swift.abs(a - b)))
}
