/// The minimizer of the cubic through two points with values `f` and slopes `g`, clamped to
/// `bounds` (the interval itself when nil) (PyTorch: `torch.optim.lbfgs._cubic_interpolate`).
func cubicInterpolate(
    _ x1: Double, _ f1: Double, _ g1: Double, _ x2: Double, _ f2: Double, _ g2: Double,
    bounds: (Double, Double)? = nil
) -> Double {
    let (lo, hi) = bounds ?? (x1 <= x2 ? (x1, x2) : (x2, x1))
    let d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    let d2Square = d1 * d1 - g1 * g2
    guard d2Square >= 0 else { return (lo + hi) / 2 }
    let d2 = d2Square.squareRoot()
    let minPos = x1 <= x2
        ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return Swift.min(Swift.max(minPos, lo), hi)
}

/// A line search along `d` from step `t` for a step satisfying the strong Wolfe conditions
/// (PyTorch: `torch.optim.lbfgs._strong_wolfe`, transcribed branch for branch). `evaluate(t)`
/// returns the loss and flat gradient at the current parameters plus `t * d`.
/// Returns the loss, flat gradient and step found, and the number of evaluations.
func strongWolfe(
    _ evaluate: (Double) -> (Double, Tensor), t start: Double, d: Tensor, f: Double, g: Tensor, gtd: Double,
    c1: Double = 1e-4, c2: Double = 0.9, toleranceChange: Double = 1e-9, maxLS: Int = 25
) -> (loss: Double, grad: Tensor, t: Double, evaluations: Int) {
    let dNorm = d.abs().max().item()
    let g = g.clone()
    var t = start
    var (fNew, gNew) = evaluate(t)
    var evaluations = 1
    var gtdNew = gNew.dot(d).item()
    var (tPrev, fPrev, gPrev, gtdPrev) = (0.0, f, g, gtd)
    var done = false
    var lsIter = 0
    var bracket: [Double] = [], bracketF: [Double] = [], bracketG: [Tensor] = [], bracketGtd: [Double] = []

    // Bracketing phase.
    while lsIter < maxLS {
        if fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev) {
            (bracket, bracketF, bracketG, bracketGtd) = ([tPrev, t], [fPrev, fNew], [gPrev, gNew.clone()], [gtdPrev, gtdNew])
            break
        }
        if Swift.abs(gtdNew) <= -c2 * gtd {
            (bracket, bracketF, bracketG) = ([t], [fNew], [gNew])
            done = true
            break
        }
        if gtdNew >= 0 {
            (bracket, bracketF, bracketG, bracketGtd) = ([tPrev, t], [fPrev, fNew], [gPrev, gNew.clone()], [gtdPrev, gtdNew])
            break
        }
        let minStep = t + 0.01 * (t - tPrev), maxStep = t * 10
        let previous = t
        t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, bounds: (minStep, maxStep))
        (tPrev, fPrev, gPrev, gtdPrev) = (previous, fNew, gNew.clone(), gtdNew)
        (fNew, gNew) = evaluate(t)
        evaluations += 1
        gtdNew = gNew.dot(d).item()
        lsIter += 1
    }
    if lsIter == maxLS {
        (bracket, bracketF, bracketG) = ([0, t], [f, fNew], [g, gNew])
    }

    // Zoom phase: shrink the bracket until a point satisfies the conditions.
    var insufficientProgress = false
    var (low, high) = bracketF[0] <= bracketF[bracketF.count - 1] ? (0, 1) : (1, 0)
    while !done && lsIter < maxLS {
        if Swift.abs(bracket[1] - bracket[0]) * dNorm < toleranceChange { break }
        t = cubicInterpolate(bracket[0], bracketF[0], bracketGtd[0], bracket[1], bracketF[1], bracketGtd[1])
        let top = Swift.max(bracket[0], bracket[1]), bottom = Swift.min(bracket[0], bracket[1])
        let eps = 0.1 * (top - bottom)
        if Swift.min(top - t, t - bottom) < eps {
            if insufficientProgress || t >= top || t <= bottom {
                t = Swift.abs(t - top) < Swift.abs(t - bottom) ? top - eps : bottom + eps
                insufficientProgress = false
            } else {
                insufficientProgress = true
            }
        } else {
            insufficientProgress = false
        }
        (fNew, gNew) = evaluate(t)
        evaluations += 1
        gtdNew = gNew.dot(d).item()
        lsIter += 1
        if fNew > f + c1 * t * gtd || fNew >= bracketF[low] {
            (bracket[high], bracketF[high], bracketG[high], bracketGtd[high]) = (t, fNew, gNew.clone(), gtdNew)
            (low, high) = bracketF[0] <= bracketF[1] ? (0, 1) : (1, 0)
        } else {
            if Swift.abs(gtdNew) <= -c2 * gtd {
                done = true
            } else if gtdNew * (bracket[high] - bracket[low]) >= 0 {
                (bracket[high], bracketF[high], bracketG[high], bracketGtd[high]) = (bracket[low], bracketF[low], bracketG[low], bracketGtd[low])
            }
            (bracket[low], bracketF[low], bracketG[low], bracketGtd[low]) = (t, fNew, gNew.clone(), gtdNew)
        }
    }
    return (bracketF[low], bracketG[low], bracket[low], evaluations)
}
