/// In-place writes through views (PyTorch's `CopySlices` and view regeneration).
///
/// Every view records its base (`Tensor.viewBase`, the tensor that is not itself a view). An
/// in-place op on a view, when autograd records it, rewrites the *base's* history: the base's
/// node becomes `CopySlices(base's old node, the view's geometry, the in-place op's node)`.
/// Its backward takes the base's gradient, passes the slice at the view's geometry through the
/// in-place op's backward (which gives the gradient of the view's old value and of the op's
/// other inputs), and writes the first of those back into that slice; the rest of the base's
/// gradient flows to the base's old node unchanged. The view itself, and every other view of
/// the same base, then see the base's new history: a view's node is made anew, as the slice
/// of its base's current node (`AsStridedBackward0`), when the storage version shows that the
/// storage was written since the view's node was made.
///
/// A view's geometry is its shape, strides and offset relative to its base's: all views are
/// strided over one storage, so no per-op "redo the view" function is needed.

/// Where a view lies in its base: the base's layout and the view's, relative to the base.
struct ViewGeometry {
    let baseShape: [Int]
    let baseStrides: [Int]
    let baseIsContiguous: Bool
    let shape: [Int]
    let strides: [Int]
    /// The view's first element, in elements after the base's first element.
    let offset: Int

    init(view: Tensor, base: Tensor) {
        baseShape = base.shape
        baseStrides = base.strides
        baseIsContiguous = base.isContiguous
        shape = view.shape
        strides = view.strides
        offset = view.offset - base.offset
    }

    /// A copy of `t` (of the base's shape) laid out as the base is, in its own storage, so the
    /// view's geometry applies to it. With `reuse`, a tensor already laid out so is returned as is.
    func baseLayout(_ t: Tensor, reuse: Bool) -> Tensor {
        if baseIsContiguous {
            if reuse && t.isContiguous { return t.detach() }
            let out = Tensor(empty: baseShape, dtype: t.dtype)
            out.copyRaw(from: t)
            return out
        }
        let out = emptyBaseLayout(t.dtype)
        out.copyRaw(from: t)
        return out
    }

    /// Zeros of the base's shape, laid out as the base is.
    func zerosBaseLayout(_ dtype: DType) -> Tensor {
        if baseIsContiguous { return Tensor.zeros(baseShape, dtype: dtype) }
        let out = emptyBaseLayout(dtype)
        Tensor(storage: out.storage, shape: [out.storage.byteCount / dtype.itemSize], strides: [1], dtype: dtype).fillRaw(0)
        return out
    }

    /// An uninitialized tensor with the base's shape and strides, over a storage just large
    /// enough (the base's strides are never negative).
    private func emptyBaseLayout(_ dtype: DType) -> Tensor {
        var extent = 1
        for (n, s) in zip(baseShape, baseStrides) where n > 0 { extent += (n - 1) * s }
        if baseShape.contains(0) { extent = 1 }
        return Tensor(storage: Storage(byteCount: extent * dtype.itemSize), shape: baseShape, strides: baseStrides, dtype: dtype)
    }

    /// The view's elements inside `laidOut`, a tensor laid out as the base is.
    func slice(_ laidOut: Tensor) -> Tensor {
        Tensor(storage: laidOut.storage, shape: shape, strides: strides, offset: laidOut.offset + offset, dtype: laidOut.dtype)
    }
}

/// The elements of `t` (the base's shape) at the view's geometry. Differentiable: its
/// backward scatters into zeros at the same place (`embedAt`).
func viewAt(_ t: Tensor, _ geometry: ViewGeometry) -> Tensor {
    let out = geometry.slice(geometry.baseLayout(t, reuse: true))
    if needsGrad(t) {
        record("AsStridedBackward0", out, t) { g in [embedAt(g, geometry)] }
    }
    return out
}

/// Zeros of the base's shape with `g` written at the view's geometry: the gradient of a view
/// with respect to its base. Differentiable: its backward takes the same slice (`viewAt`).
func embedAt(_ g: Tensor, _ geometry: ViewGeometry) -> Tensor {
    let out = geometry.zerosBaseLayout(g.dtype)
    geometry.slice(out).copyRaw(from: g)
    if needsGrad(g) {
        record("AsStridedScatterBackward0", out, g) { gg in [viewAt(gg, geometry)] }
    }
    return out
}

/// A copy of `g` (the base's shape) whose elements at the view's geometry are replaced by
/// `value`, or by zeros without one. Differentiable in both.
func replaceAt(_ g: Tensor, _ geometry: ViewGeometry, _ value: Tensor?) -> Tensor {
    let out = geometry.baseLayout(g, reuse: false)
    if let value { geometry.slice(out).copyRaw(from: value) } else { geometry.slice(out).fillRaw(0) }
    if let value, needsGrad(g, value) {
        record("CopySlicesBackward", out, g, value) { gg in [replaceAt(gg, geometry, nil), viewAt(gg, geometry)] }
    } else if needsGrad(g) {
        record("CopySlicesBackward", out, g) { gg in [replaceAt(gg, geometry, nil)] }
    }
    return out
}

extension Tensor {
    /// The node of a view whose storage may have been written since its node was made
    /// (PyTorch: `VariableHooks::grad_fn`): unchanged while the storage version is the one
    /// seen last; otherwise, if the base takes part in autograd, the slice of the base's
    /// current history.
    @inline(never)
    func viewGradFn() -> Node? {
        guard let base = viewBase else { return storedGradFn }
        if storedGradFn == nil && !base.requiresGradFlag { return nil }
        let version = storage.version
        if viewVersion == version { return storedGradFn }
        viewVersion = version
        guard let edge = base.gradEdge else {
            storedGradFn = nil
            requiresGradFlag = false
            return nil
        }
        let geometry = ViewGeometry(view: self, base: base)
        storedGradFn = Node(name: "AsStridedBackward0", count: 1, edge, nil, file: unknownFile, line: 0) { g in
            [embedAt(g, geometry)]
        }
        requiresGradFlag = true
        return storedGradFn
    }

    /// Makes `node` this tensor's history after an in-place op (PyTorch: `rebase_history`).
    /// `node`'s input 0 must be this tensor's value before the op. For a view, the base's
    /// history is rewritten through `CopySlices` and the view's node becomes the slice of it.
    func rebaseHistory(_ node: Node, file: StaticString, line: UInt) {
        guard let base = viewBase else {
            gradFn = node
            requiresGradFlag = true
            return
        }
        let geometry = ViewGeometry(view: self, base: base)
        var edges: [Node?] = [base.gradEdge]
        for i in 1..<Swift.max(node.edgeCount, 1) { edges.append(node.edge(i)) }
        let opName = node.name
        base.storedGradFn = Node(name: "CopySlices", edges: edges, file: file, line: line) { g in
            guard let backward = node.backwardFn else {
                emberFailure("backward", "trying to backward through the graph a second time at node CopySlices (of \(opName)). Specify retainGraph: true if you need to backward through the graph again", file: file, line: line)
            }
            var grads = backward(viewAt(g, geometry))
            let written = grads.isEmpty ? nil : grads[0]
            let baseGrad = replaceAt(g, geometry, written)
            if grads.isEmpty { grads = [baseGrad] } else { grads[0] = baseGrad }
            return grads
        }
        base.requiresGradFlag = true
        // This view's values are now the slice of the base's new history.
        storedGradFn = Node(name: "AsStridedBackward0", count: 1, base.storedGradFn, nil, file: file, line: line) { g in
            [embedAt(g, geometry)]
        }
        viewVersion = storage.version
        requiresGradFlag = true
    }

    /// PyTorch's checks before an in-place op on a view when autograd records: the base is
    /// not a leaf that requires grad, and the view was not made where autograd was off.
    @inline(never)
    func checkInPlaceOnView(_ base: Tensor, _ op: StaticString, file: StaticString, line: UInt) {
        check(!(base.isLeaf && base.requiresGradFlag), op, "a view of a leaf Variable that requires grad is being used in an in-place operation; wrap the update in withNoGrad { } or write to a clone", file: file, line: line)
        check(!(base.requiresGradFlag && gradFn == nil), op, "a view was created in no-grad mode and is being modified in place with grad mode enabled. Given that this use case is ambiguous and error-prone, it is forbidden. Make the view and the in-place write both inside withNoGrad { } (if the write should not be recorded) or both outside it", file: file, line: line)
    }
}
