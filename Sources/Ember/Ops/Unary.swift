/// Elementwise functions of one tensor, each with its backward beside it.
enum UnaryOp {
    case neg, abs, sign, square, relu, floor, ceil, round
    case exp, log, log1p, expm1, sqrt, rsqrt, reciprocal, sin, cos, tanh, sigmoid, erf
    case silu, gelu, geluTanh
    case softplus(beta: Double, threshold: Double)
    case elu(alpha: Double)
    case leakyRelu(slope: Double)
    case clamp(min: Double?, max: Double?)

    /// Ops that keep integer dtypes integer; the rest compute integers as float32.
    var keepsIntegers: Bool {
        switch self {
        case .neg, .abs, .sign, .square, .relu, .floor, .ceil, .round, .clamp: true
        default: false
        }
    }

    var nodeName: String {
        switch self {
        case .neg: "NegBackward0"
        case .abs: "AbsBackward0"
        case .sign: "SignBackward0"
        case .square: "PowBackward0"
        case .relu: "ReluBackward0"
        case .floor: "FloorBackward0"
        case .ceil: "CeilBackward0"
        case .round: "RoundBackward0"
        case .exp: "ExpBackward0"
        case .log: "LogBackward0"
        case .log1p: "Log1PBackward0"
        case .expm1: "Expm1Backward0"
        case .sqrt: "SqrtBackward0"
        case .rsqrt: "RsqrtBackward0"
        case .reciprocal: "ReciprocalBackward0"
        case .sin: "SinBackward0"
        case .cos: "CosBackward0"
        case .tanh: "TanhBackward0"
        case .sigmoid: "SigmoidBackward0"
        case .erf: "ErfBackward0"
        case .silu: "SiluBackward0"
        case .gelu, .geluTanh: "GeluBackward0"
        case .softplus: "SoftplusBackward0"
        case .elu: "EluBackward0"
        case .leakyRelu: "LeakyReluBackward0"
        case .clamp: "ClampBackward1"
        }
    }
}

/// A float function named by a type, so kernels specialize and inline it (see `UnaryMap`).
protocol FloatUnaryTag { static func apply<T: FloatElement>(_ v: T) -> T }
enum NegTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { -v } }
enum AbsTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { v.magnitude } }
enum SignTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { v > 0 ? 1 : (v < 0 ? -1 : v) } }
enum SquareTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { v * v } }
/// `v < 0 ? 0 : v` keeps NaN (as PyTorch's relu does) and compiles to a branchless select.
enum ReluTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { v < 0 ? 0 : v } }
enum FloorTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { v.rounded(.down) } }
enum CeilTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { v.rounded(.up) } }
enum RoundTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { v.rounded(.toNearestOrEven) } }
enum LogTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { T.log(v) } }
enum Log1pTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { T.log1p(v) } }
enum Expm1Tag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { T.expm1(v) } }
enum SqrtTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { v.squareRoot() } }
enum RsqrtTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { 1 / v.squareRoot() } }
enum ReciprocalTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { 1 / v } }
enum SinTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { T.sin(v) } }
enum CosTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { T.cos(v) } }
enum TanhTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { T.tanh(v) } }
enum SigmoidTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { 1 / (1 + T.exp(-v)) } }
enum ErfTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { T.erf(v) } }
enum SiluTag: FloatUnaryTag { @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { v / (1 + T.exp(-v)) } }
enum GeluTag: FloatUnaryTag {
    @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T { v * (1 + T.erf(v * T(0.70710678118654752440))) / 2 }
}
enum GeluTanhTag: FloatUnaryTag {
    @inline(__always) static func apply<T: FloatElement>(_ v: T) -> T {
        let inner = T(0.79788456080286535588) * (v + T(0.044715) * v * v * v)
        return v * (1 + T.tanh(inner)) / 2
    }
}

/// `Tag.apply` as an elementwise functor over `T`.
struct FloatFn<T: FloatElement, Tag: FloatUnaryTag>: UnaryMap {
    @inline(__always) func callAsFunction(_ v: T) -> T { Tag.apply(v) }
}

/// Functors for the ops that carry parameters.
struct SoftplusFn<T: FloatElement>: UnaryMap {
    let beta: T, threshold: T
    @inline(__always) func callAsFunction(_ v: T) -> T { v * beta > threshold ? v : T.log1p(T.exp(v * beta)) / beta }
}
struct EluFn<T: FloatElement>: UnaryMap {
    let alpha: T
    @inline(__always) func callAsFunction(_ v: T) -> T { v > 0 ? v : alpha * T.expm1(v) }
}
struct LeakyReluFn<T: FloatElement>: UnaryMap {
    let slope: T
    @inline(__always) func callAsFunction(_ v: T) -> T { v > 0 ? v : v * slope }
}
struct ClampFn<T: FloatElement>: UnaryMap {
    let low: T, high: T
    @inline(__always) func callAsFunction(_ v: T) -> T { v.isNaN ? v : Swift.min(Swift.max(v, low), high) }
}

struct FloatUnaryKernel: FloatVisitor {
    let op: UnaryOp, x: Tensor, out: Tensor
    func visit<T: FloatElement>(_: T.Type) {
        let slow = 4096  // transcendental functions are worth splitting at smaller sizes
        switch op {
        case .neg: mapUnary(x, into: out, FloatFn<T, NegTag>())
        case .abs: mapUnary(x, into: out, FloatFn<T, AbsTag>())
        case .sign: mapUnary(x, into: out, FloatFn<T, SignTag>())
        case .square: mapUnary(x, into: out, FloatFn<T, SquareTag>())
        case .relu: mapUnary(x, into: out, FloatFn<T, ReluTag>())
        case .floor: mapUnary(x, into: out, FloatFn<T, FloorTag>())
        case .ceil: mapUnary(x, into: out, FloatFn<T, CeilTag>())
        case .round: mapUnary(x, into: out, FloatFn<T, RoundTag>())
        case .exp: vectorExp(x, into: out, T.self)
        case .log: mapUnary(x, into: out, grain: slow, FloatFn<T, LogTag>())
        case .log1p: mapUnary(x, into: out, grain: slow, FloatFn<T, Log1pTag>())
        case .expm1: mapUnary(x, into: out, grain: slow, FloatFn<T, Expm1Tag>())
        case .sqrt: mapUnary(x, into: out, FloatFn<T, SqrtTag>())
        case .rsqrt: mapUnary(x, into: out, FloatFn<T, RsqrtTag>())
        case .reciprocal: mapUnary(x, into: out, FloatFn<T, ReciprocalTag>())
        case .sin: mapUnary(x, into: out, grain: slow, FloatFn<T, SinTag>())
        case .cos: mapUnary(x, into: out, grain: slow, FloatFn<T, CosTag>())
        case .tanh: mapUnary(x, into: out, grain: slow, FloatFn<T, TanhTag>())
        case .sigmoid: mapUnary(x, into: out, grain: slow, FloatFn<T, SigmoidTag>())
        case .erf: mapUnary(x, into: out, grain: slow, FloatFn<T, ErfTag>())
        case .silu: mapUnary(x, into: out, grain: slow, FloatFn<T, SiluTag>())
        case .gelu: mapUnary(x, into: out, grain: slow, FloatFn<T, GeluTag>())
        case .geluTanh: mapUnary(x, into: out, grain: slow, FloatFn<T, GeluTanhTag>())
        case .softplus(let beta, let threshold):
            mapUnary(x, into: out, grain: slow, SoftplusFn(beta: T(beta), threshold: T(threshold)))
        case .elu(let alpha): mapUnary(x, into: out, grain: slow, EluFn(alpha: T(alpha)))
        case .leakyRelu(let slope): mapUnary(x, into: out, LeakyReluFn(slope: T(slope)))
        case .clamp(let lo, let hi):
            mapUnary(x, into: out, ClampFn(low: lo.map { T($0) } ?? -T.infinity, high: hi.map { T($0) } ?? T.infinity))
        }
    }
}

struct IntegerUnaryKernel: ArithmeticVisitor {
    let op: UnaryOp, x: Tensor, out: Tensor
    func visit<T: ArithmeticElement>(_: T.Type) {
        let zero = T.zeroValue
        switch op {
        case .neg: mapUnary(x, into: out) { (v: T) in T.sub(zero, v) }
        case .abs: mapUnary(x, into: out) { (v: T) in v < zero ? T.sub(zero, v) : v }
        case .sign: mapUnary(x, into: out) { (v: T) in v > zero ? T.oneValue : (v < zero ? T.sub(zero, T.oneValue) : zero) }
        case .square: mapUnary(x, into: out) { (v: T) in T.mul(v, v) }
        case .relu: mapUnary(x, into: out) { (v: T) in v > zero ? v : zero }
        case .clamp(let lo, let hi):
            let l = lo.map { T(double: $0) } ?? T.lowest, h = hi.map { T(double: $0) } ?? T.highest
            mapUnary(x, into: out) { (v: T) in Swift.min(Swift.max(v, l), h) }
        default: mapUnary(x, into: out) { (v: T) in v }  // floor, ceil, round keep integers
        }
    }
}

/// Computes `op(x)` without autograd.
func unaryForward(_ op: UnaryOp, _ x: Tensor) -> Tensor {
    let floatResult = !op.keepsIntegers && !x.dtype.isFloatingPoint
    let outType = floatResult ? DType.float32 : x.dtype
    let compute = outType.computeType
    let input = x.convertedRaw(compute)
    let out = x.isContiguous ? Tensor(empty: x.shape, strides: x.strides, dtype: compute) : Tensor(empty: x.shape, dtype: compute)
    if compute.isFloatingPoint {
        compute.visitFloat(FloatUnaryKernel(op: op, x: input, out: out))
    } else {
        compute.visitArithmetic(IntegerUnaryKernel(op: op, x: input, out: out))
    }
    return compute == outType ? out : out.convertedRaw(outType)
}

/// `op(x)` with autograd.
func unary(_ op: UnaryOp, _ x: Tensor, file: StaticString = unknownFile, line: UInt = 0) -> Tensor {
    let out = unaryForward(op, x)
    if needsGrad(x) && out.dtype.isFloatingPoint {
        let sx = SavedTensor(x, op: op.nodeName), so = SavedTensor(out, op: op.nodeName, isOutput: true)
        record(op.nodeName, out, x, file: file, line: line) { g in
            [unaryBackward(op, g, sx, so)]
        }
    }
    return out
}

/// `op(x)`, written over `x` itself when no one could tell: `x` is the only reference to
/// itself and to its storage (a temporary handed over, as in `relu(conv(x))`), it has no
/// autograd state (so nothing is recorded and nothing saved it), and it is a contiguous
/// float32/float64 tensor. Otherwise `unary(op, x)`. Evaluation then holds one activation
/// where it would hold two (PyTorch's `inplace=True`, chosen for the user where it is safe).
func unaryOverwriting(_ op: UnaryOp, _ x: consuming Tensor, file: StaticString, line: UInt) -> Tensor {
    if !x.requiresGradFlag && x.storedGradFn == nil && x.viewBase == nil && x.grad == nil
        && x.accumulator == nil && x.gatheredRowsRecord == nil && !x.retainsGradFlag
        && x.isContiguous && x.dtype.isFloatingPoint && x.dtype.computeType == x.dtype
        && isKnownUniquelyReferenced(&x) && x.hasSoleStorage() {
        let t = copy x
        t.dtype.visitFloat(FloatUnaryKernel(op: op, x: t, out: t))
        t.storage.bumpVersion()
        return t
    }
    return unary(op, x, file: file, line: line)
}

/// The gradient of `op` at `x` given the output's gradient `g`. Formulas that reuse the
/// forward output recompute it when the backward itself is being recorded (createGraph), so
/// second derivatives flow through it.
private func unaryBackward(_ op: UnaryOp, _ g: Tensor, _ sx: SavedTensor, _ so: SavedTensor) -> Tensor {
    var y: Tensor { GradMode.isEnabled ? unary(op, sx.value) : so.value }
    switch op {
    case .neg: return -g
    case .abs: return g * sx.value.sign()
    case .sign, .floor, .ceil, .round: return Tensor.zerosLike(g)
    case .square: return g * sx.value * 2
    case .relu: return fusedReluBackward(g, so.value) ?? g * (y .> 0).to(g.dtype)
    case .exp: return g * y
    case .log: return g / sx.value
    case .log1p: return g / (sx.value + 1)
    case .expm1: return g * (y + 1)
    case .sqrt: return g / (y * 2)
    case .rsqrt: return g * y.pow(3) * -0.5
    case .reciprocal: return -g * y * y
    case .sin: return g * sx.value.cos()
    case .cos: return -g * sx.value.sin()
    case .tanh: return fusedTanhBackward(g, so.value) ?? g * (1 - y * y)
    case .sigmoid: return fusedSigmoidBackward(g, so.value) ?? g * y * (1 - y)
    case .erf: return g * (-(sx.value.square())).exp() * 1.1283791670955126
    case .silu:
        let s = sx.value.sigmoid()
        return g * s * (1 + sx.value * (1 - s))
    case .gelu:
        let x = sx.value
        let cdf = (1 + (x * 0.70710678118654752440).erf()) * 0.5
        let pdf = (x.square() * -0.5).exp() * 0.3989422804014327
        return g * (cdf + x * pdf)
    case .geluTanh:
        let x = sx.value
        let k = 0.79788456080286535588
        let inner = (x + x.pow(3) * 0.044715) * k
        let t = inner.tanh()
        let dInner = (x.square() * (3 * 0.044715) + 1) * k
        return g * ((1 + t) * 0.5 + x * 0.5 * (1 - t * t) * dInner)
    case .softplus(let beta, let threshold):
        let x = sx.value
        return Tensor.where(x * beta .> threshold, g, g * (x * beta).sigmoid())
    case .elu(let alpha):
        let x = sx.value
        return Tensor.where(x .> 0, g, g * (y + alpha))
    case .leakyRelu(let slope):
        return Tensor.where(sx.value .> 0, g, g * slope)
    case .clamp(let lo, let hi):
        let x = sx.value
        var mask = Tensor.onesLike(x, dtype: .bool)
        if let lo { mask = mask.logicalAnd(x .>= lo) }
        if let hi { mask = mask.logicalAnd(x .<= hi) }
        return g * mask.to(g.dtype)
    }
}

/// Fused backward functors of (incoming gradient, forward output).
struct ReluBackwardFn<T: FloatElement>: BinaryMap {
    @inline(__always) func callAsFunction(_ g: T, _ y: T) -> T { y > 0 ? g : 0 }
}
struct TanhBackwardFn<T: FloatElement>: BinaryMap {
    @inline(__always) func callAsFunction(_ g: T, _ y: T) -> T { g * (1 - y * y) }
}
struct SigmoidBackwardFn<T: FloatElement>: BinaryMap {
    @inline(__always) func callAsFunction(_ g: T, _ y: T) -> T { g * y * (1 - y) }
}

/// Fused `g * (out > 0)` for the common float32/float64 case outside createGraph.
private func fusedReluBackward(_ g: Tensor, _ out: Tensor) -> Tensor? {
    fusedBackward(g, out, ReluBackwardFn<Float>(), ReluBackwardFn<Double>())
}
/// Fused `g * (1 - out²)`.
private func fusedTanhBackward(_ g: Tensor, _ out: Tensor) -> Tensor? {
    fusedBackward(g, out, TanhBackwardFn<Float>(), TanhBackwardFn<Double>())
}
/// Fused `g * out * (1 - out)`.
private func fusedSigmoidBackward(_ g: Tensor, _ out: Tensor) -> Tensor? {
    fusedBackward(g, out, SigmoidBackwardFn<Float>(), SigmoidBackwardFn<Double>())
}

/// Runs a fused backward kernel when no graph is being recorded and both tensors share a
/// native float dtype; returns nil so the caller falls back to composite ops otherwise.
@inline(__always)
private func fusedBackward<F: BinaryMap, D: BinaryMap>(_ g: Tensor, _ out: Tensor, _ float: F, _ double: D) -> Tensor?
where F.In1 == Float, F.In2 == Float, F.Out == Float, D.In1 == Double, D.In2 == Double, D.Out == Double {
    guard !GradMode.isEnabled, g.dtype == out.dtype, g.shape == out.shape else { return nil }
    let result = Tensor(empty: g.shape, dtype: g.dtype)
    switch g.dtype {
    case .float32: mapBinary(g, out, into: result, float)
    case .float64: mapBinary(g, out, into: result, double)
    default: return nil
    }
    return result
}

extension Tensor {
    /// Elementwise negation (PyTorch: `torch.neg`).
    public func neg(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.neg, self, file: file, line: line) }
    /// Absolute value (PyTorch: `torch.abs`).
    public func abs(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.abs, self, file: file, line: line) }
    /// -1, 0 or 1 by sign (PyTorch: `torch.sign`).
    public func sign(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sign, self, file: file, line: line) }
    /// `x * x` (PyTorch: `torch.square`).
    public func square(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.square, self, file: file, line: line) }
    /// `max(x, 0)` (PyTorch: `torch.relu`). A temporary no one else can see, such as the
    /// convolution's output in `relu(conv(x))` without grad, is overwritten rather than
    /// copied (see `unaryOverwriting`).
    public consuming func relu(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        unaryOverwriting(.relu, self, file: file, line: line)
    }
    /// Rounds down (PyTorch: `torch.floor`).
    public func floor(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.floor, self, file: file, line: line) }
    /// Rounds up (PyTorch: `torch.ceil`).
    public func ceil(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.ceil, self, file: file, line: line) }
    /// Rounds to nearest, ties to even (PyTorch: `torch.round`).
    public func round(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.round, self, file: file, line: line) }
    /// `e^x` (PyTorch: `torch.exp`).
    public func exp(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.exp, self, file: file, line: line) }
    /// Natural logarithm (PyTorch: `torch.log`).
    public func log(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.log, self, file: file, line: line) }
    /// `log(1 + x)`, accurate near 0 (PyTorch: `torch.log1p`).
    public func log1p(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.log1p, self, file: file, line: line) }
    /// `e^x - 1`, accurate near 0 (PyTorch: `torch.expm1`).
    public func expm1(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.expm1, self, file: file, line: line) }
    /// Square root (PyTorch: `torch.sqrt`).
    public func sqrt(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sqrt, self, file: file, line: line) }
    /// `1 / sqrt(x)` (PyTorch: `torch.rsqrt`).
    public func rsqrt(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.rsqrt, self, file: file, line: line) }
    /// `1 / x` (PyTorch: `torch.reciprocal`).
    public func reciprocal(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.reciprocal, self, file: file, line: line) }
    /// Sine (PyTorch: `torch.sin`).
    public func sin(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sin, self, file: file, line: line) }
    /// Cosine (PyTorch: `torch.cos`).
    public func cos(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.cos, self, file: file, line: line) }
    /// Hyperbolic tangent (PyTorch: `torch.tanh`).
    public func tanh(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.tanh, self, file: file, line: line) }
    /// Logistic sigmoid `1 / (1 + e^-x)` (PyTorch: `torch.sigmoid`).
    public func sigmoid(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.sigmoid, self, file: file, line: line) }
    /// The error function (PyTorch: `torch.erf`).
    public func erf(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.erf, self, file: file, line: line) }
    /// `x * sigmoid(x)` (PyTorch: `torch.nn.functional.silu`).
    public func silu(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.silu, self, file: file, line: line) }
    /// Gaussian error linear unit, exact `x·Φ(x)` (`approximate: "none"`, through the vectorized
    /// kernel of `GeluKernel.swift` for float32 and float64) or the tanh approximation
    /// (`approximate: "tanh"`) (PyTorch: `torch.nn.functional.gelu`). The one GELU in Ember:
    /// `nn.GELU`, `F.gelu` and the Transformer layers all call it.
    ///
    /// ```swift
    /// let y = x.gelu()                        // exact
    /// let z = x.gelu(approximate: "tanh")     // GPT-2's approximation
    /// ```
    public func gelu(approximate: String = "none", file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(approximate == "none" || approximate == "tanh", "gelu", "approximate must be \"none\" or \"tanh\", got \"\(approximate)\"", file: file, line: line)
        return approximate == "tanh" ? unary(.geluTanh, self, file: file, line: line) : exactGelu(file: file, line: line)
    }
    /// `log(1 + e^(beta x)) / beta`, linear above `threshold` (PyTorch: `torch.nn.functional.softplus`).
    public func softplus(beta: Double = 1, threshold: Double = 20, file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.softplus(beta: beta, threshold: threshold), self, file: file, line: line) }
    /// `x` if positive else `alpha (e^x - 1)` (PyTorch: `torch.nn.functional.elu`).
    public func elu(alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.elu(alpha: alpha), self, file: file, line: line) }
    /// `x` if positive else `negativeSlope * x` (PyTorch: `torch.nn.functional.leaky_relu`).
    public func leakyRelu(negativeSlope: Double = 0.01, file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.leakyRelu(slope: negativeSlope), self, file: file, line: line) }
    /// Limits values to `[min, max]`; either bound may be omitted (PyTorch: `torch.clamp`).
    public func clamp(min: Double? = nil, max: Double? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.clamp(min: min, max: max), self, file: file, line: line) }
}
