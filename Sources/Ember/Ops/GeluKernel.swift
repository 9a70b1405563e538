import CEmberKernels
#if canImport(Glibc)
import Glibc
#endif

/// The exact GELU, `x·Φ(x)`, through a vectorized kernel: what `Tensor.gelu()` (and so
/// `nn.GELU`, `F.gelu` and a Transformer's `activation: .gelu`) runs for float32 and float64.
///
/// libm's scalar `erff` per element would dominate a Transformer's feed-forward block on the
/// CPU. Here float32 takes Φ from the complementary error function
/// in Numerical Recipes' Chebyshev form (`erfc(z) = t·exp(-z² + P(t))`, relative error below
/// 1.2e-7 for every z ≥ 0, so GELU keeps its relative accuracy for negative inputs too),
/// forward and backward each one vectorized C pass (CEmberKernels); float64 uses libm's `erfc`.
extension Tensor {
    /// GELU, exact (erf) form, `x·Φ(x)`, computed by a vectorized kernel with a hand-written
    /// backward (PyTorch: `F.gelu(x, approximate='none')`); `gelu()` calls it. Float32 and
    /// float64; other dtypes take the generic elementwise path (`UnaryOp.gelu`). When a gradient
    /// is needed, Φ(x) is kept from the forward pass, so the backward needs one `exp` per element.
    func exactGelu(file: StaticString, line: UInt) -> Tensor {
        guard dtype == .float32 || dtype == .float64 else { return unary(.gelu, self, file: file, line: line) }
        let x = isContiguous ? self : convertedCopy()
        let out = Tensor(empty: shape, dtype: dtype)
        let grad = needsGrad(self)
        let cdf = grad ? Tensor(empty: shape, dtype: dtype) : nil
        dtype.visitFloat(GeluForward(x: x, out: out, cdf: cdf))
        if grad, let cdf {
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
                xs.dtype.visitFloat(GeluBackward(x: x, g: gc, cdf: cdf, out: dx))
                return [dx]
            }
        }
        return out
    }
}

/// `out = x·Φ(x)`, and Φ(x) into `cdf` when given.
private struct GeluForward: FloatVisitor {
    let x: Tensor, out: Tensor, cdf: Tensor?
    func visit<T: FloatElement>(_: T.Type) {
        let n = x.numel
        let px = x.pointer(T.self), po = out.pointer(T.self), pc = cdf?.pointer(T.self)
        if T.self == Double.self {
            Parallel.forRange(n, grain: 4096) { r in
                for i in r {
                    let v = px[i].double
                    let e = 0.5 * Glibc.erfc(Swift.abs(v) * 0.70710678118654752440)
                    let phi = v >= 0 ? 1 - e : e
                    pc?[i] = T(double: phi)
                    po[i] = T(double: v * phi)
                }
            }
            return
        }
        let fx = floats(px), fo = floats(po), fc = pc.map { floats($0) }
        Parallel.forRange(n, grain: 1 << 14) { r in
            ember_gelu_f32(fx + r.lowerBound, fo + r.lowerBound, fc.map { $0 + r.lowerBound }, r.count)
        }
    }
}

/// `out = g·(Φ(x) + x·φ(x))` with Φ(x) kept from the forward pass.
private struct GeluBackward: FloatVisitor {
    let x: Tensor, g: Tensor, cdf: Tensor, out: Tensor
    func visit<T: FloatElement>(_: T.Type) {
        let n = x.numel
        let px = x.pointer(T.self), pg = g.pointer(T.self), pc = cdf.pointer(T.self), po = out.pointer(T.self)
        if T.self == Double.self {
            Parallel.forRange(n, grain: 4096) { r in
                for i in r {
                    let v = px[i]
                    po[i] = pg[i] * (pc[i] + v * T.exp(-0.5 * v * v) * 0.3989422804014327)
                }
            }
            return
        }
        let fx = floats(px), fg = floats(pg), fc = floats(pc), fo = floats(po)
        Parallel.forRange(n, grain: 1 << 14) { r in
            let o = r.lowerBound
            ember_gelu_backward_f32(fx + o, fg + o, fc + o, fo + o, r.count)
        }
    }
}
