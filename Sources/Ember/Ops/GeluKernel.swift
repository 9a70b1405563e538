import CEmberKernels
#if canImport(Glibc)
import Glibc
#endif

/// The exact GELU, `x·Φ(x)`, through a vectorized kernel.
///
/// `Tensor.gelu()` calls libm's scalar `erff` per element, which dominates a Transformer's
/// feed-forward block on the CPU. Here float32 takes Φ from the complementary error function
/// in Numerical Recipes' Chebyshev form (`erfc(z) = t·exp(-z² + P(t))`, relative error below
/// 1.2e-7 for every z ≥ 0, so GELU keeps its relative accuracy for negative inputs too),
/// evaluated in blocks with the vector `exp`; float64 uses libm's `erfc`.
extension Tensor {
    /// GELU, exact (erf) form, `x·Φ(x)`: the values of `gelu()` to float32 rounding, computed by
    /// a vectorized kernel with a hand-written backward (PyTorch: `F.gelu(x, approximate='none')`).
    /// Float32 and float64; other dtypes use `gelu()`.
    public func fastGelu(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard dtype == .float32 || dtype == .float64 else { return gelu(file: file, line: line) }
        let x = isContiguous ? self : convertedCopy()
        let out = Tensor(empty: shape, dtype: dtype)
        dtype.visitFloat(GeluKernel(x: x, g: nil, out: out))
        if needsGrad(self) {
            let saved = SavedTensor(self, op: "GeluBackward0")
            record("GeluBackward0", out, self, file: file, line: line) { g in
                let xs = saved.value
                if GradMode.isEnabled {
                    let cdf = (1 + (xs * 0.70710678118654752440).erf()) * 0.5
                    let pdf = (xs.square() * -0.5).exp() * 0.3989422804014327
                    return [g * (cdf + xs * pdf)]
                }
                let gc = g.isContiguous ? g : g.convertedCopy()
                let dx = Tensor(empty: xs.shape, dtype: xs.dtype)
                xs.dtype.visitFloat(GeluKernel(x: x, g: gc, out: dx))
                return [dx]
            }
        }
        return out
    }
}

/// `out = x·Φ(x)` (forward), or `out = g·(Φ(x) + x·φ(x))` (backward, when `g` is given).
private struct GeluKernel: FloatVisitor {
    let x: Tensor, g: Tensor?, out: Tensor
    func visit<T: FloatElement>(_: T.Type) {
        let n = x.numel
        let px = x.pointer(T.self), po = out.pointer(T.self), pg = g?.pointer(T.self)
        if T.self == Double.self {
            Parallel.forRange(n, grain: 4096) { r in
                for i in r {
                    let v = px[i].double
                    let e = 0.5 * Glibc.erfc(Swift.abs(v) * 0.70710678118654752440)
                    let cdf = v >= 0 ? 1 - e : e
                    po[i] = T(double: pg.map { $0[i].double * (cdf + v * Glibc.exp(-0.5 * v * v) * 0.3989422804014327) } ?? v * cdf)
                }
            }
            return
        }
        let fx = UnsafeMutableRawPointer(px).assumingMemoryBound(to: Float.self)
        let fo = UnsafeMutableRawPointer(po).assumingMemoryBound(to: Float.self)
        let fg = pg.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) }
        Parallel.forRange((n + 255) / 256, grain: 32) { blocks in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 512) { scratch in
                let a = scratch.baseAddress!, b = a + 256
                for block in blocks {
                    let start = block * 256, count = Swift.min(256, n - start)
                    let xs = fx + start, os = fo + start
                    // a = -z² + P(t), t = 1/(1 + z/2), z = |x|/√2; b = -x²/2 (for φ in backward).
                    for j in 0..<count {
                        let z = Swift.abs(xs[j]) * 0.70710678
                        let t = 1 / (1 + 0.5 * z)
                        var p: Float = 0.17087277
                        p = p * t - 0.82215223
                        p = p * t + 1.48851587
                        p = p * t - 1.13520398
                        p = p * t + 0.27886807
                        p = p * t - 0.18628806
                        p = p * t + 0.09678418
                        p = p * t + 0.37409196
                        p = p * t + 1.00002368
                        a[j] = -z * z - 1.26551223 + t * p
                        b[j] = -z * z
                    }
                    ember_exp_f32(a, a, count)
                    if let fg {
                        ember_exp_f32(b, b, count)
                        let gs = fg + start
                        for j in 0..<count {
                            let v = xs[j]
                            let e = 0.5 / (1 + 0.5 * Swift.abs(v) * 0.70710678) * a[j]
                            let cdf = v >= 0 ? 1 - e : e
                            os[j] = gs[j] * (cdf + v * b[j] * 0.39894228)
                        }
                    } else {
                        for j in 0..<count {
                            let v = xs[j]
                            let e = 0.5 / (1 + 0.5 * Swift.abs(v) * 0.70710678) * a[j]
                            os[j] = v * (v >= 0 ? 1 - e : e)
                        }
                    }
                }
            }
        }
    }
}
