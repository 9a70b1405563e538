/// Batch normalization over the channel dim 1 (PyTorch: `nn.modules.batchnorm._BatchNorm`).
/// Use `BatchNorm1d`, `BatchNorm2d` or `BatchNorm3d`, which check the input's rank.
///
/// In training, each channel is normalized with the batch's mean and biased variance, and
/// the running statistics are updated: `running = (1 - momentum) · running + momentum · batch`
/// with the unbiased variance, and `num_batches_tracked` counts the updates (`momentum: nil`
/// gives a cumulative average instead). In evaluation the running statistics are used. With
/// `trackRunningStats: false` there are none and batch statistics are always used.
open class BatchNorm: Module, @unchecked Sendable {
    /// The number of channels C (PyTorch: `num_features`).
    public let numFeatures: Int
    /// Added to the variance for stability (PyTorch: `eps`).
    public let eps: Double
    /// Weight of the new batch in the running statistics, or nil for a cumulative average
    /// (PyTorch: `momentum`).
    public var momentum: Double?
    /// Whether there is a learned per-channel scale and shift (PyTorch: `affine`).
    public let affine: Bool
    /// Whether running statistics are kept (PyTorch: `track_running_stats`).
    public let trackRunningStats: Bool

    /// The learned scale, `[C]`, ones at first; nil without `affine`.
    @Parameter public var weight: Tensor?
    /// The learned shift, `[C]`, zeros at first; nil without `affine`.
    @Parameter public var bias: Tensor?
    /// The running mean, `[C]` (PyTorch: `running_mean`).
    @Buffer(name: "running_mean") public var runningMean: Tensor? = nil
    /// The running (unbiased) variance, `[C]` (PyTorch: `running_var`).
    @Buffer(name: "running_var") public var runningVar: Tensor? = nil
    /// How many training batches updated the statistics, an int64 scalar
    /// (PyTorch: `num_batches_tracked`).
    @Buffer(name: "num_batches_tracked") public var numBatchesTracked: Tensor? = nil

    /// The number of dims an input must have, besides the batch dim alone; set by subclasses.
    var allowedRanks: [Int] { [2, 3, 4, 5] }

    /// A batch normalization layer over `numFeatures` channels (PyTorch:
    /// `nn.BatchNorm2d(num_features, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)`).
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true, dtype: DType = .float32) {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.trackRunningStats = trackRunningStats
        self.weight = affine ? Tensor.ones([numFeatures], dtype: dtype) : nil
        self.bias = affine ? Tensor.zeros([numFeatures], dtype: dtype) : nil
        super.init()
        if trackRunningStats {
            runningMean = Tensor.zeros([numFeatures], dtype: dtype)
            runningVar = Tensor.ones([numFeatures], dtype: dtype)
            numBatchesTracked = Tensor.zeros([], dtype: .int64)
        }
    }

    /// Resets the running statistics to mean 0, variance 1 and no batches
    /// (PyTorch: `reset_running_stats`).
    public func resetRunningStats() {
        withNoGrad {
            runningMean?.zero_()
            runningVar?.fill_(1)
            numBatchesTracked?.zero_()
        }
    }

    /// Resets the statistics and the affine parameters (PyTorch: `reset_parameters`).
    public func resetParameters() {
        resetRunningStats()
        if let weight { Init.ones_(weight) }
        if let bias { Init.zeros_(bias) }
    }

    /// Normalizes each channel of `[N, C, *]` (PyTorch: `F.batch_norm`).
    open override func forward(_ x: Tensor) -> Tensor {
        check(allowedRanks.contains(x.dim), "BatchNorm", "\(typeName) expected a \(allowedRanks.map { "\($0)D" }.joined(separator: " or ")) input, got shape \(x.shape)")
        check(x.shape[1] == numFeatures, "BatchNorm", "\(typeName) expected \(numFeatures) channels in dim 1 (num_features=\(numFeatures)), got shape \(x.shape)")
        var factor = momentum ?? 0
        if training && trackRunningStats, let count = numBatchesTracked {
            withNoGrad { count.add_(1) }
            if momentum == nil { factor = 1 / count.item() }
        }
        let useBatchStats = training || (runningMean == nil && runningVar == nil)
        let n = x.numel / numFeatures
        if useBatchStats {
            check(n > 1, "BatchNorm", "\(typeName) expected more than 1 value per channel when training, got input of shape \(x.shape)")
        }
        if usesFusedOp(x) {
            // One fused op (two passes forward, two backward); it updates the running statistics.
            return x.batchNorm(runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                               training: training, momentum: factor, eps: eps)
        }
        if !useBatchStats {
            // Evaluation: one scale and one shift per channel, two passes over x.
            var scale = (runningVar! + eps).rsqrt()
            if let weight { scale = scale * weight }
            var shift = -runningMean! * scale
            if let bias { shift = shift + bias }
            return x * scale.reshape(channelShape(x)) + shift.reshape(channelShape(x))
        }
        // Statistics in a [C, N·L] layout, where each channel is one contiguous row: the
        // reductions and their backwards then run on rows instead of strided gathers
        // (about twice as fast as reducing NCHW over dims [0, 2, 3]).
        let rows = x.transpose(0, 1).reshape([numFeatures, n])
        let mean = rows.mean(dim: 1, keepDim: true)
        let centered = rows - mean
        let variance = centered.square().mean(dim: 1, keepDim: true)
        if training, let runningMean, let runningVar {
            withNoGrad {
                let unbiased = variance.reshape([numFeatures]) * (Double(n) / Double(n - 1))
                runningMean.mul_(1 - factor).add_(mean.reshape([numFeatures]).to(runningMean.dtype) * factor)
                runningVar.mul_(1 - factor).add_(unbiased.to(runningVar.dtype) * factor)
            }
        }
        var scale = (variance + eps).rsqrt()
        if let weight { scale = scale * weight.reshape([numFeatures, 1]) }
        var y = centered * scale
        if let bias { y = y + bias.reshape([numFeatures, 1]) }
        var channelsFirst = x.shape
        channelsFirst.swapAt(0, 1)
        return y.reshape(channelsFirst).transpose(0, 1).contiguous()
    }

    /// Whether `x` runs on Ember's fused batch-norm op: float32 or float64, with parameters
    /// and statistics of the same dtype (other dtypes use the composite formulation below).
    private func usesFusedOp(_ x: Tensor) -> Bool {
        (x.dtype == .float32 || x.dtype == .float64)
            && [weight, bias, runningMean, runningVar].allSatisfy { $0 == nil || $0!.dtype == x.dtype }
    }

    /// `[1, C, 1, ...]` for an input of `x`'s rank.
    private func channelShape(_ x: Tensor) -> [Int] {
        var shape = [Int](repeating: 1, count: x.dim)
        shape[1] = numFeatures
        return shape
    }

    /// `64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True`.
    open override var extraDescription: String {
        "\(numFeatures), eps=\(pyFloat(eps)), momentum=\(momentum.map(pyFloat) ?? "None"), affine=\(pyBool(affine)), track_running_stats=\(pyBool(trackRunningStats))"
    }
}

/// Batch normalization of `[N, C]` or `[N, C, L]` inputs (PyTorch: `nn.BatchNorm1d`).
///
/// ```swift
/// let bn = BatchNorm1d(64)
/// let y = bn(Tensor.randn([32, 64]))
/// ```
open class BatchNorm1d: BatchNorm, @unchecked Sendable {
    override var allowedRanks: [Int] { [2, 3] }
}

/// Batch normalization of `[N, C, H, W]` inputs (PyTorch: `nn.BatchNorm2d`).
///
/// ```swift
/// let bn = BatchNorm2d(16)
/// let y = bn(Tensor.randn([8, 16, 32, 32]))
/// ```
open class BatchNorm2d: BatchNorm, @unchecked Sendable {
    override var allowedRanks: [Int] { [4] }
}

/// Batch normalization of `[N, C, D, H, W]` inputs (PyTorch: `nn.BatchNorm3d`).
open class BatchNorm3d: BatchNorm, @unchecked Sendable {
    override var allowedRanks: [Int] { [5] }
}
