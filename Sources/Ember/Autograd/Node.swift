/// A recorded operation in the autograd graph: how to turn the gradient of its output into
/// gradients of its inputs (PyTorch: a `grad_fn` such as `MulBackward0`).
public final class Node: @unchecked Sendable {
    /// PyTorch's name for this node, e.g. `MulBackward0` or `AccumulateGrad`.
    public let name: String
    /// How many differentiable inputs the forward op had: one edge each, the node that
    /// input's gradient flows to, or nil when it needs no gradient.
    let edgeCount: Int
    // The first two edges are stored inline (almost every op has one or two inputs), so
    // recording an op allocates no array; `moreEdges` holds the rest.
    private let edge0: Node?
    private let edge1: Node?
    private let moreEdges: [Node?]
    /// Maps the output's gradient to one gradient per edge. Cleared after backward unless
    /// the graph is retained, which frees the saved tensors.
    @exclusivity(unchecked) var backwardFn: ((Tensor) -> [Tensor?])?
    /// For `AccumulateGrad` nodes: the leaf tensor that receives `.grad`. The leaf owns this
    /// node; the reference back is unowned (no cycle, and no weak-reference table on the leaf,
    /// which would slow every retain of a parameter) and the leaf clears it when it dies.
    @exclusivity(unchecked) unowned(unsafe) var variable: Tensor?
    /// True for a leaf's `AccumulateGrad` node.
    let isAccumulator: Bool
    /// Hooks run on the incoming gradient before the node uses it (see `Tensor.registerHook`).
    @exclusivity(unchecked) var preHooks: [(Tensor) -> Tensor?] = []
    /// For `AccumulateGrad` nodes: hooks run with the leaf after its `.grad` was accumulated
    /// (see `Tensor.registerPostAccumulateGradHook`), each under the id that removes it.
    @exclusivity(unchecked) var postAccumulateHooks: [(id: Int, hook: (Tensor) -> Void)] = []
    /// Where the forward op was called, shown by anomaly detection.
    let file: StaticString
    let line: UInt

    // Scratch used by one backward pass.
    @exclusivity(unchecked) var visitEpoch = 0
    @exclusivity(unchecked) var dependencies = 0
    @exclusivity(unchecked) var pendingGrad: Tensor?
    /// True while a `grad(outputs:inputs:)` pass returns the gradient arriving at this node.
    @exclusivity(unchecked) var isCaptureTarget = false

    /// Whether a backward pass needs the gradient that arrives here for itself, not only for
    /// the nodes behind it: it is returned by `grad(outputs:inputs:)`, or seen by a hook
    /// (`registerHook`, `retainGrad`). An op that could send its gradient past this node
    /// straight to the leaves behind it must then send it here.
    package var gradientIsObserved: Bool { isCaptureTarget || !preHooks.isEmpty }

    init(name: String, edges: [Node?], file: StaticString, line: UInt, backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        edgeCount = edges.count
        edge0 = edges.count > 0 ? edges[0] : nil
        edge1 = edges.count > 1 ? edges[1] : nil
        moreEdges = edges.count > 2 ? Array(edges[2...]) : []
        self.backwardFn = backward
        self.file = file
        self.line = line
        self.isAccumulator = false
    }

    /// A node with one or two edges (the second nil when `count` is 1), without an array.
    init(name: String, count: Int, _ a: Node?, _ b: Node?, file: StaticString, line: UInt, backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        edgeCount = count
        edge0 = a
        edge1 = b
        moreEdges = []
        self.backwardFn = backward
        self.file = file
        self.line = line
        self.isAccumulator = false
    }

    /// An `AccumulateGrad` node for a leaf.
    init(accumulatorFor leaf: Tensor) {
        name = "AccumulateGrad"
        edgeCount = 0
        edge0 = nil
        edge1 = nil
        moreEdges = []
        backwardFn = nil
        variable = leaf
        isAccumulator = true
        file = ""
        line = 0
    }

    /// The nodes this node passes gradients to (PyTorch: `grad_fn.next_functions`).
    public var nextFunctions: [Node?] { (0..<edgeCount).map(edge) }

    /// The node input `i`'s gradient flows to (nil when that input needs no gradient).
    @inline(__always)
    func edge(_ i: Int) -> Node? {
        switch i {
        case 0: edge0
        case 1: edge1
        default: moreEdges[i - 2]
        }
    }
}

/// A tensor saved for backward, with the storage version it had when saved. Unpacking it
/// after an in-place write to that storage traps instead of computing a wrong gradient.
struct SavedTensor {
    let tensor: Tensor
    let version: Int
    let op: String

    /// Saves an op's input as is (its graph stays reachable for higher-order gradients), or,
    /// with `isOutput`, a detached alias of the op's output, so the output's node never keeps
    /// the output itself alive (no retain cycle).
    init(_ t: Tensor, op: String, isOutput: Bool = false) {
        tensor = isOutput ? t.detach() : t
        version = t.storage.version
        self.op = op
    }

    var value: Tensor {
        if tensor.storage.version != version {
            emberFailure("backward", "\(op): one of the tensors needed for gradient computation has been modified by an in-place operation: a tensor of shape \(tensor.shape) is at version \(tensor.storage.version); expected version \(version). Use out-of-place ops (or clone()) on tensors that backward still needs", file: unknownFile, line: 0)
        }
        return tensor
    }
}

extension Tensor {
    /// The node a gradient for this tensor should flow to: its `gradFn`, or for a leaf that
    /// requires grad its (cached) `AccumulateGrad` node; nil if it needs no gradient.
    var gradEdge: Node? {
        if let gradFn { return gradFn }
        guard requiresGradFlag else { return nil }
        if let accumulator { return accumulator }
        let node = Node(accumulatorFor: self)
        accumulator = node
        return node
    }
}

/// Whether an op on these inputs must record a node: some input requires grad and grad mode
/// is on. The flags are read first so the no-grad path never looks up thread-local state.
@inline(__always)
func needsGrad(_ a: Tensor) -> Bool {
    (a.requiresGradFlag || a.gradFn != nil) && GradMode.isEnabled
}

/// Both inputs' flags are read (no short cut after the first): reading a stale view's `gradFn`
/// makes its node anew and sets its `requiresGradFlag`, which ops read after this.
@inline(__always)
func needsGrad(_ a: Tensor, _ b: Tensor) -> Bool {
    let x = a.requiresGradFlag || a.gradFn != nil
    let y = b.requiresGradFlag || b.gradFn != nil
    return (x || y) && GradMode.isEnabled
}

func needsGrad(_ inputs: [Tensor]) -> Bool {
    var any = false
    for t in inputs where t.requiresGradFlag || t.gradFn != nil { any = true }
    return any && GradMode.isEnabled
}

/// Records `output` as produced by an op named `name` from `inputs`. `backward` maps the
/// output's gradient to one gradient per input (nil where none flows). Call only after
/// `needsGrad` said yes.
func record(
    _ name: String, _ output: Tensor, _ a: Tensor,
    file: StaticString = unknownFile, line: UInt = 0,
    backward: @escaping (Tensor) -> [Tensor?]
) {
    output.gradFn = Node(name: name, count: 1, a.gradEdge, nil, file: file, line: line, backward: backward)
    output.requiresGradFlag = true
}

/// `record` for two inputs without building an input array.
func record(
    _ name: String, _ output: Tensor, _ a: Tensor, _ b: Tensor,
    file: StaticString = unknownFile, line: UInt = 0,
    backward: @escaping (Tensor) -> [Tensor?]
) {
    output.gradFn = Node(name: name, count: 2, a.gradEdge, b.gradEdge, file: file, line: line, backward: backward)
    output.requiresGradFlag = true
}

/// `record` for any number of inputs.
func record(
    _ name: String, _ output: Tensor, inputs: [Tensor],
    file: StaticString = unknownFile, line: UInt = 0,
    backward: @escaping (Tensor) -> [Tensor?]
) {
    let node = Node(name: name, edges: inputs.map { $0.gradEdge }, file: file, line: line, backward: backward)
    output.gradFn = node
    output.requiresGradFlag = true
}
