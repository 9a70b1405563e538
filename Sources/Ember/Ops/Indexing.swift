/// Indexing ops: gather/scatter along a dim, index selection and accumulation, masks, one-hot.
extension Tensor {
    private func checkIndex(_ index: Tensor, _ op: StaticString, file: StaticString, line: UInt) {
        check(index.dtype == .int64, op, "index must be an int64 tensor, got \(index.dtype)", file: file, line: line)
    }

    /// `out[i][j] = self[index[i][j]][j]` for `dim` 0, and likewise for other dims
    /// (PyTorch: `torch.gather`).
    public func gather(_ dim: Int, _ index: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkIndex(index, "gather", file: file, line: line)
        let d = normalizeDim(dim, rank: self.dim, "gather", file: file, line: line)
        check(index.dim == self.dim, "gather", "index must have the same number of dimensions as input: index \(index.shape), input \(shape)", file: file, line: line)
        for i in 0..<self.dim where i != d {
            check(index.shape[i] <= shape[i], "gather", "size of index \(index.shape) must not exceed input \(shape) in dimension \(i)", file: file, line: line)
        }
        let out = Tensor(empty: index.shape, dtype: dtype)
        dtype.visit(GatherKernel(src: self, index: index, out: out, dim: d, file: file, line: line))
        if needsGrad(self) {
            let inShape = shape
            record("GatherBackward0", out, inputs: [self], file: file, line: line) { g in
                [Tensor.zeros(inShape, dtype: g.dtype).scatterAdd(d, index, g)]
            }
        }
        return out
    }

    private func scatterImpl(_ d: Int, _ index: Tensor, _ src: Tensor, accumulate: Bool, file: StaticString, line: UInt) -> Tensor {
        let op: StaticString = accumulate ? "scatterAdd" : "scatter"
        checkIndex(index, op, file: file, line: line)
        check(index.dim == dim && src.dim == dim, op, "index \(index.shape), src \(src.shape) and self \(shape) must have the same number of dimensions", file: file, line: line)
        let compute = accumulate ? dtype.computeType : dtype
        let out = convertedRaw(compute).convertedCopy()
        let source = src.convertedRaw(compute)
        compute.visit(ScatterKernel(src: source, index: index, out: out, dim: d, accumulate: accumulate, file: file, line: line))
        return out.convertedRaw(dtype)
    }

    /// A copy with `src` values written at `index` along `dim` (PyTorch: `torch.scatter`).
    public func scatter(_ dim: Int, _ index: Tensor, _ src: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = normalizeDim(dim, rank: self.dim, "scatter", file: file, line: line)
        let out = scatterImpl(d, index, src, accumulate: false, file: file, line: line)
        if needsGrad(self, src) {
            record("ScatterBackward0", out, inputs: [self, src], file: file, line: line) { g in
                [g.scatter(d, index, Tensor.zeros(index.shape, dtype: g.dtype)), g.gather(d, index)]
            }
        }
        return out
    }

    /// A copy with `value` written at `index` along `dim` (PyTorch: `torch.scatter(value=)`).
    public func scatter(_ dim: Int, _ index: Tensor, value: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        scatter(dim, index, Tensor.full(index.shape, value, dtype: dtype), file: file, line: line)
    }

    /// A copy with `src` added at `index` along `dim`; repeated indices accumulate
    /// (PyTorch: `torch.scatter_add`).
    public func scatterAdd(_ dim: Int, _ index: Tensor, _ src: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = normalizeDim(dim, rank: self.dim, "scatterAdd", file: file, line: line)
        let out = scatterImpl(d, index, src, accumulate: true, file: file, line: line)
        if needsGrad(self, src) {
            record("ScatterAddBackward0", out, inputs: [self, src], file: file, line: line) { g in [g, g.gather(d, index)] }
        }
        return out
    }

    /// The entries of `dim` listed in the 1-d `index` (PyTorch: `torch.index_select`).
    public func indexSelect(_ dim: Int, _ index: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkIndex(index, "indexSelect", file: file, line: line)
        check(index.dim <= 1, "indexSelect", "index must be 0-d or 1-d, got shape \(index.shape)", file: file, line: line)
        let d = normalizeDim(dim, rank: self.dim, "indexSelect", file: file, line: line)
        let idx = index.reshapeRawCopy([index.numel])
        var outShape = shape
        outShape[d] = idx.numel
        let out = Tensor(empty: outShape, dtype: dtype)
        if d == 0 && isContiguous {
            dtype.visit(RowGatherKernel(src: self, index: idx, out: out, file: file, line: line))
        } else {
            // Broadcast the index along every other dim and gather.
            var viewShape = [Int](repeating: 1, count: self.dim)
            viewShape[d] = idx.numel
            let full = idx.reshapeRaw(viewShape).broadcastRaw(outShape)
            dtype.visit(GatherKernel(src: self, index: full, out: out, dim: d, file: file, line: line))
        }
        if needsGrad(self) {
            let inShape = shape
            record("IndexSelectBackward0", out, inputs: [self], file: file, line: line) { g in
                [Tensor.zeros(inShape, dtype: g.dtype).indexAdd(d, idx, g)]
            }
        }
        return out
    }

    /// A contiguous copy reshaped (no autograd).
    func reshapeRawCopy(_ shape: [Int]) -> Tensor {
        (isContiguous ? self : convertedCopy()).reshapeRaw(shape)
    }

    /// A copy with `source`'s slices added at the entries `index` of `dim`, times `alpha`
    /// (PyTorch: `torch.index_add`).
    public func indexAdd(_ dim: Int, _ index: Tensor, _ source: Tensor, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkIndex(index, "indexAdd", file: file, line: line)
        let d = normalizeDim(dim, rank: self.dim, "indexAdd", file: file, line: line)
        check(source.dim == self.dim && source.shape[d] == index.numel, "indexAdd", "source \(source.shape) must match self \(shape) with \(index.numel) entries in dim \(dim)", file: file, line: line)
        let src = alpha == 1 ? source : withNoGrad { source * alpha }
        let out: Tensor
        if d == 0 && (dtype == .float32 || dtype == .float64) && src.dtype == dtype && src.shape.dropFirst() == shape.dropFirst() {
            // Whole rows: a contiguous copy of self with each source row added to its row.
            out = convertedCopy()
            dtype.visitArithmetic(RowScatterAddKernel(src: src.reshapeRawCopy(src.shape), index: index.reshapeRawCopy([index.numel]),
                                                      out: out, file: file, line: line))
        } else {
            var viewShape = [Int](repeating: 1, count: self.dim)
            viewShape[d] = index.numel
            let full = index.reshapeRawCopy(viewShape).broadcastRaw(source.shape)
            out = scatterImpl(d, full, src, accumulate: true, file: file, line: line)
        }
        if needsGrad(self, source) {
            let idx = index.reshapeRawCopy([index.numel])
            record("IndexAddBackward0", out, inputs: [self, source], file: file, line: line) { g in
                [g, alpha == 1 ? g.indexSelect(d, idx) : g.indexSelect(d, idx) * alpha]
            }
        }
        return out
    }

    /// A copy with `value` wherever `mask` (broadcast) is true (PyTorch: `torch.masked_fill`).
    public func maskedFill(_ mask: Tensor, _ value: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(mask.dtype == .bool, "maskedFill", "mask must be a bool tensor, got \(mask.dtype)", file: file, line: line)
        let shape = broadcastShapes(self.shape, mask.shape, op: "maskedFill", file: file, line: line)
        check(shape == self.shape, "maskedFill", "mask of shape \(mask.shape) does not broadcast to the tensor's shape \(self.shape)", file: file, line: line)
        return Tensor.where(mask, Tensor.full([], value, dtype: dtype), self, file: file, line: line)
    }

    /// The elements where `mask` (broadcast) is true, as a 1-d tensor (PyTorch: `torch.masked_select`).
    public func maskedSelect(_ mask: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(mask.dtype == .bool, "maskedSelect", "mask must be a bool tensor, got \(mask.dtype)", file: file, line: line)
        let shape = broadcastShapes(self.shape, mask.shape, op: "maskedSelect", file: file, line: line)
        let flags = mask.broadcastRaw(shape).toArray(as: Bool.self)
        let positions = flags.indices.filter { flags[$0] }.map { Int64($0) }
        return expand(shape).reshape([-1]).indexSelect(0, Tensor(positions, dtype: .int64), file: file, line: line)
    }

    /// Indices of nonzero elements, one row per element (PyTorch: `torch.nonzero`).
    public func nonzero() -> Tensor {
        let flags = self.bool().toArray(as: Bool.self)
        var rows: [Int64] = []
        for (i, f) in flags.enumerated() where f {
            var rem = i
            var index = [Int64](repeating: 0, count: dim)
            for d in stride(from: dim - 1, through: 0, by: -1) { index[d] = Int64(rem % shape[d]); rem /= shape[d] }
            rows += index
        }
        return Tensor(rows, shape: [rows.count / Swift.max(dim, 1), dim], dtype: .int64)
    }

    /// Rows of `self` (dim 0) picked by an int64 tensor of any shape: the result has shape
    /// `index.shape + self.shape[1...]` (PyTorch: `t[index_tensor]`). A bool tensor selects
    /// like `maskedSelect`.
    public subscript(index: Tensor, file file: StaticString = #fileID, line line: UInt = #line) -> Tensor {
        if index.dtype == .bool { return maskedSelect(index, file: file, line: line) }
        let picked = indexSelect(0, index.reshapeRawCopy([index.numel]), file: file, line: line)
        return picked.reshape(index.shape + Array(shape.dropFirst()))
    }

    /// One-hot encoding of int64 class indices: shape `self.shape + [numClasses]`, int64
    /// (PyTorch: `torch.nn.functional.one_hot`). `numClasses` -1 uses the largest index + 1.
    public func oneHot(numClasses: Int = -1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        checkIndex(self, "oneHot", file: file, line: line)
        let values = toArray(as: Int64.self)
        let n = numClasses >= 0 ? numClasses : Int(values.max() ?? -1) + 1
        check(values.allSatisfy { $0 >= 0 && $0 < n }, "oneHot", "class values must be in [0, \(n)), got min \(values.min() ?? 0) and max \(values.max() ?? 0)", file: file, line: line)
        var out = [Int64](repeating: 0, count: values.count * n)
        for (i, v) in values.enumerated() { out[i * n + Int(v)] = 1 }
        return Tensor(out, shape: shape + [n], dtype: .int64)
    }
}
