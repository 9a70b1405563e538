/// Saving and loading a module's state as a `TensorDict` with PyTorch's names, so state
/// dicts move between Ember and PyTorch through safetensors files.
extension Module {
    /// Parameters and persistent buffers by dotted name, in PyTorch's order: each module's
    /// own parameters, then its own buffers, then its children's state, depth first. The
    /// tensors are detached and share storage with the module (PyTorch: `state_dict()`);
    /// `keepVars` returns the tensors themselves. Shared tensors appear under every name.
    ///
    /// ```swift
    /// try save(model.stateDict(), to: "model.safetensors")   // loads in PyTorch
    /// ```
    public func stateDict(prefix: String = "", keepVars: Bool = false) -> TensorDict {
        var out = TensorDict()
        for (name, t) in stateEntries(prefix: prefix) {
            out[name] = keepVars ? t : t.detach()
        }
        return out
    }

    /// The state tensors by name, without detaching. Unlike `namedParameters`, a module
    /// reached twice is listed under both names (as PyTorch's `state_dict` does); only a
    /// module that contains itself is cut off.
    func stateEntries(prefix: String) -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        var path = Set<ObjectIdentifier>()
        func visit(_ m: Module, _ prefix: String) {
            guard path.insert(ObjectIdentifier(m)).inserted else { return }
            defer { path.remove(ObjectIdentifier(m)) }
            let e = m.entries
            for (name, slot) in e.parameters { if let t = slot.tensor { out.append((prefix + name, t)) } }
            for (name, slot) in e.buffers where slot.persistent { if let t = slot.tensor { out.append((prefix + name, t)) } }
            for (name, child) in e.children { visit(child, prefix + name + ".") }
        }
        visit(self, prefix.isEmpty || prefix.hasSuffix(".") ? prefix : prefix + ".")
        return out
    }

    /// Copies the tensors of `stateDict` into this module's parameters and buffers, in place
    /// and without recording gradients, so optimizers holding the parameters keep working
    /// (PyTorch: `load_state_dict(state_dict, strict=strict)`). Values are converted to each
    /// parameter's dtype, as PyTorch's `copy_` does.
    ///
    /// Everything is checked before anything is copied, so a failed load changes nothing.
    /// A shape mismatch always throws; with `strict` (the default), missing and unexpected
    /// keys throw too, and the `StateDictError` lists every problem at once. Without
    /// `strict`, the missing and unexpected keys are returned.
    ///
    /// ```swift
    /// try model.loadStateDict(load("model.safetensors"))
    /// let result = try backbone.loadStateDict(weights, strict: false)
    /// print(result.missingKeys, result.unexpectedKeys)
    /// ```
    @discardableResult
    public func loadStateDict(_ stateDict: TensorDict, strict: Bool = true) throws -> LoadStateDictResult {
        let expected = stateEntries(prefix: "")
        let expectedNames = Set(expected.map(\.0))
        var missing: [String] = []
        var mismatches: [StateDictError.ShapeMismatch] = []
        for (name, target) in expected {
            guard let source = stateDict[name] else {
                missing.append(name)
                continue
            }
            if source.shape != target.shape {
                mismatches.append(.init(key: name, checkpointShape: source.shape, modelShape: target.shape))
            }
        }
        let unexpected = stateDict.keys.filter { !expectedNames.contains($0) }
        if !mismatches.isEmpty || (strict && (!missing.isEmpty || !unexpected.isEmpty)) {
            throw StateDictError(moduleName: typeName, missingKeys: strict ? missing : [],
                                 unexpectedKeys: strict ? unexpected : [], shapeMismatches: mismatches)
        }
        withNoGrad {
            for (name, target) in expected {
                if let source = stateDict[name], source !== target { target.copy_(source) }
            }
        }
        return LoadStateDictResult(missingKeys: missing, unexpectedKeys: unexpected)
    }
}

/// The keys a non-strict `loadStateDict` could not match (PyTorch: the `_IncompatibleKeys`
/// named tuple that `load_state_dict` returns).
public struct LoadStateDictResult: Sendable, Equatable, CustomStringConvertible {
    /// Model state the dictionary did not provide (left unchanged).
    public var missingKeys: [String]
    /// Dictionary entries the model has no state for (ignored).
    public var unexpectedKeys: [String]

    /// Creates a result listing the given keys.
    public init(missingKeys: [String], unexpectedKeys: [String]) {
        self.missingKeys = missingKeys
        self.unexpectedKeys = unexpectedKeys
    }

    /// PyTorch's form: `<All keys matched successfully>` or the two lists.
    public var description: String {
        if missingKeys.isEmpty && unexpectedKeys.isEmpty { return "<All keys matched successfully>" }
        return "LoadStateDictResult(missingKeys: \(missingKeys), unexpectedKeys: \(unexpectedKeys))"
    }
}

/// Why a state dict could not be loaded: every missing key, unexpected key and shape
/// mismatch at once (PyTorch: the `RuntimeError` "Error(s) in loading state_dict for Net").
///
/// ```swift
/// do { try model.loadStateDict(weights) }
/// catch let error as StateDictError { print(error) }
/// // Error(s) in loading state_dict for Net:
/// //     Missing key(s) in state_dict: "fc2.bias".
/// //     size mismatch for fc1.weight: copying a param with shape [128, 100] from checkpoint, the shape in current model is [128, 784].
/// ```
public struct StateDictError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A tensor whose shape in the dictionary differs from the model's.
    public struct ShapeMismatch: Sendable, Equatable {
        /// The state-dict key.
        public var key: String
        /// The shape stored in the dictionary.
        public var checkpointShape: [Int]
        /// The shape the model's tensor has.
        public var modelShape: [Int]

        /// A mismatch of `key`'s shapes.
        public init(key: String, checkpointShape: [Int], modelShape: [Int]) {
            self.key = key
            self.checkpointShape = checkpointShape
            self.modelShape = modelShape
        }
    }

    /// The class of the module being loaded.
    public var moduleName: String
    /// Model state the dictionary did not provide (strict loading only).
    public var missingKeys: [String]
    /// Dictionary entries the model has no state for (strict loading only).
    public var unexpectedKeys: [String]
    /// Tensors whose shapes do not match.
    public var shapeMismatches: [ShapeMismatch]

    /// An error listing the given problems.
    public init(moduleName: String, missingKeys: [String], unexpectedKeys: [String], shapeMismatches: [ShapeMismatch]) {
        self.moduleName = moduleName
        self.missingKeys = missingKeys
        self.unexpectedKeys = unexpectedKeys
        self.shapeMismatches = shapeMismatches
    }

    /// PyTorch's message, one line per kind of problem.
    public var description: String {
        var lines = ["Error(s) in loading state_dict for \(moduleName):"]
        func quoted(_ keys: [String]) -> String { keys.map { "\"\($0)\"" }.joined(separator: ", ") }
        if !missingKeys.isEmpty { lines.append("\tMissing key(s) in state_dict: \(quoted(missingKeys)).") }
        if !unexpectedKeys.isEmpty { lines.append("\tUnexpected key(s) in state_dict: \(quoted(unexpectedKeys)).") }
        for m in shapeMismatches {
            lines.append("\tsize mismatch for \(m.key): copying a param with shape \(m.checkpointShape) from checkpoint, the shape in current model is \(m.modelShape).")
        }
        return lines.joined(separator: "\n")
    }
}
