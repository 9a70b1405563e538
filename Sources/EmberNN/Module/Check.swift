/// EmberNN's programming-error check, formatted as Ember's own (`[op] message (called from
/// file:line)`): a failed check stops the program with a message naming the layer or loss,
/// the shapes or values involved, and, where the public API captured it, the caller's location.
///
/// Ember's `check` is internal to the core module; this is its twin for EmberNN, and every
/// check in EmberNN goes through it, so a throwing scope can later be added here too.
@inline(__always)
func nnCheck(
    _ condition: Bool, _ op: StaticString, _ message: @autoclosure () -> String,
    file: StaticString = "", line: UInt = 0
) {
    if _slowPath(!condition) { nnFailure("\(op)", message(), file: file, line: line) }
}

/// Stops with a formatted EmberNN error message. An empty `file` leaves the location out
/// (used inside `forward`, which has no caller location to report).
func nnFailure(_ op: String, _ message: String, file: StaticString = "", line: UInt = 0) -> Never {
    let whereFrom = "\(file)".isEmpty ? "" : " (called from \(file):\(line))"
    fatalError("[\(op)] \(message)\(whereFrom)", file: file, line: line)
}
