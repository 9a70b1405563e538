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

struct FloatUnaryKernel: FloatVisitor {
    let op: UnaryOp, x: Tensor, out: Tensor
    func visit<T: FloatElement>(_: T.Type) {
        switch op {
        case .neg: mapUnary(x, into: out) { (v: T) in -v }
        case .abs: mapUnary(x, into: out) { (v: T) in v.magnitude }
        case .sign: mapUnary(x, into: out) { (v: T) -> T in v > 0 ? 1 : (v < 0 ? -1 : v) }
        case .square: mapUnary(x, into: out) { (v: T) in v * v }
        case .relu: mapUnary(x, into: out) { (v: T) -> T in v > 0 || v.isNaN ? v : 0 }
        case .floor: mapUnary(x, into: out) { (v: T) in v.rounded(.down) }
        case .ceil: mapUnary(x, into: out) { (v: T) in v.rounded(.up) }
        case .round: mapUnary(x, into: out) { (v: T) in v.rounded(.toNearestOrEven) }
        case .exp: vectorExp(x, into: out, T.self)
        case .log: mapUnary(x, into: out, grain: 4096) { (v: T) in T.log(v) }
        case .log1p: mapUnary(x, into: out, grain: 4096) { (v: T) in T.log1p(v) }
        case .expm1: mapUnary(x, into: out, grain: 4096) { (v: T) in T.expm1(v) }
        case .sqrt: mapUnary(x, into: out) { (v: T) in v.squareRoot() }
        case .rsqrt: mapUnary(x, into: out) { (v: T) in 1 / v.squareRoot() }
        case .reciprocal: mapUnary(x, into: out) { (v: T) in 1 / v }
        case .sin: mapUnary(x, into: out, grain: 4096) { (v: T) in T.sin(v) }
        case .cos: mapUnary(x, into: out, grain: 4096) { (v: T) in T.cos(v) }
        case .tanh: mapUnary(x, into: out, grain: 4096) { (v: T) in T.tanh(v) }
        case .sigmoid: mapUnary(x, into: out, grain: 4096) { (v: T) in 1 / (1 + T.exp(-v)) }
        case .erf: mapUnary(x, into: out, grain: 4096) { (v: T) in T.erf(v) }
        case .silu: mapUnary(x, into: out, grain: 4096) { (v: T) in v / (1 + T.exp(-v)) }
        case .gelu:
            mapUnary(x, into: out, grain: 4096) { (v: T) in v * (1 + T.erf(v * T(0.70710678118654752440))) / 2 }
        case .geluTanh:
            mapUnary(x, into: out, grain: 4096) { (v: T) -> T in
                let inner = T(0.79788456080286535588) * (v + T(0.044715) * v * v * v)
                return v * (1 + T.tanh(inner)) / 2
            }
        case .softplus(let beta, let threshold):
            let b = T(beta), th = T(threshold)
            mapUnary(x, into: out, grain: 4096) { (v: T) in v * b > th ? v : T.log1p(T.exp(v * b)) / b }
        case .elu(let alpha):
            let a = T(alpha)
            mapUnary(x, into: out, grain: 4096) { (v: T) in v > 0 ? v : a * T.expm1(v) }
        case .leakyRelu(let slope):
            let s = T(slope)
            mapUnary(x, into: out) { (v: T) in v > 0 ? v : v * s }
        case .clamp(let lo, let hi):
            let l = lo.map { T($0) } ?? -T.infinity, h = hi.map { T($0) } ?? T.infinity
            mapUnary(x, into: out) { (v: T) in v.isNaN ? v : Swift.min(Swift.max(v, l), h) }
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
        let sx = SavedTensor(x, op: "unary"), so = SavedTensor(out, op: "unary", isOutput: true)
        record(op.nodeName, out, inputs: [x], file: file, line: line) { g in
            [unaryBackward(op, g, sx, so)]
        }
    }
    return out
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

/// Fused `g * (out > 0)` for the common float32/float64 case outside createGraph.
private func fusedReluBackward(_ g: Tensor, _ out: Tensor) -> Tensor? {
    fusedBackward(g, out) { (gv: Float, y: Float) in y > 0 ? gv : 0 } double: { (gv: Double, y: Double) in y > 0 ? gv : 0 }
}
/// Fused `g * (1 - out²)`.
private func fusedTanhBackward(_ g: Tensor, _ out: Tensor) -> Tensor? {
    fusedBackward(g, out) { (gv: Float, y: Float) in gv * (1 - y * y) } double: { (gv: Double, y: Double) in gv * (1 - y * y) }
}
/// Fused `g * out * (1 - out)`.
private func fusedSigmoidBackward(_ g: Tensor, _ out: Tensor) -> Tensor? {
    fusedBackward(g, out) { (gv: Float, y: Float) in gv * y * (1 - y) } double: { (gv: Double, y: Double) in gv * y * (1 - y) }
}

/// Runs a fused backward kernel when no graph is being recorded and both tensors share a
/// native float dtype; returns nil so the caller falls back to composite ops otherwise.
@inline(__always)
private func fusedBackward(_ g: Tensor, _ out: Tensor, float: (Float, Float) -> Float, double: (Double, Double) -> Double) -> Tensor? {
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
    /// `max(x, 0)` (PyTorch: `torch.relu`).
    public func relu(file: StaticString = #fileID, line: UInt = #line) -> Tensor { unary(.relu, self, file: file, line: line) }
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
    /// Gaussian error linear unit, exact (`approximate: "none"`) or the tanh approximation
    /// (`approximate: "tanh"`) (PyTorch: `torch.nn.functional.gelu`).
    public func gelu(approximate: String = "none", file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(approximate == "none" || approximate == "tanh", "gelu", "approximate must be \"none\" or \"tanh\", got \"\(approximate)\"", file: file, line: line)
        return unary(approximate == "tanh" ? .geluTanh : .gelu, self, file: file, line: line)
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
