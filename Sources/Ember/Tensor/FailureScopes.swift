import CEmberKernels

/// Something a failed check can name as where it happened: EmberNN's `Module` while its
/// forward runs (PyTorch's traceback points at the layer the same way).
package protocol FailureScope: AnyObject {
    /// How the failure message names this scope, given the outermost scope of the thread
    /// (the model the user called): e.g. `classifier.1 (Linear(in_features=100, ...))`.
    func failureScopeDescription(root: AnyObject) -> String
}

/// The scopes (modules) whose forward this thread is inside, each with the file and line it
/// was called from, kept in a C thread-local stack of unretained pointers: entering and
/// leaving costs a few stores, and nothing is described unless a check fails.
package enum FailureScopes {
    /// Marks `scope`, called from `file`:`line`, as running on this thread until the
    /// matching `leave()`.
    @inline(__always)
    package static func enter(_ scope: AnyObject, file: StaticString, line: UInt) {
        let fileStart = file.hasPointerRepresentation ? file.utf8Start : nil
        ember_scope_push(Unmanaged.passUnretained(scope).toOpaque(), fileStart,
                         file.hasPointerRepresentation ? file.utf8CodeUnitCount : 0, line)
    }

    /// Marks a call from `file`:`line` into Ember that is not a module (a backward pass), so
    /// a failure inside it names the caller's line; ended by `leave()`.
    @inline(__always)
    package static func enterCallSite(file: StaticString, line: UInt) {
        ember_scope_push(nil, file.hasPointerRepresentation ? file.utf8Start : nil,
                         file.hasPointerRepresentation ? file.utf8CodeUnitCount : 0, line)
    }

    /// Ends the innermost scope.
    @inline(__always)
    package static func leave() { ember_scope_pop() }

    /// The innermost scope's description, or nil outside any.
    static func innermostDescription() -> String? {
        let depth = Swift.min(ember_scope_depth(), Int(EMBER_SCOPE_CAPACITY))
        let scopes = (0..<depth).compactMap { ember_scope_at($0).scope }
        guard let rootPointer = scopes.first, let innerPointer = scopes.last else { return nil }
        let root = Unmanaged<AnyObject>.fromOpaque(rootPointer).takeUnretainedValue()
        let inner = Unmanaged<AnyObject>.fromOpaque(innerPointer).takeUnretainedValue()
        return (inner as? FailureScope)?.failureScopeDescription(root: root)
    }

    /// The innermost call site on this thread's scope stack that lies in the user's code
    /// (not in one of Ember's own modules), as `file:line`, or nil when there is none.
    static func nearestUserCallSite() -> String? {
        let depth = Swift.min(ember_scope_depth(), Int(EMBER_SCOPE_CAPACITY))
        for i in stride(from: depth - 1, through: 0, by: -1) {
            let entry = ember_scope_at(i)
            guard let start = entry.file, entry.fileLength > 0 else { continue }
            let file = String(decoding: UnsafeBufferPointer(start: start, count: entry.fileLength), as: UTF8.self)
            if !isEmberFile(file) { return "\(file):\(entry.line)" }
        }
        return nil
    }

    /// Whether a `#fileID` names a file of Ember's own modules (`EmberNN/Linear.swift`).
    static func isEmberFile(_ fileID: String) -> Bool {
        emberModules.contains { fileID.hasPrefix($0) }
    }

    /// The module prefixes of Ember's libraries in a `#fileID`.
    private static let emberModules = ["Ember/", "EmberNN/", "EmberData/", "EmberOptim/", "EmberTrain/", "EmberDistributed/"]
}
