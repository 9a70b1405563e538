/// Overflow-checked sizes of a shape that comes from outside (a file header, a checkpoint):
/// what a reader asks before it makes a tensor, so that no size arithmetic can trap later.
///
/// A shape passes when its dimensions are non-negative and the bytes spanned by its row-major
/// layout, counting a zero-sized dimension as 1, fit in `Int`. That bounds the element count,
/// the byte count and every stride (`contiguousStrides`), even for an empty tensor such as
/// `[0, 4294967296, 4294967296]`, whose strides would overflow.
///
/// ```swift
/// guard let size = CheckedSize(shape: [2, 3], itemSize: 4) else { throw ... }
/// size.elements   // 6
/// size.bytes      // 24
/// ```
public struct CheckedSize: Sendable, Equatable {
    /// The number of elements (0 when a dimension is 0).
    public let elements: Int
    /// `elements × itemSize`.
    public let bytes: Int

    /// The sizes of `shape` with `itemSize`-byte elements, or nil when a dimension is
    /// negative or the layout does not fit in `Int` (see the type's description).
    public init?(shape: [Int], itemSize: Int) {
        guard itemSize > 0 else { return nil }
        var span = itemSize, elements = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (s, overflow) = span.multipliedReportingOverflow(by: Swift.max(d, 1))
            guard !overflow else { return nil }
            span = s
            elements *= d   // <= span / itemSize: cannot overflow
        }
        self.elements = elements
        bytes = elements * itemSize
    }
}
