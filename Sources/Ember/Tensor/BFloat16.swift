/// Brain floating point: float32's exponent with a 7-bit mantissa (PyTorch: `torch.bfloat16`).
///
/// Stored as the upper 16 bits of a float32; conversions round to nearest even.
public struct BFloat16: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The raw 16 bits.
    public var bitPattern: UInt16

    /// Creates a value from its raw bits.
    @inlinable public init(bitPattern: UInt16) { self.bitPattern = bitPattern }

    /// Rounds a float32 to the nearest bfloat16 (ties to even; NaN stays NaN).
    @inlinable public init(_ value: Float) {
        let bits = value.bitPattern
        if value.isNaN { bitPattern = UInt16(truncatingIfNeeded: (bits >> 16) | 0x40); return }
        let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        bitPattern = UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    /// The exact float32 value.
    @inlinable public var float: Float { Float(bitPattern: UInt32(bitPattern) << 16) }

    public var description: String { float.description }
}
