/// Elementwise arithmetic between two tensors with NumPy/PyTorch broadcasting, and with
/// Swift scalars on either side. Each op's backward sits in `binaryBackward` below.
enum BinaryOp {
    case add, sub, mul, div, maximum, minimum, pow

    var name: StaticString {
        switch self {
        case .add: "add"
        case .sub: "sub"
        case .mul: "mul"
        case .div: "div"
        case .maximum: "maximum"
        case .minimum: "minimum"
        case .pow: "pow"
        }
    }
}

/// The shape two shapes broadcast to, trapping with both shapes when they can't
/// (PyTorch: `torch.broadcast_shapes`).
public func broadcastShapes(_ a: [Int], _ b: [Int], file: StaticString = #fileID, line: UInt = #line) -> [Int] {
    broadcastShapes(a, b, op: "broadcast", file: file, line: line)
}

func broadcastShapes(_ a: [Int], _ b: [Int], op: StaticString, file: StaticString, line: UInt) -> [Int] {
    if a == b { return a }
    let n = max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
        let x = i < n - a.count ? 1 : a[i - (n - a.count)]
        let y = i < n - b.count ? 1 : b[i - (n - b.count)]
        check(x == y || x == 1 || y == 1, op, "the size of tensor a (\(x)) must match the size of tensor b (\(y)) at non-singleton dimension \(i); shapes \(a) and \(b) cannot be broadcast together", file: file, line: line)
        out[i] = x == 1 ? y : x
    }
    return out
}

extension Tensor {
    /// A stride-0 broadcast view to `shape` with no autograd (shapes already checked).
    func broadcastRaw(_ shape: [Int]) -> Tensor {
        if self.shape == shape { return self }
        let lead = shape.count - dim
        var st = [Int](repeating: 0, count: shape.count)
        for i in 0..<dim where self.shape[i] == shape[i + lead] { st[i + lead] = strides[i] }
        return Tensor(storage: storage, shape: shape, strides: st, offset: offset, dtype: dtype)
    }

    /// Converts to `dtype` without recording autograd.
    func convertedRaw(_ dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let out = Tensor(empty: shape, dtype: dtype)
        self.dtype.visit(CastInto(src: self, dst: out))
        return out
    }
}

/// A binary arithmetic function named by a type, so kernels specialize and inline it.
protocol ArithmeticBinaryTag {
    static func apply<T: ArithmeticElement>(_ x: T, _ y: T) -> T
}
enum AddTag: ArithmeticBinaryTag { @inline(__always) static func apply<T: ArithmeticElement>(_ x: T, _ y: T) -> T { T.add(x, y) } }
enum SubTag: ArithmeticBinaryTag { @inline(__always) static func apply<T: ArithmeticElement>(_ x: T, _ y: T) -> T { T.sub(x, y) } }
enum MulTag: ArithmeticBinaryTag { @inline(__always) static func apply<T: ArithmeticElement>(_ x: T, _ y: T) -> T { T.mul(x, y) } }
enum DivTag: ArithmeticBinaryTag { @inline(__always) static func apply<T: ArithmeticElement>(_ x: T, _ y: T) -> T { T.div(x, y) } }
enum PowTag: ArithmeticBinaryTag { @inline(__always) static func apply<T: ArithmeticElement>(_ x: T, _ y: T) -> T { T.power(x, y) } }
enum MaxTag: ArithmeticBinaryTag {
    @inline(__always) static func apply<T: ArithmeticElement>(_ x: T, _ y: T) -> T { x.isNaNValue || x > y ? x : (y.isNaNValue || y > x ? y : x) }
}
enum MinTag: ArithmeticBinaryTag {
    @inline(__always) static func apply<T: ArithmeticElement>(_ x: T, _ y: T) -> T { x.isNaNValue || x < y ? x : (y.isNaNValue || y < x ? y : x) }
}

/// `Tag.apply` as an elementwise functor over `T`.
struct ArithmeticFn<T: ArithmeticElement, Tag: ArithmeticBinaryTag>: BinaryMap {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> T { Tag.apply(x, y) }
}

struct BinaryKernel: ArithmeticVisitor {
    let op: BinaryOp, a: Tensor, b: Tensor, out: Tensor
    func visit<T: ArithmeticElement>(_: T.Type) {
        switch op {
        case .add: mapBinary(a, b, into: out, ArithmeticFn<T, AddTag>())
        case .sub: mapBinary(a, b, into: out, ArithmeticFn<T, SubTag>())
        case .mul: mapBinary(a, b, into: out, ArithmeticFn<T, MulTag>())
        case .div: mapBinary(a, b, into: out, ArithmeticFn<T, DivTag>())
        case .maximum: mapBinary(a, b, into: out, ArithmeticFn<T, MaxTag>())
        case .minimum: mapBinary(a, b, into: out, ArithmeticFn<T, MinTag>())
        case .pow: mapBinary(a, b, into: out, ArithmeticFn<T, PowTag>())
        }
    }
}

/// Computes `op(a, b)` with type promotion and broadcasting, without autograd.
func binaryForward(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, file: StaticString, line: UInt) -> Tensor {
    var outType = a.dtype == b.dtype ? a.dtype : DType.promote(a.dtype, b.dtype)
    if op == .div && !outType.isFloatingPoint { outType = .float32 }
    let sameShape = a.shape == b.shape
    let shape = sameShape ? a.shape : broadcastShapes(a.shape, b.shape, op: op.name, file: file, line: line)
    let compute = outType.computeType
    let ac = a.convertedRaw(compute), bc = b.convertedRaw(compute)
    let out: Tensor
    if sameShape && a.isContiguous {
        out = Tensor(empty: shape, strides: a.strides, dtype: compute)
    } else {
        out = Tensor(empty: shape, dtype: compute)
    }
    compute.visitArithmetic(BinaryKernel(op: op, a: ac.broadcastRaw(shape), b: bc.broadcastRaw(shape), out: out))
    return compute == outType ? out : out.convertedRaw(outType)
}

/// `op(a, b)` with autograd: records the op's backward when an input requires grad.
func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, file: StaticString = unknownFile, line: UInt = 0) -> Tensor {
    let out = binaryForward(op, a, b, file: file, line: line)
    if needsGrad(a, b) && out.dtype.isFloatingPoint {
        let aShape = a.shape, bShape = b.shape, aType = a.dtype, bType = b.dtype
        let aNeeds = a.requiresGradFlag, bNeeds = b.requiresGradFlag
        if op == .add || op == .sub {
            // Nothing saved: the gradient passes straight through (negated for b in sub).
            let negate = op == .sub
            record(binaryNodeName(op), out, a, b, file: file, line: line) { g in
                [aNeeds ? sumToShape(g, aShape).to(aType) : nil,
                 bNeeds ? sumToShape(negate ? -g : g, bShape).to(bType) : nil]
            }
            return out
        }
        let sa = SavedTensor(a, op: binaryNodeName(op)), sb = SavedTensor(b, op: binaryNodeName(op))
        record(binaryNodeName(op), out, a, b, file: file, line: line) { g in
            let (ga, gb) = binaryBackward(op, g, sa, sb, aNeeds: aNeeds, bNeeds: bNeeds)
            return [ga.map { sumToShape($0, aShape).to(aType) }, gb.map { sumToShape($0, bShape).to(bType) }]
        }
    }
    return out
}

private func binaryNodeName(_ op: BinaryOp) -> String {
    switch op {
    case .add: "AddBackward0"
    case .sub: "SubBackward0"
    case .mul: "MulBackward0"
    case .div: "DivBackward0"
    case .maximum: "MaximumBackward0"
    case .minimum: "MinimumBackward0"
    case .pow: "PowBackward1"
    }
}

/// Gradients of `op(a, b)` with respect to `a` and `b`, before un-broadcasting.
private func binaryBackward(_ op: BinaryOp, _ g: Tensor, _ sa: SavedTensor, _ sb: SavedTensor, aNeeds: Bool, bNeeds: Bool) -> (Tensor?, Tensor?) {
    switch op {
    case .add:
        return (aNeeds ? g : nil, bNeeds ? g : nil)
    case .sub:
        return (aNeeds ? g : nil, bNeeds ? -g : nil)
    case .mul:
        return (aNeeds ? g * sb.value : nil, bNeeds ? g * sa.value : nil)
    case .div:
        let b = sb.value
        return (aNeeds ? g / b : nil, bNeeds ? -g * sa.value / (b * b) : nil)
    case .maximum, .minimum:
        let a = sa.value, b = sb.value
        // Ties share the gradient equally, as in PyTorch.
        let aWins = (op == .maximum ? a .> b : a .< b).to(g.dtype)
        let tie = (a .== b).to(g.dtype) * 0.5
        let wa = aWins + tie
        return (aNeeds ? g * wa : nil, bNeeds ? g * (1 - wa) : nil)
    case .pow:
        let a = sa.value, b = sb.value
        // d/da a^b = b a^(b-1), taken as 0 where b == 0 (also at a == 0, where 0 * inf is NaN).
        let ga = aNeeds ? Tensor.where(b .== 0, Tensor.zeros([], dtype: g.dtype), g * b * a.pow(b - 1)) : nil
        // d/db a^b = a^b log a, taken as 0 where a == 0 and b >= 0 (PyTorch's convention; for
        // b < 0 it is ∞ · log 0 = -∞, as in PyTorch).
        let gb = bNeeds ? Tensor.where((a .== 0).logicalAnd(b .>= 0), Tensor.zerosLike(g), g * a.pow(b) * a.log()) : nil
        return (ga, gb)
    }
}

extension Tensor {
    /// Elementwise `self + other * alpha` with broadcasting (PyTorch: `torch.add`).
    public func add(_ other: Tensor, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        binary(.add, self, alpha == 1 ? other : other.mul(alpha), file: file, line: line)
    }
    /// Elementwise `self - other * alpha` (PyTorch: `torch.sub`).
    public func sub(_ other: Tensor, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        binary(.sub, self, alpha == 1 ? other : other.mul(alpha), file: file, line: line)
    }
    /// Elementwise product (PyTorch: `torch.mul`).
    public func mul(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { binary(.mul, self, other, file: file, line: line) }
    /// Elementwise true division; integers divide as floats (PyTorch: `torch.div`).
    public func div(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { binary(.div, self, other, file: file, line: line) }
    /// Elementwise larger value, NaN-propagating (PyTorch: `torch.maximum`).
    public func maximum(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { binary(.maximum, self, other, file: file, line: line) }
    /// Elementwise smaller value, NaN-propagating (PyTorch: `torch.minimum`).
    public func minimum(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { binary(.minimum, self, other, file: file, line: line) }
    /// Elementwise power (PyTorch: `torch.pow`).
    public func pow(_ exponent: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { binary(.pow, self, exponent, file: file, line: line) }

    /// A 0-d tensor holding a Swift scalar, typed to combine with this tensor as PyTorch does.
    func scalarLike(_ value: Double, isFloating: Bool = true) -> Tensor {
        let t = Tensor(empty: [], strides: [], dtype: dtype.promotedWithScalar(isFloatingScalar: isFloating && value.rounded() != value))
        t.fillRaw(value)
        return t
    }

    /// `self + scalar` (PyTorch: `tensor + 2`).
    public func add(_ scalar: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor { scalarOp(.add, self, scalar, file: file, line: line) }
    /// `self - scalar`.
    public func sub(_ scalar: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor { scalarOp(.sub, self, scalar, file: file, line: line) }
    /// `self * scalar`.
    public func mul(_ scalar: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor { scalarOp(.mul, self, scalar, file: file, line: line) }
    /// `self / scalar`.
    public func div(_ scalar: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor { scalarOp(.div, self, scalar, file: file, line: line) }
    /// `self ** exponent` (PyTorch: `tensor.pow(2.0)`).
    public func pow(_ exponent: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        scalarOp(.pow, self, exponent, file: file, line: line)
    }

    /// Elementwise sum (PyTorch: `a + b`).
    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b) }
    /// Elementwise difference (PyTorch: `a - b`).
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.sub, a, b) }
    /// Elementwise product (PyTorch: `a * b`).
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.mul, a, b) }
    /// Elementwise true division (PyTorch: `a / b`).
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.div, a, b) }

    public static func + (a: Tensor, s: Double) -> Tensor { a.add(s) }
    public static func - (a: Tensor, s: Double) -> Tensor { a.sub(s) }
    public static func * (a: Tensor, s: Double) -> Tensor { a.mul(s) }
    public static func / (a: Tensor, s: Double) -> Tensor { a.div(s) }
    public static func + (s: Double, a: Tensor) -> Tensor { scalarOp(.add, a, s, scalarOnLeft: true) }
    public static func - (s: Double, a: Tensor) -> Tensor { scalarOp(.sub, a, s, scalarOnLeft: true) }
    public static func * (s: Double, a: Tensor) -> Tensor { scalarOp(.mul, a, s, scalarOnLeft: true) }
    public static func / (s: Double, a: Tensor) -> Tensor { scalarOp(.div, a, s, scalarOnLeft: true) }

    /// Elementwise negation (PyTorch: `-a`).
    public static prefix func - (a: Tensor) -> Tensor { a.neg() }
}
