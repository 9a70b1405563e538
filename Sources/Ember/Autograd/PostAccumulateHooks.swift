import Synchronization

/// Removes the hook it was returned for (PyTorch: `torch.utils.hooks.RemovableHandle`).
public struct HookHandle: Sendable {
    let id: Int
    weak var node: Node?

    /// Removes the hook; removing it twice does nothing (PyTorch: `handle.remove()`).
    public func remove() {
        node?.postAccumulateHooks.removeAll { $0.id == id }
    }
}

private let nextHookID = Atomic<Int>(0)

extension Tensor {
    /// Registers `hook`, called with this leaf each time backward has accumulated a gradient
    /// into its `.grad` (PyTorch: `tensor.register_post_accumulate_grad_hook(hook)`). Data-parallel
    /// training uses it to start reducing a parameter's gradient as soon as it is ready, while
    /// backward goes on with the layers below. Register hooks while no backward pass runs.
    ///
    /// ```swift
    /// let handle = weight.registerPostAccumulateGradHook { w in print(w.grad!.shape) }
    /// loss.backward()
    /// handle.remove()
    /// ```
    @discardableResult
    public func registerPostAccumulateGradHook(file: StaticString = #fileID, line: UInt = #line, _ hook: @escaping (Tensor) -> Void) -> HookHandle {
        check(isLeaf && requiresGradFlag, "registerPostAccumulateGradHook",
              "post accumulate grad hooks can only be registered on leaf tensors that require grad", file: file, line: line)
        let node = gradEdge!
        let id = nextHookID.add(1, ordering: .relaxed).newValue
        node.postAccumulateHooks.append((id: id, hook: hook))
        return HookHandle(id: id, node: node)
    }
}

/// The leaves whose `AccumulateGrad` nodes a backward pass from `roots` would reach, as object
/// identifiers: what DDP's `findUnusedParameters` needs to know after a forward pass (PyTorch
/// walks the autograd graph the same way in `Reducer::prepare_for_backward`).
package func leavesReached(from roots: [Tensor]) -> Set<ObjectIdentifier> {
    var seen = Set<ObjectIdentifier>()
    var leaves = Set<ObjectIdentifier>()
    var stack = roots.compactMap { $0.gradEdge }
    while let node = stack.popLast() {
        guard seen.insert(ObjectIdentifier(node)).inserted else { continue }
        if node.isAccumulator, let leaf = node.variable { leaves.insert(ObjectIdentifier(leaf)) }
        for i in 0..<node.edgeCount { if let e = node.edge(i) { stack.append(e) } }
    }
    return leaves
}
