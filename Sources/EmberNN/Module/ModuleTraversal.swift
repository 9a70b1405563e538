import Synchronization

/// Walking a module tree: parameters, buffers, children and descendants in PyTorch's order
/// (a module's own parameters, then its children's, depth first), and the switches that
/// apply to the whole tree.
extension Module {
    /// Every module of the tree with its dotted name, depth first, each once
    /// (PyTorch: `named_modules()`). The root is named `prefix` (empty by default).
    public func namedModules(prefix: String = "") -> [(name: String, module: Module)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(name: String, module: Module)] = []
        func visit(_ m: Module, _ name: String) {
            guard seen.insert(ObjectIdentifier(m)).inserted else { return }
            out.append((name, m))
            for (childName, child) in m.entries.children {
                visit(child, name.isEmpty ? childName : name + "." + childName)
            }
        }
        visit(self, prefix)
        return out
    }

    /// Every module of the tree, this one first, each once (PyTorch: `modules()`).
    public func modules() -> [Module] {
        namedModules().map(\.module)
    }

    /// The direct children with their names (PyTorch: `named_children()`).
    public func namedChildren() -> [(name: String, module: Module)] {
        var seen = Set<ObjectIdentifier>()
        return entries.children.filter { seen.insert(ObjectIdentifier($0.module)).inserted }
    }

    /// The direct children (PyTorch: `children()`).
    public func children() -> [Module] {
        namedChildren().map(\.module)
    }

    /// Every parameter with its dotted name, each tensor once even when shared
    /// (PyTorch: `named_parameters()`). With `recurse: false`, only this module's own.
    public func namedParameters(prefix: String = "", recurse: Bool = true) -> [(name: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(name: String, tensor: Tensor)] = []
        for (moduleName, m) in recurse ? namedModules(prefix: prefix) : [(prefix, self)] {
            for (name, slot) in m.entries.parameters {
                guard let t = slot.tensor, seen.insert(ObjectIdentifier(t)).inserted else { continue }
                out.append((moduleName.isEmpty ? name : moduleName + "." + name, t))
            }
        }
        return out
    }

    /// Every parameter, each once (PyTorch: `parameters()`). This is what an optimizer takes.
    /// The list is cached until a module or parameter is created or replaced, so calling it
    /// every step costs an array copy.
    public func parameters(recurse: Bool = true) -> [Tensor] {
        let generation = ModuleStructure.current
        if recurse, let cache = ModuleStructure.cacheLock.withLock({ _ in caches.parameters }), cache.generation == generation {
            return cache.tensors
        }
        var seen = Set<ObjectIdentifier>()
        var out: [Tensor] = []
        for m in recurse ? modules() : [self] {
            for (_, slot) in m.entries.parameters {
                if let t = slot.tensor, seen.insert(ObjectIdentifier(t)).inserted { out.append(t) }
            }
        }
        if recurse { ModuleStructure.cacheLock.withLock { _ in caches.parameters = (generation, out) } }
        return out
    }

    /// Every buffer with its dotted name, non-persistent ones included (PyTorch: `named_buffers()`).
    public func namedBuffers(prefix: String = "", recurse: Bool = true) -> [(name: String, tensor: Tensor)] {
        var seen = Set<ObjectIdentifier>()
        var out: [(name: String, tensor: Tensor)] = []
        for (moduleName, m) in recurse ? namedModules(prefix: prefix) : [(prefix, self)] {
            for (name, slot) in m.entries.buffers {
                guard let t = slot.tensor, seen.insert(ObjectIdentifier(t)).inserted else { continue }
                out.append((moduleName.isEmpty ? name : moduleName + "." + name, t))
            }
        }
        return out
    }

    /// Every buffer (PyTorch: `buffers()`).
    public func buffers(recurse: Bool = true) -> [Tensor] {
        namedBuffers(recurse: recurse).map(\.tensor)
    }

    /// The number of parameter elements, each shared tensor counted once
    /// (PyTorch: `sum(p.numel() for p in model.parameters())`).
    public var numParameters: Int {
        parameters().reduce(0) { $0 + $1.numel }
    }

    /// The number of elements in parameters that require grad.
    public var numTrainableParameters: Int {
        parameters().reduce(0) { $0 + ($1.requiresGrad ? $1.numel : 0) }
    }

    /// Sets training mode on this module and every descendant (PyTorch: `module.train(mode)`).
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for m in modules() { m.training = mode }
        return self
    }

    /// Sets evaluation mode on the whole tree: Dropout passes inputs through and BatchNorm
    /// uses its running statistics (PyTorch: `module.eval()`).
    @discardableResult
    public func eval() -> Self {
        train(false)
    }

    /// Clears every parameter's gradient: sets it to nil (the default, cheaper) or fills it
    /// with zeros (PyTorch: `module.zero_grad(set_to_none=True)`).
    public func zeroGrad(setToNone: Bool = true) {
        for p in parameters() {
            if setToNone {
                p.grad = nil
            } else if let g = p.grad {
                withNoGrad {
                    g.detach_()
                    g.zero_()
                }
            }
        }
    }

    /// Calls `fn` on every descendant and then on this module, children first
    /// (PyTorch: `module.apply(fn)`), e.g. to re-initialize every `Linear`.
    ///
    /// ```swift
    /// model.apply { m in if let l = m as? Linear { Init.xavierUniform_(l.weight) } }
    /// ```
    @discardableResult
    public func apply(_ fn: (Module) -> Void) -> Self {
        var seen = Set<ObjectIdentifier>()
        func visit(_ m: Module) {
            guard seen.insert(ObjectIdentifier(m)).inserted else { return }
            for (_, child) in m.entries.children { visit(child) }
            fn(m)
        }
        visit(self)
        return self
    }

    /// Turns gradient recording on or off for every parameter, e.g. to freeze a pretrained
    /// backbone (PyTorch: `module.requires_grad_(requires_grad)`).
    @discardableResult
    public func requiresGrad_(_ on: Bool = true) -> Self {
        for p in parameters() where p.dtype.isFloatingPoint { p.requiresGrad_(on) }
        return self
    }
}
