/// Batch normalization as one fused op with a hand-written backward.
///
/// Composed from primitives, a training-mode batch norm is about eight passes over the input
/// forward and twenty backward (each reduction over `[N, *, L]` a transposed copy, each
/// elementwise step a temporary). Here forward is one pass for each channel's sum and sum of
/// squares and one for the normalized, scaled and shifted output; backward is one pass for
/// each channel's `Σ g` and `Σ g·(x - mean)` (which are also the bias and weight gradients)
/// and one for the input gradient. Inputs are read in memory order, `[N, C, L]` as `N·C`
/// contiguous rows of `L`, the batch split across cores with per-chunk partial sums.
extension Tensor {
    /// Normalizes each channel (dim 1) of `[N, C, *]` by its batch mean and biased variance
    /// (`training`, or when there are no running statistics) or by `runningMean` and
    /// `runningVar`, then scales by `weight` and shifts by `bias` (each `[C]`, optional):
    /// `(x - mean) / √(var + eps) · w + b` (PyTorch: `F.batch_norm(x, running_mean,
    /// running_var, weight, bias, training, momentum, eps)`).
    ///
    /// In training with running statistics, they are updated in place as PyTorch does:
    /// `running = (1 - momentum) · running + momentum · batch`, with the unbiased batch
    /// variance. Float32 and float64; differentiable in the input, weight and bias, to any
    /// order (under `backward(createGraph: true)` the gradients are built from tensor ops).
    ///
    /// ```swift
    /// let y = x.batchNorm(runningMean: rm, runningVar: rv, weight: gamma, bias: beta, training: true)
    /// ```
    public func batchNorm(
        runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil, bias: Tensor? = nil,
        training: Bool, momentum: Double = 0.1, eps: Double = 1e-5,
        file: StaticString = #fileID, line: UInt = #line
    ) -> Tensor {
        let op: StaticString = "batchNorm"
        check(dim >= 2, op, "expected an input of shape [N, C, *], got shape \(shape)", file: file, line: line)
        check(dtype == .float32 || dtype == .float64, op, "expected a float32 or float64 input, got \(dtype)", file: file, line: line)
        let channels = shape[1]
        for (name, t) in [("weight", weight), ("bias", bias), ("running_mean", runningMean), ("running_var", runningVar)] {
            guard let t else { continue }
            check(t.shape == [channels], op, "\(name) must have shape [\(channels)] (the input's channels), got \(t.shape)", file: file, line: line)
            check(t.dtype == dtype, op, "\(name) must have the input's dtype \(dtype), got \(t.dtype)", file: file, line: line)
        }
        check((runningMean == nil) == (runningVar == nil), op, "running_mean and running_var must both be given or both be nil", file: file, line: line)
        let batchStats = training || runningMean == nil
        let geometry = BatchNormGeometry(shape)
        if batchStats {
            check(geometry.count > 1, op, "expected more than 1 value per channel when training, got input of shape \(shape)", file: file, line: line)
        }
        let x = isContiguous ? self : convertedCopy()
        let contiguousParam = { (t: Tensor?) in t.map { $0.isContiguous ? $0 : $0.convertedCopy() } }
        let w = contiguousParam(weight), b = contiguousParam(bias)
        // Per channel: the mean and 1/√(var + eps) that normalize x, and the running statistics'
        // update, as scalar loops over C (small tensor ops would cost more than the passes on
        // small inputs).
        let mean = Tensor(empty: [channels], dtype: dtype), invStd = Tensor(empty: [channels], dtype: dtype)
        let contiguousRunning = (runningMean?.isContiguous ?? true) && (runningVar?.isContiguous ?? true)
        let rm = contiguousRunning ? runningMean : runningMean?.convertedCopy()
        let rv = contiguousRunning ? runningVar : runningVar?.convertedCopy()
        if batchStats {
            let variance = Tensor(empty: [channels], dtype: dtype)
            if geometry.elements > 0 { dtype.visitFloat(BatchNormStatistics(x: x, mean: mean, variance: variance, g: geometry)) }
            let update = training && rm != nil
            dtype.visitFloat(BatchNormChannelUpdate(mean: mean, variance: variance, invStd: invStd, eps: eps,
                                                    runningMean: update ? rm : nil, runningVar: update ? rv : nil,
                                                    momentum: momentum, count: geometry.count))
            if update {
                if contiguousRunning {
                    runningMean!.storage.bumpVersion()
                    runningVar!.storage.bumpVersion()
                } else {
                    withNoGrad {
                        runningMean!.copy_(rm!)
                        runningVar!.copy_(rv!)
                    }
                }
            }
        } else {
            dtype.visitFloat(BatchNormChannelUpdate(mean: mean, variance: nil, invStd: invStd, eps: eps, runningMean: rm, runningVar: rv,
                                                    momentum: 0, count: 0))
        }
        let out = Tensor(empty: shape, dtype: dtype)
        if geometry.elements > 0 {
            dtype.visitFloat(BatchNormNormalize(x: x, w: w, b: b, mean: mean, invStd: invStd, out: out, g: geometry))
        }
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        guard needsGrad(inputs) else { return out }
        let saved = inputs.map { SavedTensor($0, op: "NativeBatchNormBackward0") }
        let needX = requiresGrad, needW = weight?.requiresGrad ?? false, needB = bias?.requiresGrad ?? false
        let hasW = weight != nil, hasB = bias != nil
        record("NativeBatchNormBackward0", out, inputs: inputs, file: file, line: line) { g in
            let xs = saved[0].value, ws = hasW ? saved[1].value : nil
            if GradMode.isEnabled {
                // createGraph: the same gradients written with tensor ops, so they differentiate again.
                return batchNormCompositeBackward(g, xs, ws, mean: mean, invStd: invStd, batchStats: batchStats, eps: eps,
                                                  needX: needX, hasW: hasW, needW: needW, hasB: hasB, needB: needB)
            }
            let gc = g.isContiguous ? g : g.convertedCopy()
            let dx = needX ? Tensor(empty: xs.shape, dtype: xs.dtype) : nil
            let dw = needW ? Tensor(empty: [channels], dtype: xs.dtype) : nil
            let db = needB ? Tensor(empty: [channels], dtype: xs.dtype) : nil
            if geometry.elements > 0 {
                xs.dtype.visitFloat(BatchNormBackward(x: x, w: w, g: gc, mean: mean, invStd: invStd, batchStats: batchStats,
                                                      dx: dx, dw: dw, db: db, geometry: geometry))
            } else {
                for t in [dx, dw, db] { t?.pointerZero() }
            }
            var grads: [Tensor?] = [dx]
            if hasW { grads.append(dw) }
            if hasB { grads.append(db) }
            return grads
        }
        return out
    }
}

/// The gradients of `batchNorm` from tensor ops, for `createGraph`: with batch statistics
/// `dx = r · (gw - mean(gw) - x̂ · mean(gw · x̂))` (means over all dims but 1, `gw = g · w`),
/// otherwise `dx = g · w · r` with the running statistics' constant `r`.
private func batchNormCompositeBackward(
    _ g: Tensor, _ x: Tensor, _ w: Tensor?, mean: Tensor, invStd: Tensor, batchStats: Bool, eps: Double,
    needX: Bool, hasW: Bool, needW: Bool, hasB: Bool, needB: Bool
) -> [Tensor?] {
    var channelShape = [Int](repeating: 1, count: x.dim)
    channelShape[1] = x.shape[1]
    let dims = [0] + Array(2..<x.dim)
    let gw = w.map { g * $0.reshape(channelShape) } ?? g
    let xhat: Tensor, dx: Tensor?
    if batchStats {
        let centered = x - x.mean(dims: dims, keepDim: true)
        let r = (centered.square().mean(dims: dims, keepDim: true) + eps).rsqrt()
        xhat = centered * r
        dx = needX ? r * (gw - gw.mean(dims: dims, keepDim: true) - xhat * (gw * xhat).mean(dims: dims, keepDim: true)) : nil
    } else {
        let r = invStd.reshape(channelShape)
        xhat = (x - mean.reshape(channelShape)) * r
        dx = needX ? gw * r : nil
    }
    var grads: [Tensor?] = [dx]
    if hasW { grads.append(needW ? (g * xhat).sum(dims: dims) : nil) }
    if hasB { grads.append(needB ? g.sum(dims: dims) : nil) }
    return grads
}

private extension Tensor {
    /// Fills a fresh float tensor with zeros.
    func pointerZero() { withNoGrad { _ = self.zero_() } }
}
