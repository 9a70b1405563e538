/// The element type of a tensor, chosen at run time (PyTorch: `torch.dtype`).
///
/// `float32` is the default for floating-point data, `int64` for integer data and labels.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32, float64, float16, bfloat16, int64, int32, uint8, bool

    /// Bytes per element (PyTorch: `dtype.itemsize`).
    @inlinable public var itemSize: Int {
        switch self {
        case .float64, .int64: return 8
        case .float32, .int32: return 4
        case .float16, .bfloat16: return 2
        case .uint8, .bool: return 1
        }
    }

    /// True for the floating-point types (PyTorch: `dtype.is_floating_point`).
    @inlinable public var isFloatingPoint: Bool {
        switch self {
        case .float32, .float64, .float16, .bfloat16: return true
        default: return false
        }
    }

    /// True for half-precision types, which Ember computes in float32 and stores rounded.
    @inlinable public var isHalf: Bool { self == .float16 || self == .bfloat16 }

    /// The name PyTorch prints, e.g. `torch.float32`.
    public var description: String { "torch.\(rawValue)" }

    /// The dtype that arithmetic between two dtypes produces (PyTorch: `torch.promote_types`).
    public static func promote(_ a: DType, _ b: DType) -> DType {
        if a == b { return a }
        let order: [DType] = [.bool, .uint8, .int32, .int64, .bfloat16, .float16, .float32, .float64]
        // float16 with bfloat16 promotes to float32, as in PyTorch.
        if (a == .float16 && b == .bfloat16) || (a == .bfloat16 && b == .float16) { return .float32 }
        return order.firstIndex(of: a)! > order.firstIndex(of: b)! ? a : b
    }

    /// The dtype a tensor of `self` combined with a Swift scalar produces: integers stay
    /// integers with integer scalars, and become the default float with a floating scalar.
    @inlinable func promotedWithScalar(isFloatingScalar: Bool) -> DType {
        if isFloatingPoint { return self }
        if isFloatingScalar { return .float32 }
        return self == .bool ? .int64 : self
    }
}
