#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place every programming-error check of Ember's modules goes through (Ember,
/// EmberNN, EmberData, EmberOptim, EmberTrain), so the message format, the location and a
/// future recoverable-error scope live here.
///
/// A failed check stops the program, as an out-of-range array index does in Swift, with a
/// message naming the op, what was wrong, and the caller's file and line:
/// `[matmul] shapes [2, 3] and [4, 5] cannot be multiplied (3 != 4) (called from main.swift:12)`;
/// inside a module's forward it also names the module being run, as a PyTorch traceback
/// points at the layer: `in classifier.1 (Linear(in_features=100, out_features=10, bias=True))`.
@inline(__always)
package func check(
    _ condition: Bool, _ op: StaticString, _ message: @autoclosure () -> String,
    file: StaticString = "", line: UInt = 0
) {
    if _slowPath(!condition) { emberFailure("\(op)", message(), file: file, line: line) }
}

/// Stops with a formatted Ember error message. Operators such as `+` cannot take a caller
/// location; they pass `unknownFile` and the message then names the op and, inside a
/// module's forward, the module.
package func emberFailure(_ op: StaticString, _ message: String, file: StaticString, line: UInt) -> Never {
    emberFailure("\(op)", message, file: file, line: line)
}

/// `emberFailure` for an op name built at run time (`"Linear.forward"`).
///
/// The message goes to standard error as `Fatal error: [op] message (called from main.swift:12)`
/// (no location where none is known: an operator outside any module), then the process stops
/// with SIGABRT, which the Swift runtime's crash handler turns into a backtrace.
package func emberFailure(_ op: String, _ message: String, file: StaticString = "", line: UInt = 0) -> Never {
    // A location inside Ember's own code (an op called by a layer) is replaced by the user's
    // line that ran the layer, when a module's forward is running.
    // Where no user line is known (a dataset's subscript called by the DataLoader), the
    // check's own place in Ember is named as such.
    let given = "\(file)"
    let isEmbers = FailureScopes.isEmberFile(given)
    let site = given.isEmpty || isEmbers ? FailureScopes.nearestUserCallSite() : "\(given):\(line)"
    let whereFrom = site.map { " (called from \($0))" } ?? (isEmbers ? " (checked in Ember's \(given):\(line))" : "")
    let scope = FailureScopes.innermostDescription().map { "\n  in \($0)" } ?? ""
    let text = "Fatal error: [\(op)] \(message)\(whereFrom)\(scope)\n"
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        if written <= 0 { break }
        bytes = bytes.dropFirst(written)
    }
    abort()
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
