/// A Swift type that can be stored in a tensor: `Float`, `Double`, `Float16`, `BFloat16`,
/// `Int64`, `Int32`, `UInt8` and `Bool`.
///
/// Kernels are written once over this protocol and specialized by the compiler; each op
/// switches on the runtime `DType` once, never per element.
public protocol TensorElement: Sendable {
    /// The runtime dtype matching this Swift type.
    static var dtype: DType { get }
    /// Converts from a Double, rounding or truncating as a cast in PyTorch does.
    init(double: Double)
    /// The value as a Double.
    var double: Double { get }
}

extension Float: TensorElement {
    public static var dtype: DType { .float32 }
    @inlinable public init(double: Double) { self = Float(double) }
    @inlinable public var double: Double { Double(self) }
}
extension Double: TensorElement {
    public static var dtype: DType { .float64 }
    @inlinable public init(double: Double) { self = double }
    @inlinable public var double: Double { self }
}
extension Float16: TensorElement {
    public static var dtype: DType { .float16 }
    @inlinable public init(double: Double) { self = Float16(Float(double)) }
    @inlinable public var double: Double { Double(Float(self)) }
}
extension BFloat16: TensorElement {
    public static var dtype: DType { .bfloat16 }
    @inlinable public init(double: Double) { self = BFloat16(Float(double)) }
    @inlinable public var double: Double { Double(float) }
}
extension Int64: TensorElement {
    public static var dtype: DType { .int64 }
    @inlinable public init(double: Double) {
        self = double.isFinite ? Int64(exactly: double.rounded(.towardZero)) ?? (double < 0 ? .min : .max) : (double.isNaN ? 0 : (double < 0 ? .min : .max))
    }
    @inlinable public var double: Double { Double(self) }
}
extension Int32: TensorElement {
    public static var dtype: DType { .int32 }
    @inlinable public init(double: Double) { self = Int32(truncatingIfNeeded: Int64(double: double)) }
    @inlinable public var double: Double { Double(self) }
}
extension UInt8: TensorElement {
    public static var dtype: DType { .uint8 }
    @inlinable public init(double: Double) { self = UInt8(truncatingIfNeeded: Int64(double: double)) }
    @inlinable public var double: Double { Double(self) }
}
extension Bool: TensorElement {
    public static var dtype: DType { .bool }
    @inlinable public init(double: Double) { self = double != 0 }
    @inlinable public var double: Double { self ? 1 : 0 }
}

#if canImport(Glibc)
import Glibc
#endif

/// The floating-point types Ember computes transcendental functions in: float32 and float64
/// (half types compute in float32).
protocol FloatElement: ArithmeticElement, BinaryFloatingPoint {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func log1p(_ x: Self) -> Self
    static func expm1(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func cos(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func erf(_ x: Self) -> Self
}

extension Float: FloatElement {
    @inline(__always) static func exp(_ x: Float) -> Float { expf(x) }
    @inline(__always) static func log(_ x: Float) -> Float { logf(x) }
    @inline(__always) static func log1p(_ x: Float) -> Float { log1pf(x) }
    @inline(__always) static func expm1(_ x: Float) -> Float { expm1f(x) }
    @inline(__always) static func sin(_ x: Float) -> Float { sinf(x) }
    @inline(__always) static func cos(_ x: Float) -> Float { cosf(x) }
    @inline(__always) static func tanh(_ x: Float) -> Float { tanhf(x) }
    @inline(__always) static func erf(_ x: Float) -> Float { erff(x) }
}

extension Double: FloatElement {
    @inline(__always) static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inline(__always) static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inline(__always) static func log1p(_ x: Double) -> Double { Glibc.log1p(x) }
    @inline(__always) static func expm1(_ x: Double) -> Double { Glibc.expm1(x) }
    @inline(__always) static func sin(_ x: Double) -> Double { Glibc.sin(x) }
    @inline(__always) static func cos(_ x: Double) -> Double { Glibc.cos(x) }
    @inline(__always) static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
    @inline(__always) static func erf(_ x: Double) -> Double { Glibc.erf(x) }
}

/// Visits the Swift type of a float32 or float64 dtype.
protocol FloatVisitor {
    associatedtype Result
    func visit<T: FloatElement>(_ type: T.Type) -> Result
}

extension DType {
    /// Runs `visitor` for float32 or float64; other dtypes are converted by the caller.
    @inline(__always)
    func visitFloat<V: FloatVisitor>(_ visitor: V) -> V.Result {
        switch self {
        case .float64: return visitor.visit(Double.self)
        case .float32: return visitor.visit(Float.self)
        default: fatalError("[internal] \(self) must be converted to float32 or float64 first")
        }
    }
}
