import Ember
import Testing

/// Shared helpers for Ember's test targets: where the fixtures live, and a tolerance
/// comparison of tensors that reports through Swift Testing.

/// The absolute path of `Tests/Fixtures`, found from this source file's location
/// (`Sources/EmberTestSupport/Support.swift` → the package root).
public func fixturesDirectory(filePath: String = #filePath) -> String {
    var parts = filePath.split(separator: "/", omittingEmptySubsequences: false)
    // Drop "Support.swift", "EmberTestSupport" and "Sources".
    parts.removeLast(3)
    return (parts + ["Tests", "Fixtures"]).joined(separator: "/")
}

/// Why `a` is not close to `b`, or nil when it is: the shapes must be equal and every pair
/// of values must satisfy `|a - b| <= atol + rtol * |b|` (PyTorch's `torch.allclose`), with
/// NaN equal to NaN and infinities equal only to the same infinity.
public func closeMismatch(_ a: Tensor, _ b: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8) -> String? {
    if a.shape != b.shape { return "shapes differ: \(a.shape) vs expected \(b.shape)" }
    let x = a.toArray(as: Double.self), y = b.toArray(as: Double.self)
    var bad: [Int] = []
    var worst = 0.0
    for i in 0..<x.count {
        let u = x[i], v = y[i]
        if u.isNaN || v.isNaN {
            if u.isNaN != v.isNaN { bad.append(i) }
            continue
        }
        if u.isInfinite || v.isInfinite {
            if u != v { bad.append(i) }
            continue
        }
        let err = Swift.abs(u - v)
        if err > atol + rtol * Swift.abs(v) {
            bad.append(i)
            worst = Swift.max(worst, err)
        }
    }
    if bad.isEmpty { return nil }
    let shown = bad.prefix(5).map { i in "[\(flatIndexDescription(i, b.shape))] \(x[i]) vs \(y[i])" }
    return "\(bad.count) of \(x.count) values differ (max abs error \(worst), rtol \(rtol), atol \(atol)): "
        + shown.joined(separator: ", ") + (bad.count > 5 ? ", ..." : "")
}

/// Records an issue unless `a` and `b` have the same shape and close values (NaN == NaN).
///
/// ```swift
/// assertClose(x.softmax(dim: 0), expected, rtol: 1e-6)
/// ```
public func assertClose(
    _ a: Tensor, _ b: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8, _ message: String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    if let why = closeMismatch(a, b, rtol: rtol, atol: atol) {
        Issue.record("\(message.isEmpty ? "" : message + ": ")\(why)", sourceLocation: sourceLocation)
    }
}

/// `[i, j, k]` for a row-major flat index into `shape`.
func flatIndexDescription(_ flat: Int, _ shape: [Int]) -> String {
    var rem = flat
    var index = [Int](repeating: 0, count: shape.count)
    for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] > 0 {
        index[d] = rem % shape[d]
        rem /= shape[d]
    }
    return index.map(String.init).joined(separator: ", ")
}
