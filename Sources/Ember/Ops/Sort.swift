/// Order-based ops along a dim: `sort`, `argsort`, `topk`, and the running sum `cumsum`.
private struct SortKernel: ArithmeticVisitor {
    let rows: Tensor, values: Tensor, indices: Tensor, outer: Int, inner: Int, descending: Bool, k: Int
    func visit<T: ArithmeticElement>(_: T.Type) {
        let px = rows.pointer(T.self), pv = values.pointer(T.self), pi = indices.pointer(Int64.self)
        let inner = self.inner, k = self.k, descending = self.descending
        Parallel.forRange(outer, grain: Swift.max(1, 4096 / Swift.max(inner, 1))) { r in
            var order = [Int](repeating: 0, count: inner)
            for row in r {
                let p = px + row * inner
                for i in 0..<inner { order[i] = i }
                // Stable, with NaN ordered as the largest value, as PyTorch does.
                order.sort { i, j in
                    let a = p[i], b = p[j]
                    if a.isNaNValue || b.isNaNValue {
                        return descending ? (a.isNaNValue && !b.isNaNValue) : (!a.isNaNValue && b.isNaNValue)
                    }
                    return descending ? a > b : a < b
                }
                for j in 0..<k {
                    pv[row * k + j] = p[order[j]]
                    pi[row * k + j] = Int64(order[j])
                }
            }
        }
    }
}

extension Tensor {
    private func sortedAlong(_ d0: Int, descending: Bool, k: Int?, _ op: StaticString, file: StaticString, line: UInt) -> (values: Tensor, indices: Tensor) {
        let x = dim == 0 ? reshape([1]) : self
        let d = normalizeDim(d0, rank: x.dim, op, file: file, line: line)
        let n = x.shape[d]
        let k = k ?? n
        check(k >= 0 && k <= n, op, "k (\(k)) is out of range for dimension \(d0) of size \(n)", file: file, line: line)
        let compute = dtype.computeType
        let moved = d == x.dim - 1 ? x : x.transposedRaw(d, x.dim - 1)
        let (rows, outer, inner) = moved.convertedRaw(compute).rowsForReduction([x.dim - 1])
        var outShape = moved.shape
        outShape[outShape.count - 1] = k
        let values = Tensor(empty: outShape, dtype: compute), indices = Tensor(empty: outShape, dtype: .int64)
        if values.numel > 0 {
            compute.visitArithmetic(SortKernel(rows: rows, values: values, indices: indices, outer: outer, inner: inner, descending: descending, k: k))
        }
        var v = (d == x.dim - 1 ? values : values.transposedRaw(d, x.dim - 1)).convertedRaw(dtype)
        var i = d == x.dim - 1 ? indices : indices.transposedRaw(d, x.dim - 1)
        if dim == 0 { v = v.reshapeRawCopy([]); i = i.reshapeRawCopy([]) }
        if needsGrad(self) {
            let inShape = shape, idx = i
            record(k == n ? "SortBackward0" : "TopkBackward0", v, inputs: [self], file: file, line: line) { g in
                inShape.isEmpty ? [g] : [Tensor.zeros(inShape, dtype: g.dtype).scatter(d, idx, g)]
            }
        }
        return (v, i)
    }

    /// Values sorted along `dim` and the indices that sort them (PyTorch: `torch.sort`, stable).
    public func sort(dim: Int = -1, descending: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> (values: Tensor, indices: Tensor) {
        sortedAlong(dim, descending: descending, k: nil, "sort", file: file, line: line)
    }

    /// Indices that sort `dim` (PyTorch: `torch.argsort`).
    public func argsort(dim: Int = -1, descending: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        withNoGrad { sortedAlong(dim, descending: descending, k: nil, "argsort", file: file, line: line).indices }
    }

    /// The `k` largest (or smallest) values along `dim` and their indices, in sorted order
    /// (PyTorch: `torch.topk`).
    public func topk(_ k: Int, dim: Int = -1, largest: Bool = true, file: StaticString = #fileID, line: UInt = #line) -> (values: Tensor, indices: Tensor) {
        sortedAlong(dim, descending: largest, k: k, "topk", file: file, line: line)
    }

    /// Running sum along `dim` (PyTorch: `torch.cumsum`).
    public func cumsum(dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if self.dim == 0 { return clone() }
        let d = normalizeDim(dim, rank: self.dim, "cumsum", file: file, line: line)
        let outType = dtype.isFloatingPoint ? dtype : .int64
        let compute = outType.computeType
        let moved = d == self.dim - 1 ? self : transposedRaw(d, self.dim - 1)
        let (rows, outer, inner) = moved.convertedRaw(compute).rowsForReduction([self.dim - 1])
        let result = Tensor(empty: moved.shape, dtype: compute)
        compute.visitArithmetic(CumsumKernel(x: rows, out: result, outer: outer, inner: inner))
        let out = (d == self.dim - 1 ? result : result.transposedRaw(d, self.dim - 1)).convertedRaw(outType)
        if needsGrad(self) {
            record("CumsumBackward0", out, inputs: [self], file: file, line: line) { g in [g.flip([d]).cumsum(dim: d).flip([d])] }
        }
        return out
    }
}

private struct CumsumKernel: ArithmeticVisitor {
    let x: Tensor, out: Tensor, outer: Int, inner: Int
    func visit<T: ArithmeticElement>(_: T.Type) {
        let px = x.pointer(T.self), po = out.pointer(T.self)
        for r in 0..<outer {
            var s = T.zeroValue
            for i in 0..<inner { s = T.add(s, px[r * inner + i]); po[r * inner + i] = s }
        }
    }
}
