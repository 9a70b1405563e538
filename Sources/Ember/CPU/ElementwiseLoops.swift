/// Generic elementwise loops. Each takes the per-element function as a closure that the
/// compiler inlines into the caller's specialization, so one loop serves every op and dtype.
/// Contiguous operands take a flat loop (vectorized by the compiler, split across cores above
/// `grain`); anything else walks coalesced strided runs.

/// The element count above which elementwise work is split across cores.
let elementwiseGrain = 1 << 15

/// `out[i] = f(a[i])` over the shape both share. `out` may be any layout (for `copy_`).
@inline(__always)
func mapUnary<A, O>(_ a: Tensor, into out: Tensor, grain: Int = elementwiseGrain, _ f: (A) -> O) {
    let n = out.numel
    if n == 0 { return }
    let pa = a.pointer(A.self), po = out.pointer(O.self)
    if a.isContiguous && out.isContiguous {
        Parallel.forRange(n, grain: grain) { r in
            for i in r { po[i] = f(pa[i]) }
        }
        return
    }
    let (shape, strides) = coalesce(out.shape, [out.strides, a.strides])
    Parallel.forRange(n, grain: grain) { r in
        forEachRun(shape: shape, strides: strides, range: r) { off, count in
            let so = strides[0].last!, sa = strides[1].last!
            var o = po + off[0], x = pa + off[1]
            for _ in 0..<count { o.pointee = f(x.pointee); o += so; x += sa }
        }
    }
}

/// `out[i] = f(a[i], b[i])` where `a` and `b` are already expanded to `out`'s shape
/// (broadcast dimensions have stride 0) and `out` is contiguous.
@inline(__always)
func mapBinary<A, B, O>(_ a: Tensor, _ b: Tensor, into out: Tensor, grain: Int = elementwiseGrain, _ f: (A, B) -> O) {
    let n = out.numel
    if n == 0 { return }
    let pa = a.pointer(A.self), pb = b.pointer(B.self), po = out.pointer(O.self)
    let aContig = a.isContiguous, bContig = b.isContiguous
    if aContig && bContig {
        Parallel.forRange(n, grain: grain) { r in
            for i in r { po[i] = f(pa[i], pb[i]) }
        }
        return
    }
    if aContig && b.strides.allSatisfy({ $0 == 0 }) {
        let s = pb.pointee
        Parallel.forRange(n, grain: grain) { r in
            for i in r { po[i] = f(pa[i], s) }
        }
        return
    }
    if bContig && a.strides.allSatisfy({ $0 == 0 }) {
        let s = pa.pointee
        Parallel.forRange(n, grain: grain) { r in
            for i in r { po[i] = f(s, pb[i]) }
        }
        return
    }
    let (shape, strides) = coalesce(out.shape, [out.strides, a.strides, b.strides])
    Parallel.forRange(n, grain: grain) { r in
        forEachRun(shape: shape, strides: strides, range: r) { off, count in
            let so = strides[0].last!, sa = strides[1].last!, sb = strides[2].last!
            var o = po + off[0], x = pa + off[1], y = pb + off[2]
            if sa == 1 && sb == 0 {
                let s = y.pointee
                for i in 0..<count { o[i] = f(x[i], s) }
                return
            }
            for _ in 0..<count { o.pointee = f(x.pointee, y.pointee); o += so; x += sa; y += sb }
        }
    }
}

/// `out[i] = f(a[i], b[i], c[i])` for three operands expanded to `out`'s contiguous shape.
@inline(__always)
func mapTernary<A, B, C, O>(_ a: Tensor, _ b: Tensor, _ c: Tensor, into out: Tensor, _ f: (A, B, C) -> O) {
    let n = out.numel
    if n == 0 { return }
    let pa = a.pointer(A.self), pb = b.pointer(B.self), pc = c.pointer(C.self), po = out.pointer(O.self)
    let (shape, strides) = coalesce(out.shape, [out.strides, a.strides, b.strides, c.strides])
    Parallel.forRange(n, grain: elementwiseGrain) { r in
        forEachRun(shape: shape, strides: strides, range: r) { off, count in
            let so = strides[0].last!, sa = strides[1].last!, sb = strides[2].last!, sc = strides[3].last!
            var o = po + off[0], x = pa + off[1], y = pb + off[2], z = pc + off[3]
            for _ in 0..<count {
                o.pointee = f(x.pointee, y.pointee, z.pointee)
                o += so; x += sa; y += sb; z += sc
            }
        }
    }
}
