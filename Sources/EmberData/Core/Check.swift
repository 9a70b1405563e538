/// EmberData's one programming-error check, in Ember's format:
/// `[DataLoader] batchSize must be positive, got 0 (called from main.swift:12)`.
///
/// Like Ember's own checks it traps (a bad argument is a bug to fix, not a condition to
/// handle); data from outside (files) throws `DataError` instead.
@inline(__always)
func dataCheck(
    _ condition: Bool, _ op: StaticString, _ message: @autoclosure () -> String,
    file: StaticString, line: UInt
) {
    if _slowPath(!condition) { dataFailure(op, message(), file: file, line: line) }
}

/// Stops with a formatted EmberData error message.
func dataFailure(_ op: StaticString, _ message: String, file: StaticString, line: UInt) -> Never {
    fatalError("[\(op)] \(message) (called from \(file):\(line))", file: file, line: line)
}
