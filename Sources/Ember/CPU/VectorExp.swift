import CEmberKernels

/// `out = exp(x)`. Contiguous float32 goes to the C kernel built for AVX-512, AVX2 or SSE and
/// chosen at load time (libm's scalar `expf` does not vectorize; PyTorch uses SLEEF for the
/// same reason); other layouts and dtypes use libm.
@inline(__always)
func vectorExp<T: FloatElement>(_ x: Tensor, into out: Tensor, _: T.Type) {
    if T.self == Float.self && x.isContiguous && out.isContiguous {
        let px = x.pointer(Float.self), po = out.pointer(Float.self)
        Parallel.forRange(x.numel, grain: 1 << 14) { r in
            ember_exp_f32(px + r.lowerBound, po + r.lowerBound, r.count)
        }
        return
    }
    mapUnary(x, into: out, grain: 4096, FloatFn<T, ExpTag>())
}

enum ExpTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { T.exp(v) } }
