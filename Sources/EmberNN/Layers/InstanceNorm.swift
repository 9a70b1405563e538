/// Instance normalization: each channel of each sample normalized over its own spatial
/// positions (style transfer, GAN generators).

/// Normalizes each `(sample, channel)` plane of `[N, C, *]` over its positions with its mean and
/// biased variance, then applies an optional per-channel `weight` and `bias`
/// (PyTorch: `F.instance_norm`). With `useInputStats: false` the given running statistics are
/// used instead; with `useInputStats` and running statistics given, they are updated in place by
/// `momentum` from the batch-averaged instance statistics (the variance unbiased), as PyTorch.
public func instanceNorm(_ x: Tensor, runningMean: Tensor? = nil, runningVar: Tensor? = nil, weight: Tensor? = nil,
                         bias: Tensor? = nil, useInputStats: Bool = true, momentum: Double = 0.1, eps: Double = 1e-5,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(x.dim >= 3, "instanceNorm", "expects an input [N, C, *] with at least one spatial dim, got shape \(x.shape)", file: file, line: line)
    let c = x.shape[1]
    for (name, t) in [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar)] {
        if let t { check(t.shape == [c], "instanceNorm", "\(name) must have shape [\(c)] for input \(x.shape), got \(t.shape)", file: file, line: line) }
    }
    var channel = [Int](repeating: 1, count: x.dim)
    channel[1] = c
    let spatial = Array(2..<x.dim)
    let y: Tensor
    if useInputStats {
        let count = x.shape.dropFirst(2).reduce(1, *)
        check(count > 1, "instanceNorm", "expected more than 1 spatial element per channel, got input of shape \(x.shape)", file: file, line: line)
        let mean = x.mean(dims: spatial, keepDim: true)
        let variance = x.variance(dims: spatial, correction: 0, keepDim: true)
        if let runningMean, let runningVar {
            withNoGrad {
                let batchMean = mean.reshape([x.shape[0], c]).mean(dim: 0)
                let batchVar = (variance.reshape([x.shape[0], c]) * (Double(count) / Double(count - 1))).mean(dim: 0)
                runningMean.mul_(1 - momentum).add_(batchMean.to(runningMean.dtype) * momentum)
                runningVar.mul_(1 - momentum).add_(batchVar.to(runningVar.dtype) * momentum)
            }
        }
        y = (x - mean) * (variance + eps).rsqrt()
    } else {
        check(runningMean != nil && runningVar != nil, "instanceNorm", "useInputStats: false needs runningMean and runningVar", file: file, line: line)
        y = (x - runningMean!.reshape(channel)) * (runningVar!.reshape(channel) + eps).rsqrt()
    }
    var out = y
    if let weight { out = out * weight.reshape(channel) }
    if let bias { out = out + bias.reshape(channel) }
    return out
}

/// Instance normalization over `numFeatures` channels (PyTorch: `nn.modules.instancenorm._InstanceNorm`);
/// use `InstanceNorm1d` or `InstanceNorm2d`, which check the input's rank and accept an
/// unbatched input. By default there are neither affine parameters nor running statistics.
open class InstanceNorm: Module, @unchecked Sendable {
    /// The number of channels C (PyTorch: `num_features`).
    public let numFeatures: Int
    /// Added to the variance for stability (PyTorch: `eps`).
    public let eps: Double
    /// Weight of the new batch in the running statistics (PyTorch: `momentum`).
    public var momentum: Double
    /// Whether there is a learned per-channel scale and shift (PyTorch: `affine`).
    public let affine: Bool
    /// Whether running statistics are kept and used in evaluation (PyTorch: `track_running_stats`).
    public let trackRunningStats: Bool

    /// The learned scale, `[C]`, ones at first; nil without `affine`.
    @Parameter public var weight: Tensor?
    /// The learned shift, `[C]`, zeros at first; nil without `affine`.
    @Parameter public var bias: Tensor?
    /// The running mean, `[C]` (PyTorch: `running_mean`).
    @Buffer(name: "running_mean") public var runningMean: Tensor? = nil
    /// The running (unbiased) variance, `[C]` (PyTorch: `running_var`).
    @Buffer(name: "running_var") public var runningVar: Tensor? = nil
    /// How many training batches updated the statistics (PyTorch: `num_batches_tracked`).
    @Buffer(name: "num_batches_tracked") public var numBatchesTracked: Tensor? = nil

    /// The rank of a batched input; set by subclasses.
    var batchedRank: Int { 0 }

    /// An instance normalization layer (PyTorch:
    /// `nn.InstanceNorm2d(num_features, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)`).
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = false,
                trackRunningStats: Bool = false, dtype: DType = .float32) {
        (self.numFeatures, self.eps, self.momentum, self.affine, self.trackRunningStats) = (numFeatures, eps, momentum, affine, trackRunningStats)
        self.weight = affine ? Tensor.ones([numFeatures], dtype: dtype) : nil
        self.bias = affine ? Tensor.zeros([numFeatures], dtype: dtype) : nil
        super.init()
        if trackRunningStats {
            runningMean = Tensor.zeros([numFeatures], dtype: dtype)
            runningVar = Tensor.ones([numFeatures], dtype: dtype)
            numBatchesTracked = Tensor.zeros([], dtype: .int64)
        }
    }

    /// Normalizes each channel of each sample of `[N, C, *]` (or unbatched `[C, *]`).
    open override func forward(_ x: Tensor) -> Tensor {
        check(x.dim == batchedRank || x.dim == batchedRank - 1, "InstanceNorm", "\(typeName) expected a \(batchedRank - 1)D (unbatched) or \(batchedRank)D (batched) input, got shape \(x.shape)")
        let batched = x.dim == batchedRank ? x : x.unsqueeze(0)
        check(batched.shape[1] == numFeatures, "InstanceNorm", "\(typeName) expected \(numFeatures) channels (num_features=\(numFeatures)), got shape \(x.shape)")
        let useInputStats = training || !trackRunningStats
        if training && trackRunningStats, let count = numBatchesTracked { withNoGrad { _ = count.add_(1) } }
        let y = instanceNorm(batched, runningMean: runningMean, runningVar: runningVar, weight: weight, bias: bias,
                             useInputStats: useInputStats, momentum: momentum, eps: eps)
        return x.dim == batchedRank ? y : y.squeeze(0)
    }

    /// `64, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False`.
    open override var extraDescription: String {
        "\(numFeatures), eps=\(pyFloat(eps)), momentum=\(pyFloat(momentum)), affine=\(pyBool(affine)), track_running_stats=\(pyBool(trackRunningStats))"
    }
}

/// Instance normalization of `[N, C, L]` (or `[C, L]`) inputs (PyTorch: `nn.InstanceNorm1d`).
open class InstanceNorm1d: InstanceNorm, @unchecked Sendable {
    override var batchedRank: Int { 3 }
}

/// Instance normalization of `[N, C, H, W]` (or `[C, H, W]`) inputs (PyTorch: `nn.InstanceNorm2d`).
///
/// ```swift
/// let norm = InstanceNorm2d(64, affine: true)
/// ```
open class InstanceNorm2d: InstanceNorm, @unchecked Sendable {
    override var batchedRank: Int { 4 }
}

/// Instance normalization of `[N, C, D, H, W]` (or `[C, D, H, W]`) inputs (PyTorch: `nn.InstanceNorm3d`).
open class InstanceNorm3d: InstanceNorm, @unchecked Sendable {
    override var batchedRank: Int { 5 }
}
