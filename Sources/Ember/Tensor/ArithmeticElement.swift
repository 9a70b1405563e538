#if canImport(Glibc)
import Glibc
#endif

/// Element types Ember does arithmetic in natively: float32, float64, int64, int32 and uint8.
/// (Half types compute in float32; bool arithmetic computes in uint8.) Integer arithmetic
/// wraps on overflow, as in PyTorch.
protocol ArithmeticElement: TensorElement, Comparable {
    static func add(_ a: Self, _ b: Self) -> Self
    static func sub(_ a: Self, _ b: Self) -> Self
    static func mul(_ a: Self, _ b: Self) -> Self
    static func div(_ a: Self, _ b: Self) -> Self
    static func power(_ a: Self, _ b: Self) -> Self
    static var zeroValue: Self { get }
    static var oneValue: Self { get }
    static var lowest: Self { get }
    static var highest: Self { get }
    var isNaNValue: Bool { get }
}

/// Visits the Swift type of an arithmetic dtype.
protocol ArithmeticVisitor {
    associatedtype Result
    func visit<T: ArithmeticElement>(_ type: T.Type) -> Result
}

extension DType {
    /// Runs `visitor` for an arithmetic dtype; callers convert half and bool inputs first.
    @inline(__always)
    func visitArithmetic<V: ArithmeticVisitor>(_ visitor: V) -> V.Result {
        switch self {
        case .float32: return visitor.visit(Float.self)
        case .float64: return visitor.visit(Double.self)
        case .int64: return visitor.visit(Int64.self)
        case .int32: return visitor.visit(Int32.self)
        case .uint8: return visitor.visit(UInt8.self)
        case .float16, .bfloat16, .bool: fatalError("[internal] \(self) must be converted before arithmetic")
        }
    }

    /// The dtype arithmetic is computed in for tensors of this dtype.
    var computeType: DType {
        switch self {
        case .float16, .bfloat16: return .float32
        case .bool: return .uint8
        default: return self
        }
    }
}

extension Float: ArithmeticElement {
    @inline(__always) static func add(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func sub(_ a: Float, _ b: Float) -> Float { a - b }
    @inline(__always) static func mul(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) static func div(_ a: Float, _ b: Float) -> Float { a / b }
    @inline(__always) static func power(_ a: Float, _ b: Float) -> Float { b == 2 ? a * a : powf(a, b) }
    static var zeroValue: Float { 0 }
    static var oneValue: Float { 1 }
    static var lowest: Float { -.infinity }
    static var highest: Float { .infinity }
    @inline(__always) var isNaNValue: Bool { isNaN }
}
extension Double: ArithmeticElement {
    @inline(__always) static func add(_ a: Double, _ b: Double) -> Double { a + b }
    @inline(__always) static func sub(_ a: Double, _ b: Double) -> Double { a - b }
    @inline(__always) static func mul(_ a: Double, _ b: Double) -> Double { a * b }
    @inline(__always) static func div(_ a: Double, _ b: Double) -> Double { a / b }
    @inline(__always) static func power(_ a: Double, _ b: Double) -> Double { b == 2 ? a * a : Glibc.pow(a, b) }
    static var zeroValue: Double { 0 }
    static var oneValue: Double { 1 }
    static var lowest: Double { -.infinity }
    static var highest: Double { .infinity }
    @inline(__always) var isNaNValue: Bool { isNaN }
}

/// Integer arithmetic shared by int64, int32 and uint8.
protocol WrappingIntegerElement: ArithmeticElement, FixedWidthInteger {}
extension WrappingIntegerElement {
    @inline(__always) static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inline(__always) static func sub(_ a: Self, _ b: Self) -> Self { a &- b }
    @inline(__always) static func mul(_ a: Self, _ b: Self) -> Self { a &* b }
    /// Floor division, as PyTorch's `//` on integers (division by zero gives 0 rather than trapping).
    @inline(__always) static func div(_ a: Self, _ b: Self) -> Self {
        if b == 0 { return 0 }
        let q = a / b
        return (a % b != 0) && ((a < 0) != (b < 0)) ? q - 1 : q
    }
    static func power(_ a: Self, _ b: Self) -> Self {
        if b < 0 { return a == 1 ? 1 : 0 }
        var result: Self = 1, base = a, e = b
        while e > 0 {
            if e & 1 == 1 { result = result &* base }
            base = base &* base
            e >>= 1
        }
        return result
    }
    static var zeroValue: Self { 0 }
    static var oneValue: Self { 1 }
    static var lowest: Self { .min }
    static var highest: Self { .max }
    @inline(__always) var isNaNValue: Bool { false }
}
extension Int64: WrappingIntegerElement {}
extension Int32: WrappingIntegerElement {}
extension UInt8: WrappingIntegerElement {}
