/// Reductions over all elements or chosen dims, with `keepDim`, and their backwards.
extension Tensor {
    /// Normalized, sorted, de-duplicated reduction dims; empty means all.
    func reductionDims(_ dims: [Int]?, _ op: StaticString, file: StaticString, line: UInt) -> [Int] {
        guard let dims, !dims.isEmpty else { return Array(0..<dim) }
        var d = dims.map { normalizeDim($0, rank: dim, op, file: file, line: line) }
        d.sort()
        for i in d.indices.dropFirst() {
            check(d[i] != d[i - 1], op, "dim \(dims) appears multiple times in the list of dims", file: file, line: line)
        }
        return d
    }

    /// Output shape of a reduction over `dims`, with or without the reduced dims kept as 1.
    func reducedShape(_ dims: [Int], keepDim: Bool) -> [Int] {
        var s: [Int] = []
        if keepDim || dims.count < dim { s.reserveCapacity(keepDim ? dim : dim - dims.count) }
        for i in 0..<dim {
            if dims.contains(i) { if keepDim { s.append(1) } } else { s.append(shape[i]) }
        }
        return s
    }

    /// Moves `dims` last and returns a contiguous `[outer, inner]` row layout (copying only
    /// when the reduced dims are not already the innermost contiguous ones).
    func rowsForReduction(_ dims: [Int]) -> (rows: Tensor, outer: Int, inner: Int) {
        let kept = (0..<dim).filter { !dims.contains($0) }
        let inner = dims.reduce(1) { $0 * shape[$1] }
        let outer = kept.reduce(1) { $0 * shape[$1] }
        let perm = kept + dims
        let moved = perm.elementsEqual(0..<dim) ? self : Tensor(storage: storage, shape: perm.map { shape[$0] }, strides: perm.map { strides[$0] }, offset: offset, dtype: dtype)
        return (moved.isContiguous ? moved : moved.convertedCopy(), outer, inner)
    }

    /// A contiguous copy with no autograd.
    func convertedCopy() -> Tensor {
        let out = Tensor(empty: shape, dtype: dtype)
        dtype.visit(CastInto(src: self, dst: out))
        return out
    }

    /// Runs a row reduction kernel over `dims` in `computeType`, returning the keepDim=false shape.
    func reduceRaw(_ op: ReduceOp, dims: [Int], computeType: DType) -> Tensor {
        let x = convertedRaw(computeType)
        let outShape = reducedShape(dims, keepDim: false)
        let out = Tensor(empty: outShape, dtype: computeType)
        if numel == 0 {
            out.fillRaw(op == .prod || op == .all ? 1 : 0)
            return out
        }
        // Summing leading dims of a contiguous tensor (bias gradients): add rows in place.
        if op == .sum && x.isContiguous && dims.elementsEqual(0..<dims.count) && dims.count < dim {
            let rows = dims.reduce(1) { $0 * shape[$1] }
            computeType.visitArithmetic(ColumnSumKernel(x: x, out: out, rows: rows, cols: numel / rows))
            return out
        }
        let (r, outer, inner) = x.rowsForReduction(dims)
        computeType.visitArithmetic(RowReduceKernel(op: op, x: r, out: out, outer: outer, inner: inner))
        return out
    }

    /// Expands a reduced gradient back over the reduced dims of `inShape`.
    static func expandReduced(_ g: Tensor, _ dims: [Int], _ inShape: [Int], keepDim: Bool) -> Tensor {
        var keptShape = inShape
        for d in dims { keptShape[d] = 1 }
        return (keepDim ? g : g.reshape(keptShape)).expand(inShape)
    }

    /// Sum over `dims` (all when nil or empty) (PyTorch: `torch.sum`). Integer and bool
    /// tensors sum to int64.
    public func sum(dims: [Int]? = nil, keepDim: Bool = false, dtype: DType? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let ds = reductionDims(dims, "sum", file: file, line: line)
        let outType = dtype ?? (self.dtype.isFloatingPoint ? self.dtype : .int64)
        var out = reduceRaw(.sum, dims: ds, computeType: outType.computeType).convertedRaw(outType)
        if keepDim { out = out.reshapeRaw(reducedShape(ds, keepDim: true)) }
        if needsGrad(self) {
            let inShape = shape, inType = self.dtype
            record("SumBackward1", out, self, file: file, line: line) { g in
                [Tensor.expandReduced(g, ds, inShape, keepDim: keepDim).to(inType)]
            }
        }
        return out
    }

    /// Sum over one dim (PyTorch: `tensor.sum(dim)`).
    public func sum(dim: Int, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        sum(dims: [dim], keepDim: keepDim, file: file, line: line)
    }

    /// Mean over `dims` (all when nil) (PyTorch: `torch.mean`); floating-point tensors only.
    public func mean(dims: [Int]? = nil, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dtype.isFloatingPoint, "mean", "mean needs a floating point input, got \(dtype); convert with .float() first", file: file, line: line)
        let ds = reductionDims(dims, "mean", file: file, line: line)
        let count = ds.reduce(1) { $0 * shape[$1] }
        return sum(dims: ds, keepDim: keepDim, file: file, line: line).div(Double(count), file: file, line: line)
    }

    /// Mean over one dim (PyTorch: `tensor.mean(dim)`).
    public func mean(dim: Int, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        mean(dims: [dim], keepDim: keepDim, file: file, line: line)
    }

    /// Product over `dims` (all when nil) (PyTorch: `torch.prod`).
    public func prod(dims: [Int]? = nil, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let ds = reductionDims(dims, "prod", file: file, line: line)
        let outType = dtype.isFloatingPoint ? dtype : .int64
        var out = reduceRaw(.prod, dims: ds, computeType: outType.computeType).convertedRaw(outType)
        if keepDim { out = out.reshapeRaw(reducedShape(ds, keepDim: true)) }
        if needsGrad(self) {
            let sx = SavedTensor(self, op: "prod"), so = SavedTensor(out, op: "prod", isOutput: true), inShape = shape
            record("ProdBackward1", out, self, file: file, line: line) { g in
                let x = sx.value
                // Recomputed when the backward is itself recorded (createGraph), so the second
                // derivative sees the output's dependence on x.
                let y = GradMode.isEnabled ? x.prod(dims: ds, keepDim: keepDim) : so.value
                let gradOut = Tensor.expandReduced(g * y, ds, inShape, keepDim: keepDim)
                // d prod / d x_i = prod / x_i when the slice has no zeros.
                let isZero = x .== 0
                guard isZero.any().item(as: Bool.self) else { return [gradOut / x] }
                // With zeros, as PyTorch: at a zero x_i the derivative is the product of the
                // other entries: the product of the nonzero ones when x_i is its slice's only
                // zero, times the other zero when there are two (0, but its derivative is not),
                // and 0 with three or more. Nonzero entries of such a slice get prod / x_i = 0.
                let one = Tensor.ones([], dtype: x.dtype), zero = Tensor.zeros([], dtype: x.dtype)
                let nonzeroProduct = Tensor.where(isZero, one, x).prod(dims: ds, keepDim: true).expand(inShape)
                let count = isZero.to(x.dtype).sum(dims: ds, keepDim: true).expand(inShape)
                let otherZero = Tensor.where(isZero, x, zero).sum(dims: ds, keepDim: true).expand(inShape) - x
                let atZero = Tensor.where(count .== 1, nonzeroProduct,
                                          Tensor.where(count .== 2, nonzeroProduct * otherZero, zero))
                let gradIn = Tensor.expandReduced(g, ds, inShape, keepDim: keepDim)
                return [Tensor.where(isZero, gradIn * atZero, gradOut / Tensor.where(isZero, one, x))]
            }
        }
        return out
    }

    /// Moves gradient `g` of values picked at `indices` along `d` back into zeros of `inShape`.
    static func indexedGradient(_ g: Tensor, _ indices: Tensor, dim d: Int, inShape: [Int], keepDim: Bool) -> Tensor {
        let gk = keepDim ? g : g.unsqueeze(d)
        let ik = keepDim ? indices : indices.unsqueeze(d)
        return Tensor.zeros(inShape, dtype: g.dtype).scatter(d, ik, gk)
    }

    private func extreme(_ isMax: Bool, dim: Int, keepDim: Bool, file: StaticString, line: UInt) -> (values: Tensor, indices: Tensor) {
        let op: StaticString = isMax ? "max" : "min"
        let d = normalizeDim(dim, rank: self.dim, op, file: file, line: line)
        check(self.dim == 0 || shape[d] > 0, op, "cannot reduce over a zero-size dimension \(dim) of shape \(shape)", file: file, line: line)
        let compute = dtype.computeType
        let (rows, outer, inner) = convertedRaw(compute).rowsForReduction(self.dim == 0 ? [] : [d])
        let outShape = self.dim == 0 ? [] : reducedShape([d], keepDim: keepDim)
        let values = Tensor(empty: outShape, dtype: compute), indices = Tensor(empty: outShape, dtype: .int64)
        compute.visitArithmetic(ArgReduceKernel(x: rows, values: values, indices: indices, outer: outer, inner: inner, isMax: isMax))
        let v = values.convertedRaw(dtype)
        if needsGrad(self) {
            let inShape = shape
            record(isMax ? "MaxBackward0" : "MinBackward0", v, self, file: file, line: line) { g in
                [Tensor.indexedGradient(g, indices, dim: d, inShape: inShape, keepDim: keepDim || inShape.isEmpty)]
            }
        }
        return (v, indices)
    }

    /// Largest value along `dim` and its index (PyTorch: `torch.max(dim=)`).
    public func max(dim: Int, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> (values: Tensor, indices: Tensor) {
        extreme(true, dim: dim, keepDim: keepDim, file: file, line: line)
    }

    /// Smallest value along `dim` and its index (PyTorch: `torch.min(dim=)`).
    public func min(dim: Int, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> (values: Tensor, indices: Tensor) {
        extreme(false, dim: dim, keepDim: keepDim, file: file, line: line)
    }

    private func extremeAll(_ op: ReduceOp, file: StaticString, line: UInt) -> Tensor {
        check(numel > 0, op == .max ? "max" : "min", "cannot reduce an empty tensor (shape \(shape)) without a dim", file: file, line: line)
        let out = reduceRaw(op, dims: Array(0..<dim), computeType: dtype.computeType).convertedRaw(dtype)
        if needsGrad(self) {
            let sx = SavedTensor(self, op: "max"), so = SavedTensor(out, op: "max", isOutput: true)
            record(op == .max ? "MaxBackward1" : "MinBackward1", out, self, file: file, line: line) { g in
                // Ties share the gradient evenly, as PyTorch does for a full reduction.
                let mask = (sx.value .== so.value).to(g.dtype)
                return [mask * (g / mask.sum())]
            }
        }
        return out
    }

    /// The largest element (PyTorch: `torch.max(t)`).
    public func max(file: StaticString = #fileID, line: UInt = #line) -> Tensor { extremeAll(.max, file: file, line: line) }
    /// The smallest element (PyTorch: `torch.min(t)`).
    public func min(file: StaticString = #fileID, line: UInt = #line) -> Tensor { extremeAll(.min, file: file, line: line) }

    /// Largest values over `dims`, gradient shared evenly between ties (PyTorch: `torch.amax`).
    public func amax(dims: [Int], keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let ds = reductionDims(dims, "amax", file: file, line: line)
        var out = reduceRaw(.max, dims: ds, computeType: dtype.computeType).convertedRaw(dtype)
        if keepDim { out = out.reshapeRaw(reducedShape(ds, keepDim: true)) }
        if needsGrad(self) {
            let sx = SavedTensor(self, op: "amax"), so = SavedTensor(out, op: "amax", isOutput: true), inShape = shape
            record("AmaxBackward0", out, self, file: file, line: line) { g in
                let m = Tensor.expandReduced(so.value, ds, inShape, keepDim: keepDim)
                let mask = (sx.value .== m).to(g.dtype)
                let count = Tensor.expandReduced(mask.sum(dims: ds, keepDim: keepDim), ds, inShape, keepDim: keepDim)
                return [mask * Tensor.expandReduced(g, ds, inShape, keepDim: keepDim) / count]
            }
        }
        return out
    }

    /// Index of the largest value, over all elements (flattened) or along `dim` (PyTorch: `torch.argmax`).
    public func argmax(dim: Int? = nil, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard let dim else { return withNoGrad { reshape([-1]).max(dim: 0, file: file, line: line).indices } }
        return withNoGrad { max(dim: dim, keepDim: keepDim, file: file, line: line).indices }
    }

    /// Index of the smallest value (PyTorch: `torch.argmin`).
    public func argmin(dim: Int? = nil, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        guard let dim else { return withNoGrad { reshape([-1]).min(dim: 0, file: file, line: line).indices } }
        return withNoGrad { min(dim: dim, keepDim: keepDim, file: file, line: line).indices }
    }

    /// Variance over `dims` with Bessel's `correction` (1 = unbiased) (PyTorch: `torch.var`).
    public func variance(dims: [Int]? = nil, correction: Int = 1, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let ds = reductionDims(dims, "var", file: file, line: line)
        let n = ds.reduce(1) { $0 * shape[$1] }
        let centered = self - mean(dims: ds, keepDim: true, file: file, line: line)
        return centered.square().sum(dims: ds, keepDim: keepDim, file: file, line: line).div(Double(Swift.max(n - correction, 0)), file: file, line: line)
    }

    /// Variance over one dim (PyTorch: `tensor.var(dim)`).
    public func variance(dim: Int, correction: Int = 1, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        variance(dims: [dim], correction: correction, keepDim: keepDim, file: file, line: line)
    }

    /// PyTorch's spelling of `variance(dims:correction:keepDim:)` (PyTorch: `torch.var`).
    public func `var`(dims: [Int]? = nil, correction: Int = 1, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        variance(dims: dims, correction: correction, keepDim: keepDim, file: file, line: line)
    }

    /// PyTorch's spelling of `variance(dim:correction:keepDim:)` (PyTorch: `tensor.var(dim)`).
    public func `var`(dim: Int, correction: Int = 1, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        variance(dims: [dim], correction: correction, keepDim: keepDim, file: file, line: line)
    }

    /// Standard deviation over `dims` (PyTorch: `torch.std`).
    public func std(dims: [Int]? = nil, correction: Int = 1, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        variance(dims: dims, correction: correction, keepDim: keepDim, file: file, line: line).sqrt()
    }

    /// Standard deviation over one dim (PyTorch: `tensor.std(dim)`).
    public func std(dim: Int, correction: Int = 1, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        std(dims: [dim], correction: correction, keepDim: keepDim, file: file, line: line)
    }

    /// `log(Σ exp(x))` over `dims`, stable for large inputs (PyTorch: `torch.logsumexp`).
    public func logsumexp(dims: [Int], keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let ds = reductionDims(dims, "logsumexp", file: file, line: line)
        let m = withNoGrad { amax(dims: ds, keepDim: true, file: file, line: line) }
        let safeM = Tensor.where(m.isinf(), Tensor.zerosLike(m), m)
        let s = (self - safeM).exp().sum(dims: ds, keepDim: true, file: file, line: line).log() + safeM
        return keepDim ? s : s.squeezeDims(ds)
    }

    /// `logsumexp` over one dim.
    public func logsumexp(dim: Int, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        logsumexp(dims: [dim], keepDim: keepDim, file: file, line: line)
    }

    /// Removes the given size-1 dims (used after keepDim reductions).
    func squeezeDims(_ dims: [Int]) -> Tensor {
        reshape(reducedShape(dims, keepDim: false))
    }

    /// A reshape of a fresh contiguous tensor that records no autograd.
    func reshapeRaw(_ shape: [Int]) -> Tensor {
        Tensor(storage: storage, shape: shape, strides: contiguousStrides(shape), offset: offset, dtype: dtype)
    }

    /// The p-norm over `dims` (all when nil): p = 2 (default), 1, any positive p, or
    /// `.infinity` (PyTorch: `torch.norm` / `torch.linalg.vector_norm`).
    public func norm(p: Double = 2, dims: [Int]? = nil, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let ds = reductionDims(dims, "norm", file: file, line: line)
        if p == .infinity { return abs().amax(dims: ds, keepDim: keepDim, file: file, line: line) }
        if p == 1 { return abs().sum(dims: ds, keepDim: keepDim, file: file, line: line) }
        let out = withNoGrad {
            p == 2 ? square().sum(dims: ds, keepDim: keepDim, file: file, line: line).sqrt()
                : abs().pow(p).sum(dims: ds, keepDim: keepDim, file: file, line: line).pow(1 / p)
        }
        if needsGrad(self) {
            // Its own backward rather than the chain through sqrt / pow(1/p), which gives NaN
            // for an all-zero slice; PyTorch's gradient there is 0:
            // d‖x‖/dx = sgn(x)|x|^(p-1) / ‖x‖^(p-1)  (x / ‖x‖ for p = 2).
            let sx = SavedTensor(self, op: "norm"), so = SavedTensor(out, op: "norm", isOutput: true), inShape = shape
            record("LinalgVectorNormBackward0", out, inputs: [self], file: file, line: line) { g in
                let x = sx.value
                let n = GradMode.isEnabled ? x.norm(p: p, dims: ds, keepDim: keepDim) : so.value
                let nFull = Tensor.expandReduced(n, ds, inShape, keepDim: keepDim)
                let isZero = nFull .== 0
                let safe = Tensor.where(isZero, Tensor.ones([], dtype: x.dtype), nFull)
                let scale = Tensor.where(isZero, Tensor.zeros([], dtype: x.dtype),
                                         Tensor.expandReduced(g, ds, inShape, keepDim: keepDim) / (p == 2 ? safe : safe.pow(p - 1)))
                return [(p == 2 ? x : x.sign() * x.abs().pow(p - 1)) * scale]
            }
        }
        return out
    }

    /// True if every element is nonzero (PyTorch: `torch.all`).
    public func all(dims: [Int]? = nil, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let ds = reductionDims(dims, "all", file: file, line: line)
        let out = self.bool().convertedRaw(.uint8).reduceRaw(.all, dims: ds, computeType: .uint8).convertedRaw(.bool)
        return keepDim ? out.reshapeRaw(reducedShape(ds, keepDim: true)) : out
    }

    /// True if any element is nonzero (PyTorch: `torch.any`).
    public func any(dims: [Int]? = nil, keepDim: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let ds = reductionDims(dims, "any", file: file, line: line)
        let out = self.bool().convertedRaw(.uint8).reduceRaw(.any, dims: ds, computeType: .uint8).convertedRaw(.bool)
        return keepDim ? out.reshapeRaw(reducedShape(ds, keepDim: true)) : out
    }
}
