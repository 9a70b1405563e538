infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence
infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence

/// Elementwise comparisons, logical ops and selection; all give bool tensors and carry no gradient.
enum CompareOp { case eq, ne, lt, le, gt, ge }

/// A comparison named by a type, so kernels specialize and inline it.
protocol CompareTag { static func apply<T: Comparable>(_ x: T, _ y: T) -> Bool }
enum EqTag: CompareTag { @inline(__always) static func apply<T: Comparable>(_ x: T, _ y: T) -> Bool { x == y } }
enum NeTag: CompareTag { @inline(__always) static func apply<T: Comparable>(_ x: T, _ y: T) -> Bool { x != y } }
enum LtTag: CompareTag { @inline(__always) static func apply<T: Comparable>(_ x: T, _ y: T) -> Bool { x < y } }
enum LeTag: CompareTag { @inline(__always) static func apply<T: Comparable>(_ x: T, _ y: T) -> Bool { x <= y } }
enum GtTag: CompareTag { @inline(__always) static func apply<T: Comparable>(_ x: T, _ y: T) -> Bool { x > y } }
enum GeTag: CompareTag { @inline(__always) static func apply<T: Comparable>(_ x: T, _ y: T) -> Bool { x >= y } }

struct CompareFn<T: Comparable, Tag: CompareTag>: BinaryMap {
    @inline(__always) func callAsFunction(_ x: T, _ y: T) -> Bool { Tag.apply(x, y) }
}

private struct CompareKernel: ArithmeticVisitor {
    let op: CompareOp, a: Tensor, b: Tensor, out: Tensor
    func visit<T: ArithmeticElement>(_: T.Type) {
        switch op {
        case .eq: mapBinary(a, b, into: out, CompareFn<T, EqTag>())
        case .ne: mapBinary(a, b, into: out, CompareFn<T, NeTag>())
        case .lt: mapBinary(a, b, into: out, CompareFn<T, LtTag>())
        case .le: mapBinary(a, b, into: out, CompareFn<T, LeTag>())
        case .gt: mapBinary(a, b, into: out, CompareFn<T, GtTag>())
        case .ge: mapBinary(a, b, into: out, CompareFn<T, GeTag>())
        }
    }
}

func compare(_ op: CompareOp, _ a: Tensor, _ b: Tensor, file: StaticString = unknownFile, line: UInt = 0) -> Tensor {
    let shape = broadcastShapes(a.shape, b.shape, op: "compare", file: file, line: line)
    let compute = DType.promote(a.dtype, b.dtype).computeType
    let out = Tensor(empty: shape, dtype: .bool)
    compute.visitArithmetic(CompareKernel(op: op, a: a.convertedRaw(compute).broadcastRaw(shape), b: b.convertedRaw(compute).broadcastRaw(shape), out: out))
    return out
}

private struct PredicateKernel: FloatVisitor {
    let x: Tensor, out: Tensor, kind: Int
    func visit<T: FloatElement>(_: T.Type) {
        switch kind {
        case 0: mapUnary(x, into: out) { (v: T) in v.isNaN }
        case 1: mapUnary(x, into: out) { (v: T) in v.isInfinite }
        default: mapUnary(x, into: out) { (v: T) in v.isFinite }
        }
    }
}

extension Tensor {
    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare(.eq, a, b) }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { compare(.ne, a, b) }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare(.lt, a, b) }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare(.le, a, b) }
    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare(.gt, a, b) }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare(.ge, a, b) }
    /// Elementwise `==` against a scalar, giving a bool tensor (PyTorch: `t == 2`).
    public static func .== (a: Tensor, s: Double) -> Tensor { compare(.eq, a, a.scalarLike(s)) }
    public static func .!= (a: Tensor, s: Double) -> Tensor { compare(.ne, a, a.scalarLike(s)) }
    public static func .< (a: Tensor, s: Double) -> Tensor { compare(.lt, a, a.scalarLike(s)) }
    public static func .<= (a: Tensor, s: Double) -> Tensor { compare(.le, a, a.scalarLike(s)) }
    public static func .> (a: Tensor, s: Double) -> Tensor { compare(.gt, a, a.scalarLike(s)) }
    public static func .>= (a: Tensor, s: Double) -> Tensor { compare(.ge, a, a.scalarLike(s)) }

    /// Elementwise equality (PyTorch: `torch.eq`).
    public func eq(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { compare(.eq, self, other, file: file, line: line) }
    /// Elementwise inequality (PyTorch: `torch.ne`).
    public func ne(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { compare(.ne, self, other, file: file, line: line) }
    /// Elementwise `<` (PyTorch: `torch.lt`).
    public func lt(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { compare(.lt, self, other, file: file, line: line) }
    /// Elementwise `<=` (PyTorch: `torch.le`).
    public func le(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { compare(.le, self, other, file: file, line: line) }
    /// Elementwise `>` (PyTorch: `torch.gt`).
    public func gt(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { compare(.gt, self, other, file: file, line: line) }
    /// Elementwise `>=` (PyTorch: `torch.ge`).
    public func ge(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { compare(.ge, self, other, file: file, line: line) }

    /// Elementwise logical and of truth values (PyTorch: `torch.logical_and`).
    public func logicalAnd(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let shape = broadcastShapes(shape, other.shape, op: "logicalAnd", file: file, line: line)
        let out = Tensor(empty: shape, dtype: .bool)
        mapBinary(self.bool().broadcastRaw(shape), other.bool().broadcastRaw(shape), into: out) { (x: Bool, y: Bool) in x && y }
        return out
    }
    /// Elementwise logical or (PyTorch: `torch.logical_or`).
    public func logicalOr(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let shape = broadcastShapes(shape, other.shape, op: "logicalOr", file: file, line: line)
        let out = Tensor(empty: shape, dtype: .bool)
        mapBinary(self.bool().broadcastRaw(shape), other.bool().broadcastRaw(shape), into: out) { (x: Bool, y: Bool) in x || y }
        return out
    }
    /// Elementwise logical not (PyTorch: `torch.logical_not`).
    public func logicalNot() -> Tensor {
        let out = Tensor(empty: shape, dtype: .bool)
        mapUnary(self.bool(), into: out) { (x: Bool) in !x }
        return out
    }

    private func floatPredicate(_ kind: Int, whenNotFloat: Bool) -> Tensor {
        guard dtype.isFloatingPoint else { return Tensor.full(shape, whenNotFloat ? 1 : 0, dtype: .bool) }
        let out = Tensor(empty: shape, dtype: .bool)
        let x = convertedRaw(dtype.computeType)
        x.dtype.visitFloat(PredicateKernel(x: x, out: out, kind: kind))
        return out
    }
    /// True where the value is NaN (PyTorch: `torch.isnan`).
    public func isnan() -> Tensor { floatPredicate(0, whenNotFloat: false) }
    /// True where the value is ±infinity (PyTorch: `torch.isinf`).
    public func isinf() -> Tensor { floatPredicate(1, whenNotFloat: false) }
    /// True where the value is neither NaN nor infinite (PyTorch: `torch.isfinite`).
    public func isfinite() -> Tensor { floatPredicate(2, whenNotFloat: true) }

    /// Picks `a` where `condition` is true and `b` elsewhere, broadcasting all three
    /// (PyTorch: `torch.where`). Differentiable in `a` and `b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let shape = broadcastShapes(broadcastShapes(condition.shape, a.shape, op: "where", file: file, line: line), b.shape, op: "where", file: file, line: line)
        let outType = DType.promote(a.dtype, b.dtype)
        let out = Tensor(empty: shape, dtype: outType)
        outType.visit(WhereKernel(c: condition.bool().broadcastRaw(shape), a: a.convertedRaw(outType).broadcastRaw(shape), b: b.convertedRaw(outType).broadcastRaw(shape), out: out))
        if needsGrad(a, b) && outType.isFloatingPoint {
            let aShape = a.shape, bShape = b.shape, cond = condition
            record("WhereBackward0", out, inputs: [a, b], file: file, line: line) { g in
                let zero = Tensor.zeros([], dtype: g.dtype)
                return [sumToShape(Tensor.where(cond, g, zero), aShape), sumToShape(Tensor.where(cond, zero, g), bShape)]
            }
        }
        return out
    }

    /// `where` with a scalar for the false branch.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Double) -> Tensor {
        Tensor.where(condition, a, a.scalarLike(b))
    }
}

private struct WhereKernel: ElementVisitor {
    let c: Tensor, a: Tensor, b: Tensor, out: Tensor
    func visit<T: TensorElement>(_: T.Type) {
        mapTernary(c, a, b, into: out) { (m: Bool, x: T, y: T) in m ? x : y }
    }
}
