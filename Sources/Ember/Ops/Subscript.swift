/// One entry of a subscript: an integer (removes the dim), a range (keeps it), every entry,
/// a new size-1 axis, or an ellipsis standing for all remaining dims (PyTorch's `t[0, 1:3, ..., None]`).
public enum TensorIndex: Sendable {
    case index(Int)
    case slice(start: Int?, end: Int?, step: Int)
    case all
    case newAxis
    case ellipsis
}

/// Values usable inside a tensor subscript: `Int`, Swift ranges, and `TensorIndex`.
public protocol TensorIndexConvertible {
    /// The subscript entry this value stands for.
    var tensorIndex: TensorIndex { get }
}

extension TensorIndex: TensorIndexConvertible { public var tensorIndex: TensorIndex { self } }
extension Int: TensorIndexConvertible { public var tensorIndex: TensorIndex { .index(self) } }
extension Range<Int>: TensorIndexConvertible { public var tensorIndex: TensorIndex { .slice(start: lowerBound, end: upperBound, step: 1) } }
extension ClosedRange<Int>: TensorIndexConvertible { public var tensorIndex: TensorIndex { .slice(start: lowerBound, end: upperBound + 1, step: 1) } }
extension PartialRangeFrom<Int>: TensorIndexConvertible { public var tensorIndex: TensorIndex { .slice(start: lowerBound, end: nil, step: 1) } }
extension PartialRangeUpTo<Int>: TensorIndexConvertible { public var tensorIndex: TensorIndex { .slice(start: nil, end: upperBound, step: 1) } }
extension PartialRangeThrough<Int>: TensorIndexConvertible { public var tensorIndex: TensorIndex { .slice(start: nil, end: upperBound + 1, step: 1) } }

extension Tensor {
    /// A view selected by integers and ranges, one per leading dim (PyTorch: `t[1, 2:4]`).
    /// Integers remove their dim; ranges keep it; `.all`, `.newAxis` and `.ellipsis` work as
    /// `:`, `None` and `...`. Assigning copies values into the selected view.
    ///
    /// ```swift
    /// let row = m[0]            // first row
    /// let block = m[1..<3, ...] // rows 1 and 2
    /// m[0, 0..<2] = Tensor([9, 9] as [Float])
    /// ```
    public subscript(_ indices: any TensorIndexConvertible..., file file: StaticString = #fileID, line line: UInt = #line) -> Tensor {
        get { indexed(indices.map(\.tensorIndex), file: file, line: line) }
        set { indexed(indices.map(\.tensorIndex), file: file, line: line).copy_(newValue, file: file, line: line) }
    }

    /// Applies a list of subscript entries.
    public func indexed(_ indices: [TensorIndex], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let consuming = indices.filter { if case .newAxis = $0 { return false }; if case .ellipsis = $0 { return false }; return true }.count
        check(consuming <= dim, "index", "too many indices for tensor of dimension \(dim) (got \(consuming))", file: file, line: line)
        var result = self
        var d = 0
        for entry in indices {
            switch entry {
            case .index(let i):
                result = result.select(d, i, file: file, line: line)
            case .slice(let start, let end, let step):
                result = result.slice(d, start ?? 0, end ?? result.shape[d], step: step, file: file, line: line)
                d += 1
            case .all:
                d += 1
            case .newAxis:
                result = result.unsqueeze(d, file: file, line: line)
                d += 1
            case .ellipsis:
                d += dim - consuming
            }
        }
        return result
    }
}
