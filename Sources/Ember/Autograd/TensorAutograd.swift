extension Tensor {
    /// Whether autograd records operations on this tensor (PyTorch: `tensor.requires_grad`).
    public var requiresGrad: Bool { requiresGradFlag || gradFn != nil }

    /// True for tensors created by the user rather than by a recorded op (PyTorch: `tensor.is_leaf`).
    public var isLeaf: Bool { gradFn == nil }

    /// Sets whether autograd should record operations on this leaf tensor, returning it
    /// (PyTorch: `tensor.requires_grad_()`).
    @discardableResult
    public func requiresGrad_(_ on: Bool = true, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(isLeaf || on, "requiresGrad_", "you can only change requiresGrad flags of leaf tensors; use detach() to get a tensor that does not require grad", file: file, line: line)
        check(!on || dtype.isFloatingPoint, "requiresGrad_", "only tensors of floating point dtype can require gradients, got \(dtype)", file: file, line: line)
        requiresGradFlag = on
        // Made now, while one thread holds the leaf, not lazily by whichever thread first
        // records an op on it: threads sharing a parameter then only read `accumulator`.
        if on && accumulator == nil { accumulator = Node(accumulatorFor: self) }
        return self
    }

    /// A tensor sharing this one's storage that is not part of any graph (PyTorch: `tensor.detach()`).
    public func detach() -> Tensor {
        Tensor(storage: storage, shape: shape, strides: strides, offset: offset, dtype: dtype)
    }

    /// Detaches this tensor from its graph in place, making it a leaf (PyTorch: `tensor.detach_()`).
    /// A view stops being a view of its base (PyTorch refuses `detach_` on views instead).
    @discardableResult
    public func detach_() -> Tensor {
        viewBase = nil
        gradFn = nil
        requiresGradFlag = false
        return self
    }

    /// Keeps `.grad` for this non-leaf tensor after backward (PyTorch: `tensor.retain_grad()`).
    public func retainGrad() {
        guard !isLeaf, !retainsGradFlag else { return }
        retainsGradFlag = true
        gradFn!.preHooks.append { [weak self] g in
            guard let self else { return nil }
            self.grad = withNoGrad { self.grad.map { $0 + g } ?? g.detach() }
            return nil
        }
    }

    /// Whether `.grad` is kept for this non-leaf tensor (PyTorch: `tensor.retains_grad`).
    public var retainsGrad: Bool { retainsGradFlag }

    /// Registers a function called with this tensor's gradient whenever it is computed; it may
    /// return a replacement gradient or nil to keep it (PyTorch: `tensor.register_hook`).
    public func registerHook(file: StaticString = #fileID, line: UInt = #line, _ hook: @escaping (Tensor) -> Tensor?) {
        check(requiresGradFlag, "registerHook", "cannot register a hook on a tensor that doesn't require gradient", file: file, line: line)
        if let gradFn { gradFn.preHooks.append(hook) } else { leafHooks.append(hook) }
    }

    /// Computes the gradient of this tensor with respect to graph leaves and accumulates it
    /// into their `.grad` (PyTorch: `tensor.backward()`). Without `gradient`, the tensor must
    /// hold a single element. The graph is freed afterwards unless `retainGraph` is true;
    /// `createGraph` records the backward pass itself, for higher-order gradients.
    public func backward(
        gradient: Tensor? = nil, retainGraph: Bool? = nil, createGraph: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        check(requiresGrad, "backward", "element 0 of tensors does not require grad and does not have a grad_fn", file: file, line: line)
        let seed: Tensor
        if let gradient {
            check(gradient.shape == shape, "backward", "gradient has shape \(gradient.shape) but the tensor has shape \(shape)", file: file, line: line)
            seed = gradient
        } else {
            check(numel == 1, "backward", "grad can be implicitly created only for scalar outputs, but the tensor has shape \(shape); pass gradient:", file: file, line: line)
            seed = Tensor.onesLike(self)
        }
        _ = Engine.run(roots: [gradEdge!], grads: [seed], retainGraph: retainGraph ?? createGraph, createGraph: createGraph, file: file, line: line)
    }
}

/// Computes and returns the gradients of `outputs` with respect to `inputs` without touching
/// any `.grad` (PyTorch: `torch.autograd.grad`). An input the outputs do not depend on gets
/// nil when `allowUnused` is true, and is an error otherwise.
public func grad(
    outputs: [Tensor], inputs: [Tensor], gradOutputs: [Tensor]? = nil,
    retainGraph: Bool? = nil, createGraph: Bool = false, allowUnused: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> [Tensor?] {
    var roots: [Node] = []
    var seeds: [Tensor] = []
    for (i, out) in outputs.enumerated() {
        check(out.requiresGrad, "grad", "output \(i) does not require grad and does not have a grad_fn", file: file, line: line)
        let seed = gradOutputs?[i] ?? {
            check(out.numel == 1, "grad", "grad can be implicitly created only for scalar outputs; output \(i) has shape \(out.shape)", file: file, line: line)
            return Tensor.onesLike(out)
        }()
        roots.append(out.gradEdge!)
        seeds.append(seed)
    }
    let targets = inputs.enumerated().map { i, t -> Node in
        guard let e = t.gradEdge else { emberFailure("grad", "input \(i) does not require grad", file: file, line: line) }
        return e
    }
    let result = Engine.run(roots: roots, grads: seeds, retainGraph: retainGraph ?? createGraph, createGraph: createGraph, captureAt: targets, file: file, line: line)
    if !allowUnused {
        for (i, g) in result.enumerated() where g == nil {
            emberFailure("grad", "input \(i) was not used in the graph of the outputs; pass allowUnused: true if this is what you want", file: file, line: line)
        }
    }
    return result
}

/// Sums a broadcast gradient back to the shape of the input it flows to: the one place
/// broadcasting is undone for every op.
func sumToShape(_ g: Tensor, _ shape: [Int]) -> Tensor {
    if g.shape == shape { return g }
    let lead = g.dim - shape.count
    // Only leading dims were added by broadcasting (a bias): one reduction, no reshape.
    if lead > 0 && g.shape[lead...].elementsEqual(shape) {
        return g.sum(dims: Array(0..<lead))
    }
    var dims: [Int] = Array(0..<lead)
    for (i, s) in shape.enumerated() where s == 1 && g.shape[lead + i] != 1 { dims.append(lead + i) }
    let r = dims.isEmpty ? g : g.sum(dims: dims, keepDim: true)
    return r.shape == shape ? r : r.reshape(shape)
}
