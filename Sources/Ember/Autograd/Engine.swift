import CEmberKernels
import Synchronization

/// The backward engine: a topological walk from the roots that sums gradients per node,
/// runs each node's backward once, and accumulates into leaves (PyTorch: `torch.autograd.backward`).
///
/// Threads: backward passes may run on many threads at once, into shared leaves (parameters
/// shared by data-parallel threads, PyTorch's Hogwild pattern). A pass keeps its state on the
/// nodes it walks, and graphs of different threads meet at shared leaves' `AccumulateGrad`
/// nodes, so passes take one process-wide lock, one after another: leaf accumulation, hooks
/// and retained gradients are never raced, and every gradient is added exactly once. A
/// backward started from inside a pass on the same thread (a hook that calls `backward`) runs
/// within it. Forward passes are not serialized.
enum Engine {
    /// Held by the thread running a backward pass; counts the passes run.
    private static let passLock = Locked(0)

    /// Runs backward from `roots` seeded with `grads`. When `captureAt` is given (the functional
    /// `grad(outputs:inputs:)`), no leaf's `.grad` is touched and the gradients arriving at
    /// those nodes are returned instead.
    /// A check that fails during the pass names `file`:`line`, the caller of `backward()`.
    static func run(
        roots: [Node], grads: [Tensor], retainGraph: Bool, createGraph: Bool, captureAt: [Node]? = nil,
        file: StaticString, line: UInt
    ) -> [Tensor?] {
        FailureScopes.enterCallSite(file: file, line: line)
        defer { FailureScopes.leave() }
        let depth = ember_backward_depth()
        if depth > 0 {
            ember_set_backward_depth(depth + 1)
            defer { ember_set_backward_depth(depth) }
            return runPass(roots: roots, grads: grads, retainGraph: retainGraph, createGraph: createGraph, captureAt: captureAt)
        }
        return passLock.withLock { passes in
            passes &+= 1
            ember_set_backward_depth(1)
            defer { ember_set_backward_depth(0) }
            return runPass(roots: roots, grads: grads, retainGraph: retainGraph, createGraph: createGraph, captureAt: captureAt)
        }
    }

    /// One backward pass; the caller holds `passLock`.
    private static func runPass(
        roots: [Node], grads: [Tensor], retainGraph: Bool, createGraph: Bool, captureAt: [Node]?
    ) -> [Tensor?] {
        // Count, for each node reachable from the roots, how many edges lead into it. Nodes
        // are marked with this pass's epoch instead of being kept in a set.
        let epoch = nextEpoch.add(1, ordering: .relaxed).newValue
        var stack: [Node] = []
        stack.reserveCapacity(32)
        for r in roots where r.visitEpoch != epoch {
            r.visitEpoch = epoch; r.dependencies = 0; stack.append(r)
        }
        while let n = stack.popLast() {
            for i in 0..<n.edgeCount {
                guard let e = n.edge(i) else { continue }
                if e.visitEpoch != epoch { e.visitEpoch = epoch; e.dependencies = 0; stack.append(e) }
                e.dependencies += 1
            }
        }
        for (r, g) in zip(roots, grads) { accumulatePending(r, g, createGraph: createGraph) }

        for n in captureAt ?? [] { n.isCaptureTarget = true }
        defer { for n in captureAt ?? [] { n.isCaptureTarget = false } }
        var captured: [ObjectIdentifier: Tensor] = [:]
        // A node becomes ready exactly once: when its last incoming edge has delivered.
        var ready: [Node] = []
        ready.reserveCapacity(16)
        for r in roots where r.dependencies == 0 && !ready.contains(where: { $0 === r }) { ready.append(r) }
        GradMode.withDisabled(!createGraph) {
            // The nodes after `node` no longer wait for it.
            func release(_ node: Node) {
                for i in 0..<node.edgeCount {
                    guard let edge = node.edge(i) else { continue }
                    edge.dependencies -= 1
                    if edge.dependencies == 0 { ready.append(edge) }
                }
            }
            while let node = ready.popLast() {
                guard var grad = node.pendingGrad else {
                    // Every edge into this node delivered nil (an op whose gradient went
                    // around it): nothing flows on, but the nodes after it are still released.
                    release(node)
                    continue
                }
                node.pendingGrad = nil
                for hook in node.preHooks { if let g = hook(grad) { grad = g } }
                if node.isAccumulator, let leaf = node.variable {
                    for hook in leaf.leafHooks { if let g = hook(grad) { grad = g } }
                }
                if node.isCaptureTarget {
                    captured[ObjectIdentifier(node)] = grad
                }
                if node.isAccumulator {
                    if captureAt == nil, let leaf = node.variable {
                        accumulateIntoLeaf(leaf, consume grad, createGraph: createGraph)
                        for entry in node.postAccumulateHooks { entry.hook(leaf) }
                    }
                    continue
                }
                guard let fn = node.backwardFn else {
                    emberFailure("backward", "trying to backward through the graph a second time (or directly access saved tensors after they have already been freed) at node \(node.name). Specify retainGraph: true if you need to backward through the graph again", file: node.file, line: node.line)
                }
                let inputGrads = fn(grad)
                if !retainGraph { node.backwardFn = nil }
                if GradMode.anomalyDetection { checkAnomaly(node, inputGrads) }
                for i in 0..<min(node.edgeCount, inputGrads.count) {
                    guard let edge = node.edge(i), let g = inputGrads[i] else { continue }
                    accumulatePending(edge, g, createGraph: createGraph)
                }
                release(node)
            }
        }
        return captureAt?.map { captured[ObjectIdentifier($0)] } ?? []
    }

    /// Distinguishes backward passes when marking visited nodes.
    private static let nextEpoch = Atomic<Int>(0)

    private static func accumulatePending(_ node: Node, _ g: Tensor, createGraph: Bool) {
        if let p = node.pendingGrad {
            node.pendingGrad = createGraph ? p + g : p.add(g)
        } else {
            node.pendingGrad = g
        }
    }

    /// Adds a gradient into a leaf's `.grad` as PyTorch's `AccumulateGrad` does: the first
    /// gradient is stored (copied if anything else could alias it), later ones are added.
    private static func accumulateIntoLeaf(_ leaf: Tensor, _ incoming: consuming Tensor, createGraph: Bool) {
        var g = incoming
        check(g.shape == leaf.shape, "backward", "gradient of shape \(g.shape) does not match its tensor's shape \(leaf.shape)", file: unknownFile, line: 0)
        if let existing = leaf.grad {
            if createGraph || existing.requiresGradFlag {
                leaf.grad = existing + g
            } else {
                withNoGrad { existing.add_(g.to(existing.dtype)) }
            }
        } else {
            // Backward closures often hand the same tensor to several inputs (add does), so
            // the stored gradient must be a buffer only this leaf owns: a fresh, uniquely held,
            // contiguous result is taken as is (PyTorch steals it the same way), else copied.
            if createGraph {
                leaf.grad = g
            } else if g.gradFn == nil && g.dtype == leaf.dtype && g.isContiguous && g.offset == 0
                        && g.ownsStorage && isKnownUniquelyReferenced(&g) {
                leaf.grad = g
            } else {
                leaf.grad = g.detach().to(leaf.dtype).clone()
            }
        }
    }

    private static func checkAnomaly(_ node: Node, _ grads: [Tensor?]) {
        for case let g? in grads where g.dtype.isFloatingPoint {
            if withNoGrad({ !g.isfinite().all().item(as: Bool.self) }) {
                let origin = "\(node.file)".isEmpty ? "" : "; the forward op was called from \(node.file):\(node.line)"
                emberFailure("anomaly detection", "function '\(node.name)' returned NaN or infinite values in its gradient\(origin)", file: node.file, line: node.line)
            }
        }
    }
}


