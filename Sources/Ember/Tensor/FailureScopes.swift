import CEmberKernels

/// Something a failed check can name as where it happened: EmberNN's `Module` while its
/// forward runs (PyTorch's traceback points at the layer the same way).
package protocol FailureScope: AnyObject {
    /// How the failure message names this scope, given the outermost scope of the thread
    /// (the model the user called): e.g. `classifier.1 (Linear(in_features=100, ...))`.
    func failureScopeDescription(root: AnyObject) -> String
}

/// The scopes (modules) whose forward this thread is inside, kept as unretained pointers in a
/// C thread-local stack: entering and leaving costs two stores, and nothing is described
/// unless a check fails.
package enum FailureScopes {
    /// Marks `scope` as running on this thread until the matching `leave()`.
    @inline(__always)
    package static func enter(_ scope: AnyObject) { ember_scope_push(Unmanaged.passUnretained(scope).toOpaque()) }

    /// Ends the innermost scope.
    @inline(__always)
    package static func leave() { ember_scope_pop() }

    /// The innermost scope's description, or nil outside any.
    static func innermostDescription() -> String? {
        let depth = Swift.min(ember_scope_depth(), Int(EMBER_SCOPE_CAPACITY))
        guard depth > 0, let rootPointer = ember_scope_at(0), let innerPointer = ember_scope_at(depth - 1) else { return nil }
        let root = Unmanaged<AnyObject>.fromOpaque(rootPointer).takeUnretainedValue()
        let inner = Unmanaged<AnyObject>.fromOpaque(innerPointer).takeUnretainedValue()
        return (inner as? FailureScope)?.failureScopeDescription(root: root)
    }
}
