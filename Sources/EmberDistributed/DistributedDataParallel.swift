import Ember
import EmberNN

/// Data-parallel training of `module` over the processes of a `ProcessGroup` (PyTorch:
/// `torch.nn.parallel.DistributedDataParallel(module, bucket_cap_mb=25,
/// find_unused_parameters=False, broadcast_buffers=True)`), with PyTorch's semantics:
///
/// - At construction every rank's parameters and buffers are overwritten with rank 0's, so all
///   ranks start from the same weights (and the ranks' models are checked to have the same shapes).
/// - `backward()` averages the gradients over the ranks while it runs: gradients go into
///   buckets of about `bucketCapMB` megabytes (the first one 1 MB), in reverse parameter order,
///   and each bucket's all-reduce starts on the communication thread as soon as its last
///   gradient has been accumulated (a post-accumulate-grad hook), overlapping communication
///   with the rest of backward. When `backward()` returns, `.grad` holds the average.
/// - `noSync { ... }` runs forward and backward without communication, accumulating
///   gradients locally (gradient accumulation); the next synchronized backward reduces the sum.
/// - A parameter that does not take part in the loss is PyTorch's error at the next forward,
///   unless `findUnusedParameters` is true: then the output's graph is walked after forward
///   and the unused parameters count as ready with a zero gradient (a parameter no rank used
///   keeps a nil `.grad`).
/// - With `broadcastBuffers`, buffers (BatchNorm's running statistics) are copied from rank
///   0 at the start of each forward.
///
/// The reduction sums the ranks in a fixed order (`ProcessGroup.allReduceInFixedOrder`), so
/// results do not depend on timing, and with `GradientShards` (any world size dividing the
/// shards) not on the world size either.
///
/// ```swift
/// let group = try ProcessGroup.mpi()
/// let ddp = try DistributedDataParallel(model, processGroup: group)
/// let optimizer = SGD(ddp.parameters(), lr: 0.1)
/// let loss = crossEntropy(ddp(x), y)
/// loss.backward()                 // gradients are averaged over the ranks here
/// try ddp.checkReduction()
/// optimizer.step()
/// ```
public final class DistributedDataParallel: Module, @unchecked Sendable {
    /// The wrapped model (PyTorch: `ddp.module`); its state dict names are the model's own.
    public let module: Module
    /// The processes the gradients are averaged over.
    public let processGroup: ProcessGroup
    /// Whether buffers are copied from rank 0 at every forward (PyTorch: `broadcast_buffers`).
    public let broadcastBuffers: Bool
    let reducer: Reducer

    /// Wraps `module`: broadcasts rank 0's parameters and buffers to every rank and installs the
    /// gradient hooks. Throws `DistributedError` when a collective fails or the ranks' models differ.
    public init(_ module: Module, processGroup: ProcessGroup, bucketCapMB: Double = 25, findUnusedParameters: Bool = false,
                broadcastBuffers: Bool = true, file: StaticString = #fileID, line: UInt = #line) throws(DistributedError) {
        check(bucketCapMB > 0, "DistributedDataParallel", "bucketCapMB must be positive, got \(bucketCapMB)", file: file, line: line)
        let params = module.parameters().filter { $0.requiresGrad }
        check(!params.isEmpty, "DistributedDataParallel", "DistributedDataParallel is not needed when a module doesn't have any parameter that requires a gradient", file: file, line: line)
        self.module = module
        self.processGroup = processGroup
        self.broadcastBuffers = broadcastBuffers
        reducer = Reducer(group: processGroup, params: params, capBytes: Int(bucketCapMB * 1024 * 1024), findUnusedParameters: findUnusedParameters)
        super.init()
        try verifySameModel(params)
        // Raw copies into the tensors' memory: nothing is recorded by autograd.
        for p in params { try processGroup.broadcast(p, from: 0) }
        for b in module.buffers() { try processGroup.broadcast(b, from: 0) }
    }

    /// Compares the parameter count and shapes of every rank with rank 0's.
    private func verifySameModel(_ params: [Tensor]) throws(DistributedError) {
        var signature: Int64 = Int64(params.count)
        for p in params { for d in p.shape { signature = signature &* 1_000_003 &+ Int64(d) } }
        let mine = Tensor([signature], dtype: .int64)
        let all = try processGroup.allGather(mine).map { $0.toArray(as: Int64.self)[0] }
        if let other = all.firstIndex(where: { $0 != signature }) {
            throw .mismatch(rank: processGroup.rank, detail: "DistributedDataParallel: the model on rank \(processGroup.rank) has other parameters (count or shapes) than the one on rank \(other); every rank must build the same model")
        }
    }

    /// What the summed gradients are divided by: the world size (PyTorch's average) unless set;
    /// `GradientShards` sets the number of shards of the global batch.
    public var gradientDivisor: Int {
        get { reducer.divisor }
        set {
            check(newValue >= 1, "DistributedDataParallel", "gradientDivisor must be >= 1, got \(newValue)")
            reducer.divisor = newValue
        }
    }

    /// The number of gradient buckets, in the order they are reduced.
    public var bucketCount: Int { reducer.buckets.count }

    /// How many buckets' all-reduces have started in the backward pass in progress (or the
    /// last one): read from a gradient hook, it shows communication starting before backward
    /// has finished (no PyTorch equivalent; PyTorch's DDP logging reports bucket timings).
    public var bucketsStarted: Int { reducer.nextLaunch }

    /// Runs the wrapped module; in training with grad mode on and outside `noSync`, a gradient
    /// reduction is expected in the following backward (PyTorch: `ddp(x)`).
    public override func forward(_ x: Tensor) -> Tensor {
        if let failure = reducer.failure {
            emberFailure("DistributedDataParallel.forward", "the previous gradient reduction failed: \(failure)")
        }
        if reducer.expectingBackward {
            let names = Dictionary(module.namedParameters().map { (ObjectIdentifier($0.tensor), $0.name) }, uniquingKeysWith: { a, _ in a })
            let missing = reducer.missingParameters().map { names[ObjectIdentifier(reducer.params[$0])] ?? "?" }
            emberFailure("DistributedDataParallel.forward", "Expected to have finished reduction in the prior iteration before starting a new one. This error indicates that your module has parameters that were not used in producing loss. You can enable unused parameter detection by passing findUnusedParameters: true to DistributedDataParallel, and by making sure all forward function outputs participate in calculating loss. Parameters which did not receive grad for rank \(processGroup.rank): \(missing.joined(separator: ", "))")
        }
        if broadcastBuffers && processGroup.worldSize > 1 {
            do {
                for b in module.buffers() { try processGroup.broadcast(b, from: 0) }
            } catch {
                emberFailure("DistributedDataParallel.forward", "broadcasting buffers failed: \(error)")
            }
        }
        let out = module(x)
        if isGradEnabled && reducer.syncEnabled && out.requiresGrad {
            reducer.prepareForBackward(reached: reducer.findUnusedParameters ? leavesReached(from: [out]) : nil)
        }
        return out
    }

    /// Runs `body` (forward and backward passes) without averaging gradients: they accumulate
    /// in `.grad` until a backward outside `noSync` (PyTorch: `with ddp.no_sync():`).
    public func noSync<R>(_ body: () throws -> R) rethrows -> R {
        let was = reducer.syncEnabled
        reducer.syncEnabled = false
        defer { reducer.syncEnabled = was }
        return try body()
    }

    /// Averages the parameters' current gradients over the ranks now, with the same buckets and
    /// order as backward does (after accumulating under `noSync`, when no synchronized backward
    /// follows). Throws what the reduction threw.
    public func reduceGradients() throws(DistributedError) {
        reducer.reduceAll()
        try checkReduction()
    }

    /// Throws the error of the last reduction, if one failed, and clears it: call it after
    /// `backward()` (a hook cannot throw). PyTorch raises the same errors from `backward()`.
    public func checkReduction() throws(DistributedError) {
        if let failure = reducer.failure {
            reducer.failure = nil
            throw failure
        }
    }
}
