import EmberData
import Synchronization

/// The first error a dataset met while decoding in a `DataLoader`'s worker, where a subscript
/// cannot throw (PyTorch re-raises a worker's exception in the main process; here the loop that
/// drives the loader asks `check()` after each batch or epoch).
///
/// ```swift
/// for batch in loader { ...; try folder.errors.check() }
/// ```
public final class DecodeErrorLog: Sendable {
    private let first = Mutex<DataError?>(nil)

    /// An empty log.
    public init() {}

    /// Records `error` unless an earlier one is already recorded.
    public func record(_ error: DataError) {
        first.withLock { if $0 == nil { $0 = error } }
    }

    /// The first error recorded, or nil.
    public var error: DataError? { first.withLock { $0 } }

    /// Throws the first error recorded, if any.
    public func check() throws(DataError) {
        if let e = error { throw e }
    }
}
