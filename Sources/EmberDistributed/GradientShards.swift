import Ember
import EmberNN

/// Computes the gradient of a global batch as `total` equal shards combined in one fixed tree,
/// so that training gives the same weights, bit for bit, on any power-of-two number of
/// processes dividing `total` — one process included (no PyTorch equivalent: PyTorch's DDP
/// results change with the world size, as a float sum depends on its order).
///
/// Shard `k` is rows `k, k + total, k + 2·total, ...` of the global batch: exactly what
/// `DistributedSampler` hands rank `k % worldSize` when each rank takes `batch / worldSize`
/// rows. Each shard's gradient is computed alone (forward, mean loss over the shard, backward),
/// so it has the same bits wherever it runs; a rank sums its own shards in the tree's order
/// (`GradientShards` below), and ranks are summed by `ProcessGroup.allReduceInFixedOrder`
/// (DDP's buckets) in the same tree; the sum is divided by `total` once, at the end.
///
/// Randomness in the forward pass (Dropout's masks from `Generator.default`) is made a function
/// of the shard too: before shard `k` the default generator is seeded from its state at the start
/// of the step and `k`, and after the step from that state and `total`, so every rank and every
/// world size draws the same masks for the same rows and the generators stay in step.
///
/// Cost: a rank runs `total / worldSize` smaller forward and backward passes instead of one,
/// each inside `withSingleThreadedGEMM` (so a shard's products have the same bits on any
/// process, and OpenBLAS's threads do not spin against Ember's on the small shard GEMMs).
/// With `total == worldSize` (one shard per rank) DDP's overlapped backward is used as is.
///
/// ```swift
/// let shards = try GradientShards(total: 4, worldSize: group.worldSize, rank: group.rank)
/// let step = try shards.backward(inputs: x, targets: y, parameters: model.parameters(), ddp: ddp,
///                                forward: { model($0) }, loss: { crossEntropy($0, $1) })
/// optimizer.step()
/// ```
public struct GradientShards: Sendable {
    /// Shards of the global batch.
    public let total: Int
    /// Shards this process computes (`total / worldSize`).
    public let local: Int
    /// This process's rank and the world size: it computes shards `rank, rank + worldSize, ...`.
    public let rank: Int, worldSize: Int

    /// Shards for a world of `worldSize` processes. `total` and `worldSize` must be powers of
    /// two, `worldSize` dividing `total`; throws `DistributedError.mismatch` otherwise (both
    /// usually come from the command line).
    public init(total: Int, worldSize: Int = 1, rank: Int = 0) throws(DistributedError) {
        func isPowerOfTwo(_ n: Int) -> Bool { n > 0 && n & (n - 1) == 0 }
        guard isPowerOfTwo(total), isPowerOfTwo(worldSize), total % worldSize == 0 else {
            throw .mismatch(rank: rank, detail: "gradient shards must be a power of two that the world size (a power of two) divides; got \(total) shards for \(worldSize) processes")
        }
        guard rank >= 0 && rank < worldSize else {
            throw .mismatch(rank: rank, detail: "rank \(rank) is not in a world of \(worldSize) processes")
        }
        self.total = total
        self.rank = rank
        self.worldSize = worldSize
        local = total / worldSize
    }

    /// What one batch step computed, for metrics.
    public struct Result {
        /// The logits of every row of the local batch, grouped by shard.
        public let logits: Tensor
        /// The targets in the same order as `logits`.
        public let targets: Tensor
        /// The mean of the shards' mean losses.
        public let loss: Double
    }

    /// Runs forward and backward over this process's rows of the global batch and leaves the
    /// global mean gradient in each parameter's `.grad` (reduced over the ranks by `ddp` when
    /// given). `inputs.shape[0]` must be a multiple of `local`. The BatchNorm running statistics
    /// of `module` (by default `ddp`'s module) are updated once per shard in shard order, the same
    /// on every rank and every world size (`ShardRunningStatistics`). Throws what the reduction
    /// throws.
    public func backward(inputs: Tensor, targets: Tensor, parameters: [Tensor], ddp: DistributedDataParallel?,
                         module: Module? = nil, forward: (Tensor) -> Tensor, loss: (Tensor, Tensor) -> Tensor,
                         file: StaticString = #fileID, line: UInt = #line) throws(DistributedError) -> Result {
        let rows = inputs.shape[0]
        check(rows % local == 0 && rows == targets.shape[0], "GradientShards.backward",
              "the batch of \(rows) rows (targets: \(targets.shape[0])) must split into \(local) equal shards", file: file, line: line)
        func run(_ x: Tensor) -> Tensor {
            if let ddp { return ddp(x) }
            return forward(x)
        }
        let stepState = Generator.default.state
        defer { Generator.default.manualSeed(mixedSeed(stepState, total)) }
        let statistics = ShardRunningStatistics(module ?? ddp?.module)
        statistics.beginStep(shards: local)
        if local == 1 {
            ddp?.gradientDivisor = total
            Generator.default.manualSeed(mixedSeed(stepState, rank))
            let (out, value) = withSingleThreadedGEMM {
                statistics.beforeShard()
                let out = run(inputs)
                statistics.afterShard(at: 0)
                let l = loss(out, targets)
                let value = l.item()
                l.backward()
                return (out, value)
            }
            if let ddp { try ddp.checkReduction() } else { divideGradients(parameters) }
            try statistics.endStep(group: ddp?.processGroup, worldSize: worldSize)
            return Result(logits: out, targets: targets, loss: value)
        }
        // Shards in bit-reversed order, summed pairwise as they come (a binary counter): for
        // 4 shards, (g0 + g2) + (g1 + g3) — the tree the ranks are combined in.
        var stack: [(level: Int, grads: [Tensor?])] = []
        var outs: [Tensor] = [], ys: [Tensor] = [], lossSum = 0.0
        let bits = local.trailingZeroBitCount
        for i in 0..<local {
            let j = bitReversed(i, bits: bits)
            let x = shard(inputs, j), y = shard(targets, j)
            for p in parameters { p.grad = nil }
            Generator.default.manualSeed(mixedSeed(stepState, rank + worldSize * j))
            func step() -> (Tensor, Double) {
                statistics.beforeShard()
                let out = run(x)
                statistics.afterShard(at: j)
                let l = loss(out, y)
                let value = l.item()
                l.backward()
                return (out, value)
            }
            let (out, value) = withSingleThreadedGEMM { ddp.map { $0.noSync(step) } ?? step() }
            outs.append(out.detach()); ys.append(y); lossSum += value
            var entry = (level: 0, grads: parameters.map { $0.grad })
            for p in parameters { p.grad = nil }
            while let top = stack.last, top.level == entry.level {
                stack.removeLast()
                entry = (entry.level + 1, zip(top.grads, entry.grads).map { a, b in sum(a, b) })
            }
            stack.append(entry)
        }
        for (p, g) in zip(parameters, stack[0].grads) { p.grad = g }
        if let ddp {
            ddp.gradientDivisor = total
            try ddp.reduceGradients()
        } else {
            divideGradients(parameters)
        }
        try statistics.endStep(group: ddp?.processGroup, worldSize: worldSize)
        return Result(logits: Tensor.cat(outs), targets: Tensor.cat(ys), loss: lossSum / Double(local))
    }

    /// Rows `j, j + local, j + 2·local, ...` of `t`, contiguous.
    private func shard(_ t: Tensor, _ j: Int) -> Tensor {
        t.reshape([t.shape[0] / local, local] + t.shape.dropFirst()).select(1, j).contiguous()
    }

    private func divideGradients(_ parameters: [Tensor]) {
        guard total > 1 else { return }
        for p in parameters {
            guard let g = p.grad else { continue }
            let c = g.isContiguous ? g : g.contiguous()
            divide(rawBytes(c), count: c.numel, dtype: c.dtype, by: total)
            if c !== g { p.grad = c }
        }
    }
}

private func sum(_ a: Tensor?, _ b: Tensor?) -> Tensor? {
    guard let a else { return b }
    guard let b else { return a }
    return withNoGrad { a + b }
}

private func bitReversed(_ i: Int, bits: Int) -> Int {
    var r = 0, x = i
    for _ in 0..<bits { r = (r << 1) | (x & 1); x >>= 1 }
    return r
}

/// A seed from a generator state and a shard index (SplitMix64's finalizer over both).
private func mixedSeed(_ state: [UInt64], _ k: Int) -> UInt64 {
    var z = UInt64(truncatingIfNeeded: k) &* 0x9E37_79B9_7F4A_7C15
    for word in state {
        z ^= word
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
    }
    return z
}
