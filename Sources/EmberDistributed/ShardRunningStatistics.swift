import Ember
import EmberNN

/// BatchNorm running statistics that do not depend on how many processes share a step's
/// gradient shards (used by `GradientShards`; no PyTorch equivalent: PyTorch's DDP keeps rank
/// 0's statistics).
///
/// Each shard's forward normalizes with that shard's own batch statistics, wherever it runs, so
/// the gradients agree. The running statistics would not: one process updates them once per
/// shard, in its order, while each rank sees only its shards. So while a step runs, every
/// BatchNorm records its shard's batch statistics instead (running statistics zeroed, momentum
/// 1: the update then leaves exactly the batch mean and unbiased variance), the ranks exchange
/// them (one small all-gather), and every rank applies the updates of all shards in shard order
/// to the statistics of the step's start: `running = (1 - m) · running + m · batch`, with
/// `num_batches_tracked` counting each shard. Each BatchNorm must run once per forward.
final class ShardRunningStatistics {
    /// The layers whose running statistics training updates.
    let layers: [BatchNorm]
    /// Each layer's statistics and momentum at the step's start.
    private var saved: [(mean: Tensor, variance: Tensor, count: Tensor?, momentum: Double?)] = []
    /// Per local shard `j`: every layer's batch mean and unbiased variance, concatenated (float64).
    private var recorded: [Tensor?] = []

    /// The BatchNorm layers of `module` in training mode with running statistics.
    init(_ module: Module?) {
        layers = (module?.modules() ?? []).compactMap { m in
            guard let bn = m as? BatchNorm, bn.training, bn.trackRunningStats, bn.runningMean != nil, bn.runningVar != nil else { return nil }
            return bn
        }
    }

    /// Saves the statistics and makes each layer record its batch statistics, for `shards`
    /// local shards.
    func beginStep(shards: Int) {
        guard !layers.isEmpty else { return }
        saved = layers.map { ($0.runningMean!.clone(), $0.runningVar!.clone(), $0.numBatchesTracked?.clone(), $0.momentum) }
        recorded = Array(repeating: nil, count: shards)
        for bn in layers { bn.momentum = 1 }
    }

    /// Before a shard's forward: the running statistics are zeroed.
    func beforeShard() {
        withNoGrad { for bn in layers { bn.runningMean!.zero_(); bn.runningVar!.zero_() } }
    }

    /// After local shard `j`'s forward: what each layer's update left is its batch statistics.
    func afterShard(at j: Int) {
        guard !layers.isEmpty else { return }
        recorded[j] = Tensor.cat(layers.flatMap { [$0.runningMean!.to(.float64), $0.runningVar!.to(.float64)] })
    }

    /// Gathers every shard's statistics (`group` when several ranks share the shards; rank `r`'s
    /// `j`-th shard is shard `r + worldSize · j`) and applies them in shard order.
    func endStep(group: ProcessGroup?, worldSize: Int) throws(DistributedError) {
        guard !layers.isEmpty else { return }
        defer { recorded = []; saved = [] }
        let local = Tensor.stack(recorded.map { $0! })           // [shards here, S]
        let all: [Tensor] = worldSize > 1 && group != nil ? try group!.allGather(local) : [local]
        let total = all.count * recorded.count
        withNoGrad {
            for (bn, s) in zip(layers, saved) {
                bn.momentum = s.momentum
                bn.runningMean!.copy_(s.mean)
                bn.runningVar!.copy_(s.variance)
                if let c = s.count { bn.numBatchesTracked!.copy_(c) }
            }
            for shard in 0..<total {
                let row = all[shard % all.count].select(0, shard / all.count)
                var offset = 0
                for bn in layers {
                    let c = bn.numFeatures, m = bn.runningMean!, v = bn.runningVar!
                    bn.numBatchesTracked?.add_(1)
                    let factor = bn.momentum ?? 1 / (bn.numBatchesTracked?.item() ?? 1)
                    m.mul_(1 - factor).add_(row.narrow(0, start: offset, length: c).to(m.dtype) * factor)
                    v.mul_(1 - factor).add_(row.narrow(0, start: offset + c, length: c).to(v.dtype) * factor)
                    offset += 2 * c
                }
            }
        }
    }
}
