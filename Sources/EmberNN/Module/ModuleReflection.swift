import Synchronization

/// The global structure generation: bumped whenever a module, parameter or buffer is created
/// and whenever a container (`Sequential`, `ModuleList`, `ModuleDict`) changes. A module's
/// cached reflection is rebuilt when the generation moved since it was taken, so replacing a
/// child (`model.fc = Linear(512, 10)`, which creates a module) is always seen, while a
/// training loop that builds no modules walks the cache only.
enum ModuleStructure {
    private static let generation = Atomic<Int>(0)

    /// Marks every module's cached reflection stale.
    static func changed() { generation.add(1, ordering: .relaxed) }

    /// The current generation.
    static var current: Int { generation.load(ordering: .relaxed) }

    /// Guards every module's `caches`, so threads sharing a module can call `parameters()`
    /// or run containers at once (held only to read or store a cache, never while reflecting).
    static let cacheLock = Locked(0)   // guards state kept elsewhere; the count is unused
}

/// A module's cached reflection and parameter list, each valid for one structure generation.
struct ModuleCaches: @unchecked Sendable {
    var entries: (generation: Int, value: ModuleEntries)?
    /// `parameters()` of the whole tree.
    var parameters: (generation: Int, tensors: [Tensor])?
}

/// What one module directly holds, in declaration order: parameter slots, buffer slots and
/// child modules, each with its PyTorch name.
struct ModuleEntries: @unchecked Sendable {
    var parameters: [(name: String, slot: any TensorSlot)] = []
    var buffers: [(name: String, slot: any BufferSlot)] = []
    var children: [(name: String, module: Module)] = []
}

extension Module {
    /// This module's direct entries, from the cache when the structure has not changed.
    var entries: ModuleEntries {
        let generation = ModuleStructure.current
        let cached = ModuleStructure.cacheLock.withLock { _ in caches.entries }
        if let cached, cached.generation == generation { return cached.value }
        let fresh = reflectEntries()
        ModuleStructure.cacheLock.withLock { _ in caches.entries = (generation, fresh) }
        return fresh
    }

    /// Finds parameters, buffers and children among the stored properties of this module's
    /// class and its superclasses (base classes first, as PyTorch registers them when
    /// `super().__init__()` runs first), skipping `Module`'s own bookkeeping.
    func reflectStoredProperties() -> ModuleEntries {
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror, m.subjectType != Module.self {
            mirrors.append(m)
            mirror = m.superclassMirror
        }
        var entries = ModuleEntries()
        for m in mirrors.reversed() {
            for child in m.children {
                guard let label = child.label, !label.contains("$") else { continue }
                entries.add(property: label, value: child.value)
            }
        }
        return entries
    }
}

extension ModuleEntries {
    /// Classifies one stored property: a `Parameter` or `Buffer` box (its wrapper storage
    /// `_name`), a module or optional module, or an array of modules (named `name.0`, ...,
    /// like a `ModuleList`). Anything else, plain tensors included, is not module state.
    mutating func add(property label: String, value: Any) {
        let stripped = label.hasPrefix("_") ? String(label.dropFirst()) : label
        if let buffer = value as? any BufferSlot {
            buffers.append((buffer.name ?? stripped, buffer))
        } else if let parameter = value as? any TensorSlot {
            parameters.append((parameter.name ?? stripped, parameter))
        } else if let module = value as? Module {
            children.append((label, module))
        } else if let list = value as? [Module] {
            for (i, module) in list.enumerated() { children.append(("\(label).\(i)", module)) }
        }
    }
}
