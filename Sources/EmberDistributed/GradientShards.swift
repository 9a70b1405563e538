import Ember
import EmberNN

/// Computes the gradient of a global batch as `total` equal shards summed in one fixed order,
/// so that training gives the same weights, bit for bit, on any number of processes dividing
/// `total` — one process included (no PyTorch equivalent: PyTorch's DDP results change with the
/// world size, as a float sum depends on its order).
///
/// Shard `k` is rows `k, k + total, k + 2·total, ...` of the global batch: exactly what
/// `DistributedSampler` hands rank `k % worldSize` when each rank takes `batch / worldSize`
/// rows. Each shard's gradient is computed alone (forward, mean loss over the shard, backward),
/// so it has the same bits wherever it runs, and the shards are summed in the order S_K
/// (`allReduceInFixedOrder`'s page): with K = P·m, P the largest power of two dividing K, shards
/// `g, g + P, ..., g + (m − 1)·P` are added one after the other into group `g`, and the P groups
/// meet in a balanced tree (group `i` meets `i + width/2` at each width; for K = 4,
/// `(g0 + g2) + (g1 + g3)`). The sum is divided by `total` once, at the end.
///
/// - A power-of-two world size N divides P, so each rank holds whole groups: it sums its own
///   shards in that order and the ranks' partial sums are combined by DDP's buckets
///   (`ProcessGroup.allReduceInFixedOrder`) in the rest of the same tree, while backward runs
///   when a rank has one shard.
/// - Any other world size (3 processes sharing 3, 6 or 12 shards) splits groups between ranks:
///   each rank keeps its shards' gradients apart and `ProcessGroup.allReduceShardsInFixedOrder`
///   sums all K of them in S_K's order (DDP's own reduction is bypassed with `noSync`; with one
///   shard per rank DDP's overlapped backward gives S_K as is).
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
/// let shards = try GradientShards(total: 12, worldSize: group.worldSize, rank: group.rank)  // 1, 2, 3, 4, 6 or 12 ranks
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

    /// Shards for a world of `worldSize` processes. `total` must be positive and `worldSize`
    /// must divide it; throws `DistributedError.mismatch` otherwise (both usually come from the
    /// command line).
    public init(total: Int, worldSize: Int = 1, rank: Int = 0) throws(DistributedError) {
        guard total >= 1, worldSize >= 1, total % worldSize == 0 else {
            throw .mismatch(rank: rank, detail: "the world size must divide the number of gradient shards; got \(total) shards for \(worldSize) processes")
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
    /// given; required for a world of several processes). `inputs.shape[0]` must be a multiple
    /// of `local`. The BatchNorm running statistics of `module` (by default `ddp`'s module) are
    /// updated once per shard in shard order, the same on every rank and every world size
    /// (`ShardRunningStatistics`). Throws what the reduction throws.
    public func backward(inputs: Tensor, targets: Tensor, parameters: [Tensor], ddp: DistributedDataParallel?,
                         module: Module? = nil, forward: (Tensor) -> Tensor, loss: (Tensor, Tensor) -> Tensor,
                         file: StaticString = #fileID, line: UInt = #line) throws(DistributedError) -> Result {
        let rows = inputs.shape[0]
        check(ddp != nil || worldSize == 1, "GradientShards.backward", "a world of \(worldSize) processes needs ddp to combine the ranks' shards", file: file, line: line)
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
        var outs: [Tensor] = [], ys: [Tensor] = [], lossSum = 0.0
        /// Local shard `j`'s forward and backward alone: its gradient is left in `.grad`.
        func computeShard(_ j: Int) {
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
        }
        if let ddp, worldSize & (worldSize - 1) != 0 {
            // Groups straddle the ranks: every shard's gradient goes out unsummed.
            let exchange = ShardExchange(parameters, shards: local)
            for j in 0..<local {
                computeShard(j)
                exchange.record(parameters, shard: j)
            }
            for p in parameters { p.grad = nil }
            try exchange.reduce(into: parameters, group: ddp.processGroup, divisor: total)
        } else {
            // This rank's shards j hold whole groups of S_K, and summed in the order S_local they
            // give its part of S_K's tree: groups a (shards a, a + groups, ...) in bit-reversed
            // order, each summed as it is computed, then added pairwise as they come (a binary
            // counter): for 4 shards, (g0 + g2) + (g1 + g3).
            let groups = 1 << local.trailingZeroBitCount, members = local / groups
            var stack: [(level: Int, grads: [Tensor?])] = []
            let bits = groups.trailingZeroBitCount
            for i in 0..<groups {
                let a = bitReversed(i, bits: bits)
                var grads: [Tensor?] = []
                for t in 0..<members {
                    computeShard(a + groups * t)
                    grads = t == 0 ? parameters.map { $0.grad } : zip(grads, parameters).map { g, p in sum(g, p.grad) }
                }
                for p in parameters { p.grad = nil }
                var entry = (level: 0, grads: grads)
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

/// The gradients of a rank's shards kept apart, one row per shard, and summed over every rank
/// in S_K's order by `ProcessGroup.allReduceShardsInFixedOrder` (for world sizes that are not a
/// power of two). One flat buffer per dtype: each parameter's gradient, then one flag per
/// parameter (1 when the shard gave it a gradient), so that a parameter no shard reached keeps
/// a nil `.grad` as on one process.
private final class ShardExchange {
    /// Per dtype: the parameters' indices, where each starts in a row, and the rows.
    private var buffers: [(members: [Int], offsets: [Int], values: Int, rows: Tensor)] = []

    init(_ parameters: [Tensor], shards: Int) {
        var dtypes: [DType] = []
        for p in parameters where !dtypes.contains(p.dtype) { dtypes.append(p.dtype) }
        for dtype in dtypes {
            let members = parameters.indices.filter { parameters[$0].dtype == dtype }
            var offsets: [Int] = [], values = 0
            for i in members { offsets.append(values); values += parameters[i].numel }
            buffers.append((members, offsets, values, Tensor.zeros([shards, values + members.count], dtype: dtype)))
        }
    }

    /// Copies the parameters' current gradients into local shard `j`'s row.
    func record(_ parameters: [Tensor], shard j: Int) {
        withNoGrad {
            for b in buffers {
                let row = b.rows.select(0, j)
                for (slot, i) in b.members.enumerated() {
                    guard let g = parameters[i].grad else { continue }
                    let n = parameters[i].numel
                    row.narrow(0, start: b.offsets[slot], length: n).copy_(g.reshape([n]))
                    row.narrow(0, start: b.values + slot, length: 1).fill_(1)
                }
            }
        }
    }

    /// Sums every rank's rows in S_K's order, divides by `divisor`, and sets the parameters' `.grad`.
    func reduce(into parameters: [Tensor], group: ProcessGroup, divisor: Int) throws(DistributedError) {
        let started = buffers.map { group.allReduceShardsInFixedOrderAsync($0.rows, divisor: divisor) }
        for (_, work) in started { try work.wait() }
        withNoGrad {
            for (b, (summed, _)) in zip(buffers, started) {
                let flags = summed.narrow(0, start: b.values, length: b.members.count).toArray(as: Double.self)
                for (slot, i) in b.members.enumerated() where flags[slot] > 0 {
                    let p = parameters[i]
                    p.grad = summed.narrow(0, start: b.offsets[slot], length: p.numel).view(p.shape).clone()
                }
            }
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
