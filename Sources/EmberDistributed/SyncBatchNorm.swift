import Ember
import EmberNN

/// Batch normalization whose training statistics are those of the whole global batch: every
/// rank's per-channel sums are added over the process group, forward and backward (PyTorch:
/// `torch.nn.SyncBatchNorm(num_features, eps, momentum, affine, track_running_stats)`).
///
/// In evaluation, and for its parameters, buffers and state dict (`weight`, `bias`,
/// `running_mean`, `running_var`, `num_batches_tracked`), it is a `BatchNorm`. Every rank must
/// run its forward and backward together (they all-reduce); a failed collective stops the
/// process with the `DistributedError`'s message. Inputs of any rank 2...5, channels in dim 1.
///
/// ```swift
/// let bn = SyncBatchNorm(64, processGroup: group)
/// let y = bn(x)           // x: this rank's [N, 64, H, W]; statistics over every rank's N
/// ```
public final class SyncBatchNorm: BatchNorm, @unchecked Sendable {
    /// The processes whose batches are normalized together (PyTorch: `process_group`).
    public let processGroup: ProcessGroup

    /// A synchronized batch normalization over `numFeatures` channels.
    public init(_ numFeatures: Int, processGroup: ProcessGroup, eps: Double = 1e-5, momentum: Double? = 0.1,
                affine: Bool = true, trackRunningStats: Bool = true, dtype: DType = .float32) {
        self.processGroup = processGroup
        super.init(numFeatures, eps: eps, momentum: momentum, affine: affine, trackRunningStats: trackRunningStats, dtype: dtype)
    }

    /// Normalizes `[N, C, *]` with the statistics of every rank's batch in training, with the
    /// running statistics in evaluation.
    public override func forward(_ x: Tensor) -> Tensor {
        guard training else { return super.forward(x) }
        check(x.dim >= 2 && x.dim <= 5 && x.shape[1] == numFeatures, "SyncBatchNorm",
              "expected [N, \(numFeatures), *] of rank 2 to 5, got shape \(x.shape)")
        let c = numFeatures
        let rows = x.transpose(0, 1).reshape([c, x.numel / c])
        // Per-channel sum and sum of squares of this rank, summed over the ranks (a sum whose
        // backward is the sum of every rank's gradient), and the global count.
        let local = Tensor.stack([rows.sum(dim: 1), rows.square().sum(dim: 1)])
        let total = sumOverRanks(local)
        let count = withNoGrad { Tensor([Double(x.numel / c)], dtype: .float64) }
        allReduceOrStop(count, "count")
        let n = count.item()
        check(n > 1, "SyncBatchNorm", "expected more than 1 value per channel over all ranks when training, got \(n)")
        let mean = total.select(0, 0) / n
        let variance = total.select(0, 1) / n - mean.square()
        if let runningMean, let runningVar, let tracked = numBatchesTracked {
            withNoGrad {
                tracked.add_(1)
                let factor = momentum ?? 1 / tracked.item()
                runningMean.mul_(1 - factor).add_(mean.detach().to(runningMean.dtype) * factor)
                runningVar.mul_(1 - factor).add_((variance.detach() * (n / (n - 1))).to(runningVar.dtype) * factor)
            }
        }
        var scale = (variance + eps).rsqrt()
        if let weight { scale = scale * weight }
        var shift = -mean * scale
        if let bias { shift = shift + bias }
        var shape = Array(repeating: 1, count: x.dim)
        shape[1] = c
        return x * scale.reshape(shape) + shift.reshape(shape)
    }

    /// `t` summed over the ranks, differentiably: the gradient reaching `t` is the sum of every
    /// rank's gradient of the result (each rank's result depends on every rank's `t`).
    private func sumOverRanks(_ t: Tensor) -> Tensor {
        let total = withNoGrad { t.detach().contiguous().clone() }
        allReduceOrStop(total, "statistics")
        guard t.requiresGrad else { return total }
        t.registerHook { [processGroup] g in
            let s = withNoGrad { g.contiguous().clone() }
            do { try processGroup.allReduce(s) } catch {
                emberFailure("SyncBatchNorm.backward", "summing the statistics' gradients failed: \(error)")
            }
            return s
        }
        // Exactly `total` in value (t - t is zero), with `t`'s gradient path.
        return total + (t - t.detach())
    }

    private func allReduceOrStop(_ t: Tensor, _ what: String) {
        do { try processGroup.allReduce(t) } catch {
            emberFailure("SyncBatchNorm.forward", "summing the \(what) over the ranks failed: \(error)")
        }
    }
}
