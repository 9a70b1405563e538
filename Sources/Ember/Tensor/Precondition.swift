/// The one place Ember's programming-error checks go through.
///
/// A failed check stops the program, as an out-of-range array index does in Swift, with a
/// message naming the op, what was wrong, and the caller's file and line:
/// `[matmul] shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4) at main.swift:12`.
@inline(__always)
package func check(
    _ condition: Bool, _ op: StaticString, _ message: @autoclosure () -> String,
    file: StaticString, line: UInt
) {
    if _slowPath(!condition) { emberFailure(op, message(), file: file, line: line) }
}

/// Stops with a formatted Ember error message.
/// Operators such as `+` cannot take a caller location; they pass `unknownFile` and the
/// message then names only the op.
package func emberFailure(_ op: StaticString, _ message: String, file: StaticString, line: UInt) -> Never {
    let whereFrom = "\(file)".isEmpty ? "" : " (called from \(file):\(line))"
    fatalError("[\(op)] \(message)\(whereFrom)", file: file, line: line)
}

/// The location operators report: none.
let unknownFile: StaticString = ""

/// Resolves a possibly negative dimension index against a rank, trapping when out of range.
@inline(__always)
func normalizeDim(_ dim: Int, rank: Int, _ op: StaticString, file: StaticString, line: UInt) -> Int {
    let r = max(rank, 1)
    let d = dim < 0 ? dim + r : dim
    check(d >= 0 && d < r, op, "dimension \(dim) is out of range for a tensor of rank \(rank) (expected in [\(-r), \(r - 1)])", file: file, line: line)
    return d
}
