/// Generic elementwise loops. The per-element function is a small struct (a functor) whose
/// type the loop is specialized for, so the call is inlined and the loop vectorized even in
/// the chunks that run on other threads; a closure there would be an opaque call per element.
/// Contiguous operands take a flat loop (split across cores above `grain`); anything else
/// walks coalesced strided runs. Closure overloads remain for cold paths.

/// A per-element function of one value.
protocol UnaryMap {
    associatedtype In
    associatedtype Out
    func callAsFunction(_ x: In) -> Out
}

/// A per-element function of two values.
protocol BinaryMap {
    associatedtype In1
    associatedtype In2
    associatedtype Out
    func callAsFunction(_ x: In1, _ y: In2) -> Out
}

/// Adapts a closure to `UnaryMap` (cold paths only: the call is not inlined).
struct UnaryClosure<In, Out>: UnaryMap {
    let f: (In) -> Out
    @inline(__always) func callAsFunction(_ x: In) -> Out { f(x) }
}

/// Adapts a closure to `BinaryMap` (cold paths only).
struct BinaryClosure<In1, In2, Out>: BinaryMap {
    let f: (In1, In2) -> Out
    @inline(__always) func callAsFunction(_ x: In1, _ y: In2) -> Out { f(x, y) }
}

@inline(__always)
func mapUnary<A, O>(_ a: Tensor, into out: Tensor, grain: Int = elementwiseGrain, _ f: (A) -> O) {
    withoutActuallyEscaping(f) { f in mapUnary(a, into: out, grain: grain, UnaryClosure(f: f)) }
}

@inline(__always)
func mapBinary<A, B, O>(_ a: Tensor, _ b: Tensor, into out: Tensor, grain: Int = elementwiseGrain, _ f: (A, B) -> O) {
    withoutActuallyEscaping(f) { f in mapBinary(a, b, into: out, grain: grain, BinaryClosure(f: f)) }
}

/// The element count above which elementwise work is split across cores.
let elementwiseGrain = 1 << 15

/// `out[i] = f(a[i])` over the shape both share. `out` may be any layout (for `copy_`).
@inline(__always)
func mapUnary<F: UnaryMap>(_ a: Tensor, into out: Tensor, grain: Int = elementwiseGrain, _ f: F) {
    typealias A = F.In
    typealias O = F.Out
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
func mapBinary<F: BinaryMap>(_ a: Tensor, _ b: Tensor, into out: Tensor, grain: Int = elementwiseGrain, _ f: F) {
    typealias A = F.In1
    typealias B = F.In2
    typealias O = F.Out
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
    // One operand contiguous, the other one contiguous block repeated along the leading dims
    // (adding a bias to every row): loop over rows without strided bookkeeping.
    if aContig, let k = repeatedBlockLength(b), k > 1 {
        Parallel.forRange(n / k, grain: Swift.max(1, grain / k)) { rows in
            for r in rows {
                let o = po + r * k, x = pa + r * k
                for j in 0..<k { o[j] = f(x[j], pb[j]) }
            }
        }
        return
    }
    if bContig, let k = repeatedBlockLength(a), k > 1 {
        Parallel.forRange(n / k, grain: Swift.max(1, grain / k)) { rows in
            for r in rows {
                let o = po + r * k, y = pb + r * k
                for j in 0..<k { o[j] = f(pa[j], y[j]) }
            }
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

/// If `t` is a contiguous block of trailing dims broadcast (stride 0) along all leading dims,
/// the block's length; otherwise nil.
@inline(__always)
func repeatedBlockLength(_ t: Tensor) -> Int? {
    var expected = 1
    var i = t.dim - 1
    while i >= 0 && (t.shape[i] == 1 || t.strides[i] == expected) {
        expected *= t.shape[i]
        i -= 1
    }
    while i >= 0 {
        if t.strides[i] != 0 && t.shape[i] != 1 { return nil }
        i -= 1
    }
    return expected
}
