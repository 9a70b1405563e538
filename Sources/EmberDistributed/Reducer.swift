import Ember

/// DDP's gradient reduction during backward (PyTorch: `torch.distributed.Reducer`): each
/// parameter's post-accumulate hook copies its gradient into its bucket; a bucket whose last
/// gradient arrived starts its all-reduce on the communication thread while backward goes on;
/// buckets start in index order on every rank (collectives must match), and the hook that
/// completes the last bucket waits for all of them and writes the averages back into `.grad`.
final class Reducer: @unchecked Sendable {
    let group: ProcessGroup
    let params: [Tensor]
    let buckets: [GradientBucket]
    /// For each parameter: its bucket and its place in that bucket.
    private let place: [(bucket: Int, slot: Int)]
    let findUnusedParameters: Bool
    /// What the summed gradients are divided by (the world size for PyTorch's average).
    var divisor: Int
    /// False inside `noSync`: hooks do nothing and gradients accumulate locally.
    var syncEnabled = true
    /// True between a forward pass in sync mode and the end of its reduction.
    private(set) var expectingBackward = false
    private var arrived: [Bool]
    private var locallyUsed: [Bool]
    private var unusedToMark: [Int] = []
    private var works: [Work?]
    /// Buckets whose all-reduce has started in the current backward pass.
    private(set) var nextLaunch = 0
    /// The error of the last reduction, reported by `DistributedDataParallel.checkReduction()`.
    var failure: DistributedError?
    private var hooks: [HookHandle] = []

    init(group: ProcessGroup, params: [Tensor], capBytes: Int, findUnusedParameters: Bool) {
        self.group = group
        self.params = params
        self.findUnusedParameters = findUnusedParameters
        buckets = GradientBucket.assign(params, capBytes: capBytes, firstCapBytes: min(capBytes, 1 << 20))
        var place = [(bucket: Int, slot: Int)](repeating: (0, 0), count: params.count)
        for (b, bucket) in buckets.enumerated() { for (s, p) in bucket.parameters.enumerated() { place[p] = (b, s) } }
        self.place = place
        divisor = group.worldSize
        arrived = Array(repeating: false, count: params.count)
        locallyUsed = Array(repeating: false, count: params.count)
        works = Array(repeating: nil, count: buckets.count)
        for (i, p) in params.enumerated() {
            hooks.append(p.registerPostAccumulateGradHook { [weak self] _ in self?.gradientReady(i) })
        }
    }

    deinit { for h in hooks { h.remove() } }

    /// Called by DDP's forward in sync mode: a reduction is expected in the next backward.
    /// `reached` (with `findUnusedParameters`) is the set of leaves the output depends on.
    func prepareForBackward(reached: Set<ObjectIdentifier>?) {
        expectingBackward = true
        nextLaunch = 0
        for b in buckets { b.pending = b.parameters.count }
        for i in arrived.indices { arrived[i] = false; locallyUsed[i] = false }
        for i in works.indices { works[i] = nil }
        unusedToMark = reached.map { r in params.indices.filter { !r.contains(ObjectIdentifier(params[$0])) } } ?? []
    }

    /// The names of parameters whose gradient has not arrived, for PyTorch's error.
    func missingParameters() -> [Int] { params.indices.filter { !arrived[$0] } }

    /// A parameter's gradient has been accumulated.
    private func gradientReady(_ i: Int) {
        guard syncEnabled && expectingBackward && !arrived[i] else { return }
        if !unusedToMark.isEmpty {
            let unused = unusedToMark
            unusedToMark = []
            for u in unused { mark(u, used: false) }
        }
        mark(i, used: true)
    }

    /// Reduces every parameter's current `.grad` now (after `noSync` accumulation, or for
    /// `GradientShards`), with the same buckets and order as during backward.
    func reduceAll() {
        prepareForBackward(reached: nil)
        for i in params.indices { mark(i, used: params[i].grad != nil) }
    }

    private func mark(_ i: Int, used: Bool) {
        arrived[i] = true
        locallyUsed[i] = used
        let (b, slot) = place[i]
        let bucket = buckets[b]
        let n = params[i].numel
        withNoGrad {
            let dst = bucket.flat.narrow(0, start: bucket.offsets[slot], length: n)
            if used, let g = params[i].grad { dst.copy_(g.reshape([n])) } else { dst.zero_() }
        }
        bucket.pending -= 1
        // Collectives start in bucket order, the same on every rank.
        while nextLaunch < buckets.count && buckets[nextLaunch].pending == 0 {
            works[nextLaunch] = group.allReduceInFixedOrderAsync(buckets[nextLaunch].flat, divisor: divisor)
            nextLaunch += 1
        }
        if nextLaunch == buckets.count { finish() }
    }

    /// Waits for every bucket and writes the reduced gradients back.
    private func finish() {
        expectingBackward = false
        var used: Tensor?
        var usedWork: Work?
        if findUnusedParameters {
            // Which parameters some rank used: the others keep a nil gradient, as in PyTorch.
            let flags = Tensor(locallyUsed.map { $0 ? 1.0 : 0.0 }, dtype: .float64)
            used = flags
            usedWork = group.allReduceAsync(flags, op: .max)
        }
        do {
            for w in works { try w?.wait() }
            try usedWork?.wait()
        } catch {
            failure = error
            return
        }
        let globallyUsed = used?.toArray(as: Double.self)
        withNoGrad {
            for bucket in buckets {
                for (slot, i) in bucket.parameters.enumerated() {
                    if let globallyUsed, globallyUsed[i] == 0 { continue }
                    let p = params[i]
                    let reduced = bucket.flat.narrow(0, start: bucket.offsets[slot], length: p.numel).view(p.shape)
                    if let g = p.grad { g.copy_(reduced) } else { p.grad = reduced.clone() }
                }
            }
        }
    }
}
