/// A recorded operation in the autograd graph: how to turn the gradient of its output into
/// gradients of its inputs (PyTorch: a `grad_fn` such as `MulBackward0`).
public final class Node: @unchecked Sendable {
    /// PyTorch's name for this node, e.g. `MulBackward0` or `AccumulateGrad`.
    public let name: String
    /// One entry per differentiable input of the forward op: the node its gradient flows to,
    /// or nil when that input needs no gradient.
    var edges: [Node?]
    /// Maps the output's gradient to one gradient per edge. Cleared after backward unless
    /// the graph is retained, which frees the saved tensors.
    var backwardFn: ((Tensor) -> [Tensor?])?
    /// For `AccumulateGrad` nodes: the leaf tensor that receives `.grad`. The leaf owns this
    /// node; the reference back is unowned (no cycle, and no weak-reference table on the leaf,
    /// which would slow every retain of a parameter) and the leaf clears it when it dies.
    unowned(unsafe) var variable: Tensor?
    /// True for a leaf's `AccumulateGrad` node.
    let isAccumulator: Bool
    /// Hooks run on the incoming gradient before the node uses it (see `Tensor.registerHook`).
    var preHooks: [(Tensor) -> Tensor?] = []
    /// Where the forward op was called, shown by anomaly detection.
    let file: StaticString
    let line: UInt

    // Scratch used by one backward pass.
    var visitEpoch = 0
    var dependencies = 0
    var pendingGrad: Tensor?

    init(name: String, edges: [Node?], file: StaticString, line: UInt, backward: @escaping (Tensor) -> [Tensor?]) {
        self.name = name
        self.edges = edges
        self.backwardFn = backward
        self.file = file
        self.line = line
        self.isAccumulator = false
    }

    /// An `AccumulateGrad` node for a leaf.
    init(accumulatorFor leaf: Tensor) {
        name = "AccumulateGrad"
        edges = []
        backwardFn = nil
        variable = leaf
        isAccumulator = true
        file = ""
        line = 0
    }

    /// The nodes this node passes gradients to (PyTorch: `grad_fn.next_functions`).
    public var nextFunctions: [Node?] { edges }
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
            emberFailure("backward", "\(op): one of the tensors needed for gradient computation has been modified by an in-place operation: a tensor of shape \(tensor.shape) is at version \(tensor.storage.version); expected version \(version). Use out-of-place ops (or clone()) on tensors that backward still needs", file: "autograd", line: 0)
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

@inline(__always)
func needsGrad(_ a: Tensor, _ b: Tensor) -> Bool {
    (a.requiresGradFlag || a.gradFn != nil || b.requiresGradFlag || b.gradFn != nil) && GradMode.isEnabled
}

func needsGrad(_ inputs: [Tensor]) -> Bool {
    inputs.contains { $0.requiresGradFlag || $0.gradFn != nil } && GradMode.isEnabled
}

/// Records `output` as produced by an op named `name` from `inputs`. `backward` maps the
/// output's gradient to one gradient per input (nil where none flows). Call only after
/// `needsGrad` said yes.
func record(
    _ name: String, _ output: Tensor, _ a: Tensor,
    file: StaticString = unknownFile, line: UInt = 0,
    backward: @escaping (Tensor) -> [Tensor?]
) {
    output.gradFn = Node(name: name, edges: [a.gradEdge], file: file, line: line, backward: backward)
    output.requiresGradFlag = true
}

/// `record` for two inputs without building an input array.
func record(
    _ name: String, _ output: Tensor, _ a: Tensor, _ b: Tensor,
    file: StaticString = unknownFile, line: UInt = 0,
    backward: @escaping (Tensor) -> [Tensor?]
) {
    output.gradFn = Node(name: name, edges: [a.gradEdge, b.gradEdge], file: file, line: line, backward: backward)
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
