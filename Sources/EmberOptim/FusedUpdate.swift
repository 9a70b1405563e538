#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

/// Pointers to the elements one fused update reads and writes: a parameter, its gradient and
/// up to four state buffers, all contiguous and of one float type. Unused buffers point at
/// the parameter and are never touched.
struct UpdateBuffers<T> {
    let param: UnsafeMutablePointer<T>
    let grad: UnsafeMutablePointer<T>
    let s0: UnsafeMutablePointer<T>
    let s1: UnsafeMutablePointer<T>
    let s2: UnsafeMutablePointer<T>
    let s3: UnsafeMutablePointer<T>
}

/// One optimizer's per-element update math, written once and run over all elements of a
/// parameter in a single pass: eight elements at a time as SIMD vectors, the tail one by one
/// (the same IEEE operations lane by lane, so every element gets bit-identical results
/// wherever it falls), in parallel chunks for big tensors.
///
/// PyTorch's single-tensor path runs the same math as a sequence of whole-tensor ops
/// (`exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)`, ...), each a full pass over memory and
/// some allocating temporaries; here each element's parameter, gradient and state are loaded
/// once and written once. Each kernel follows PyTorch's order of operations and rounds its
/// scalars to the element type as PyTorch's CPU kernels do, so float32 results agree with
/// PyTorch to rounding.
protocol FusedUpdate {
    /// Updates the `V.width` elements starting at `i`.
    func apply<V: FloatLanes>(_ b: UpdateBuffers<V.Scalar>, _ i: Int, _: V.Type)
}

/// A float or a SIMD vector of floats: what a `FusedUpdate` kernel computes with.
protocol FloatLanes {
    associatedtype Scalar: BinaryFloatingPoint
    static var width: Int { get }
    init(splat: Scalar)
    static func load(_ p: UnsafeMutablePointer<Scalar>, _ i: Int) -> Self
    func store(_ p: UnsafeMutablePointer<Scalar>, _ i: Int)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    /// The square root of every lane (a vector instruction where the CPU has one: Swift's
    /// `squareRoot()` on SIMD types calls libm once per lane on Linux).
    func sqrtLanes() -> Self
    var magnitude: Self { get }
    /// The larger of `a` and `b`, NaN if either is NaN (PyTorch: `torch.maximum`).
    static func maximum(_ a: Self, _ b: Self) -> Self
}

/// A float type whose SIMD8 vectors have a vector square root.
protocol LaneScalar: BinaryFloatingPoint & SIMDScalar & FloatLanes & Codable where Scalar == Self {
    static func sqrt8(_ v: SIMD8<Self>) -> SIMD8<Self>
    /// Lane-wise `maximum` with NaN propagation (SIMDMask code compiles to scalar branches).
    static func max8(_ a: SIMD8<Self>, _ b: SIMD8<Self>) -> SIMD8<Self>
    /// Lane-wise absolute value (clears the sign bits).
    static func abs8(_ v: SIMD8<Self>) -> SIMD8<Self>
}

extension Float: FloatLanes, LaneScalar {
    static var width: Int { 1 }
    @inline(__always) func sqrtLanes() -> Float { squareRoot() }
    @inline(__always) static func sqrt8(_ v: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
        return SIMD8(lowHalf: _mm_sqrt_ps(v.lowHalf), highHalf: _mm_sqrt_ps(v.highHalf))
        #else
        return v.squareRoot()
        #endif
    }
    @inline(__always) init(splat: Float) { self = splat }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Float>, _ i: Int) -> Float { p[i] }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Float>, _ i: Int) { p[i] = self }
    @inline(__always) static func maximum(_ a: Float, _ b: Float) -> Float { a.isNaN || a > b ? a : b }
    @inline(__always) static func max8(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        #if arch(x86_64)
        func max4(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> {
            // maxps returns its second operand when either is NaN; a NaN `a` is kept explicitly.
            let nan = _mm_cmpunord_ps(a, a)
            return _mm_or_ps(_mm_and_ps(nan, a), _mm_andnot_ps(nan, _mm_max_ps(a, b)))
        }
        return SIMD8(lowHalf: max4(a.lowHalf, b.lowHalf), highHalf: max4(a.highHalf, b.highHalf))
        #else
        var r = b
        for k in 0..<8 where maximum(a[k], b[k]) != b[k] { r[k] = a[k] }
        return r
        #endif
    }
    @inline(__always) static func abs8(_ v: SIMD8<Float>) -> SIMD8<Float> {
        unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt32>.self) & 0x7fff_ffff, to: SIMD8<Float>.self)
    }
}

extension Double: FloatLanes, LaneScalar {
    static var width: Int { 1 }
    @inline(__always) func sqrtLanes() -> Double { squareRoot() }
    @inline(__always) static func sqrt8(_ v: SIMD8<Double>) -> SIMD8<Double> {
        #if arch(x86_64)
        let lo = v.lowHalf, hi = v.highHalf
        return SIMD8(lowHalf: SIMD4(lowHalf: _mm_sqrt_pd(lo.lowHalf), highHalf: _mm_sqrt_pd(lo.highHalf)),
                     highHalf: SIMD4(lowHalf: _mm_sqrt_pd(hi.lowHalf), highHalf: _mm_sqrt_pd(hi.highHalf)))
        #else
        return v.squareRoot()
        #endif
    }
    @inline(__always) init(splat: Double) { self = splat }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Double>, _ i: Int) -> Double { p[i] }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Double>, _ i: Int) { p[i] = self }
    @inline(__always) static func maximum(_ a: Double, _ b: Double) -> Double { a.isNaN || a > b ? a : b }
    @inline(__always) static func max8(_ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double> {
        #if arch(x86_64)
        func max2(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> SIMD2<Double> {
            let nan = _mm_cmpunord_pd(a, a)
            return _mm_or_pd(_mm_and_pd(nan, a), _mm_andnot_pd(nan, _mm_max_pd(a, b)))
        }
        let lo = SIMD4(lowHalf: max2(a.lowHalf.lowHalf, b.lowHalf.lowHalf), highHalf: max2(a.lowHalf.highHalf, b.lowHalf.highHalf))
        let hi = SIMD4(lowHalf: max2(a.highHalf.lowHalf, b.highHalf.lowHalf), highHalf: max2(a.highHalf.highHalf, b.highHalf.highHalf))
        return SIMD8(lowHalf: lo, highHalf: hi)
        #else
        var r = b
        for k in 0..<8 where maximum(a[k], b[k]) != b[k] { r[k] = a[k] }
        return r
        #endif
    }
    @inline(__always) static func abs8(_ v: SIMD8<Double>) -> SIMD8<Double> {
        unsafeBitCast(unsafeBitCast(v, to: SIMD8<UInt64>.self) & 0x7fff_ffff_ffff_ffff, to: SIMD8<Double>.self)
    }
}

extension SIMD8: FloatLanes where Scalar: LaneScalar {
    static var width: Int { 8 }
    @inline(__always) func sqrtLanes() -> SIMD8<Scalar> { Scalar.sqrt8(self) }
    @inline(__always) init(splat: Scalar) { self.init(repeating: splat) }
    @inline(__always) static func load(_ p: UnsafeMutablePointer<Scalar>, _ i: Int) -> SIMD8<Scalar> {
        UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Scalar>.self)
    }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Scalar>, _ i: Int) {
        UnsafeMutableRawPointer(p + i).storeBytes(of: self, as: SIMD8<Scalar>.self)
    }
    @inline(__always) var magnitude: SIMD8<Scalar> { Scalar.abs8(self) }
    @inline(__always) static func maximum(_ a: SIMD8<Scalar>, _ b: SIMD8<Scalar>) -> SIMD8<Scalar> { Scalar.max8(a, b) }
}

/// Runs `kernel` over elements `range`: SIMD vectors of 8, then the tail one by one.
@inline(__always)
func applyLanes<K: FusedUpdate, T: LaneScalar>(_ kernel: K, _ b: UpdateBuffers<T>, _ range: Range<Int>) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        kernel.apply(b, i, SIMD8<T>.self)
        i += 8
    }
    while i < range.upperBound {
        kernel.apply(b, i, T.self)
        i += 1
    }
}

/// Elements per parallel chunk below which a tensor is updated on the calling thread
/// (PyTorch's `at::internal::GRAIN_SIZE`).
let fusedGrain = 32768

/// Runs `kernel` over `param`, `grad` and the state buffers `s0...s3` (each shaped like
/// `param`), writing the parameter and the buffers in place and bumping their versions.
///
/// float32 and float64 contiguous tensors are updated directly. Anything else (half
/// precision, non-contiguous views) is computed on contiguous float32/float64 copies that are
/// written back: correct for every layout, fast where it matters.
func runFused<K: FusedUpdate>(
    _ kernel: K, param: Tensor, grad: Tensor,
    _ s0: Tensor? = nil, _ s1: Tensor? = nil, _ s2: Tensor? = nil, _ s3: Tensor? = nil
) {
    let dtype = param.dtype
    func fits(_ t: Tensor?) -> Bool { t.map { $0.isContiguous && $0.dtype == dtype } ?? true }
    if (dtype == .float32 || dtype == .float64) && param.isContiguous && fits(grad)
        && fits(s0) && fits(s1) && fits(s2) && fits(s3) {
        runContiguous(kernel, param, grad, s0, s1, s2, s3)
        param.storage.bumpVersion()
        s0?.storage.bumpVersion(); s1?.storage.bumpVersion(); s2?.storage.bumpVersion(); s3?.storage.bumpVersion()
        return
    }
    let compute: DType = dtype == .float64 ? .float64 : .float32
    func copy(_ t: Tensor?) -> Tensor? { t.map { $0.detach().to(compute, copy: true) } }
    let p = copy(param)!, c0 = copy(s0), c1 = copy(s1), c2 = copy(s2), c3 = copy(s3)
    let g = grad.detach().to(compute).contiguous()
    runContiguous(kernel, p, g, c0, c1, c2, c3)
    withNoGrad {
        param.copy_(p)
        for (original, updated) in [(s0, c0), (s1, c1), (s2, c2), (s3, c3)] {
            if let original, let updated { original.copy_(updated) }
        }
    }
}

/// Runs `kernel` on contiguous float32 or float64 tensors of one dtype.
private func runContiguous<K: FusedUpdate>(
    _ kernel: K, _ param: Tensor, _ grad: Tensor,
    _ s0: Tensor?, _ s1: Tensor?, _ s2: Tensor?, _ s3: Tensor?
) {
    func run<T: LaneScalar>(_: T.Type) {
        let p = param.pointer(T.self)
        let b = UpdateBuffers(
            param: p, grad: grad.pointer(T.self),
            s0: s0?.pointer(T.self) ?? p, s1: s1?.pointer(T.self) ?? p,
            s2: s2?.pointer(T.self) ?? p, s3: s3?.pointer(T.self) ?? p)
        Parallel.forRange(param.numel, grain: fusedGrain) { range in applyLanes(kernel, b, range) }
    }
    if param.dtype == .float64 { run(Double.self) } else { run(Float.self) }
}

extension ParamState {
    /// The buffer `name`, created as zeros shaped like `param` (contiguous, the parameter's
    /// dtype) when missing (PyTorch: `torch.zeros_like(p, memory_format=torch.preserve_format)`).
    func buffer(_ name: String, like param: Tensor, fill: Double = 0) -> Tensor {
        if let t = buffers[name] { return t }
        let t = Tensor.full(param.shape, fill, dtype: param.dtype)
        buffers[name] = t
        return t
    }
}
