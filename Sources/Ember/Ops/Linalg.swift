/// Matrix products on OpenBLAS (float32 partly on Ember's own GEMM kernel, see `gemm`): `mm`, `bmm`, `matmul` with PyTorch's rules, `addmm`, `dot`,
/// `outer`. Backwards are written with the same ops, so they are differentiable again.
extension Tensor {
    /// Matrix product of two 2-d tensors (PyTorch: `torch.mm`).
    public func mm(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim == 2 && other.dim == 2, "mm", "expects two 2-d tensors, got shapes \(shape) and \(other.shape)", file: file, line: line)
        check(shape[1] == other.shape[0], "mm", "shapes \(shape) and \(other.shape) cannot be multiplied (\(shape[1]) != \(other.shape[0]))", file: file, line: line)
        check(dtype == other.dtype, "mm", "expected both tensors to have the same dtype, got \(dtype) and \(other.dtype)", file: file, line: line)
        let compute = dtype.computeType
        let a = convertedRaw(compute), b = other.convertedRaw(compute)
        let m = shape[0], k = shape[1], n = other.shape[1]
        let out = Tensor(empty: [m, n], dtype: compute)
        if k == 0 { out.fillRaw(0) } else {
            gemm(GEMMOperand(a, rows: m, cols: k, rowStride: a.strides[0], colStride: a.strides[1]), offA: 0,
                 GEMMOperand(b, rows: k, cols: n, rowStride: b.strides[0], colStride: b.strides[1]), offB: 0,
                 out, offC: 0, ldc: n, m: m, n: n, k: k)
        }
        let result = out.convertedRaw(dtype)
        if needsGrad(self, other) {
            let sa = SavedTensor(self, op: "mm"), sb = SavedTensor(other, op: "mm")
            let needA = requiresGradFlag, needB = other.requiresGradFlag
            record("MmBackward0", result, self, other, file: file, line: line) { g in
                [needA ? g.mm(sb.value.mT) : nil, needB ? sa.value.mT.mm(g) : nil]
            }
        }
        return result
    }

    /// Batched matrix product of two 3-d tensors `[b, n, m]·[b, m, p]` (PyTorch: `torch.bmm`).
    public func bmm(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim == 3 && other.dim == 3, "bmm", "expects two 3-d tensors, got shapes \(shape) and \(other.shape)", file: file, line: line)
        check(shape[0] == other.shape[0] && shape[2] == other.shape[1], "bmm", "shapes \(shape) and \(other.shape) cannot be batch-multiplied", file: file, line: line)
        check(dtype == other.dtype, "bmm", "expected both tensors to have the same dtype, got \(dtype) and \(other.dtype)", file: file, line: line)
        let compute = dtype.computeType
        let a = convertedRaw(compute), b = other.convertedRaw(compute)
        let batch = shape[0], m = shape[1], k = shape[2], n = other.shape[2]
        let out = Tensor(empty: [batch, m, n], dtype: compute)
        if k == 0 { out.fillRaw(0) } else if batch > 0 {
            let opA = GEMMOperand(a, rows: m, cols: k, rowStride: a.strides[1], colStride: a.strides[2])
            let opB = GEMMOperand(b, rows: k, cols: n, rowStride: b.strides[1], colStride: b.strides[2])
            // A copied operand is contiguous, so its batch stride is its matrix size.
            let bsA = opA.tensor === a ? a.strides[0] : m * k
            let bsB = opB.tensor === b ? b.strides[0] : k * n
            let body = { (i: Int) in
                gemm(opA, offA: i * bsA, opB, offB: i * bsB, out, offC: i * m * n, ldc: n, m: m, n: n, k: k)
            }
            if m * n * k < 1 << 15 && batch > 1 {
                // Many small matrices: split the batch across cores instead of inside BLAS.
                Parallel.forRange(batch, grain: Swift.max(1, (1 << 16) / Swift.max(m * n * k, 1))) { r in for i in r { body(i) } }
            } else {
                for i in 0..<batch { body(i) }
            }
        }
        let result = out.convertedRaw(dtype)
        if needsGrad(self, other) {
            let sa = SavedTensor(self, op: "bmm"), sb = SavedTensor(other, op: "bmm")
            let needA = requiresGradFlag, needB = other.requiresGradFlag
            record("BmmBackward0", result, self, other, file: file, line: line) { g in
                [needA ? g.bmm(sb.value.mT) : nil, needB ? sa.value.mT.bmm(g) : nil]
            }
        }
        return result
    }

    /// Matrix product with PyTorch's rules: vector·vector is a dot product, matrix·vector and
    /// vector·matrix treat the vector as a column or row, and more dimensions are batches
    /// that broadcast (PyTorch: `torch.matmul`).
    public func matmul(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim >= 1 && other.dim >= 1, "matmul", "both arguments need at least 1 dimension, got shapes \(shape) and \(other.shape)", file: file, line: line)
        let inner = other.shape[other.dim == 1 ? 0 : other.dim - 2]
        check(shape[dim - 1] == inner, "matmul", "shapes \(shape) and \(other.shape) cannot be multiplied (\(shape[dim - 1]) != \(inner))", file: file, line: line)
        switch (dim, other.dim) {
        case (1, 1): return dot(other, file: file, line: line)
        case (2, 2): return mm(other, file: file, line: line)
        case (1, 2): return unsqueeze(0).mm(other, file: file, line: line).squeeze(0)
        case (2, 1): return mm(other.unsqueeze(1), file: file, line: line).squeeze(1)
        default: break
        }
        let a = dim == 1 ? unsqueeze(0) : self
        let b = other.dim == 1 ? other.unsqueeze(1) : other
        check(a.shape[a.dim - 1] == b.shape[b.dim - 2], "matmul", "shapes \(shape) and \(other.shape) cannot be multiplied (\(a.shape[a.dim - 1]) != \(b.shape[b.dim - 2]))", file: file, line: line)
        let m = a.shape[a.dim - 2], k = a.shape[a.dim - 1], n = b.shape[b.dim - 1]
        // Folding: a batched left operand times a matrix is one big GEMM.
        if b.dim == 2 && a.isContiguous {
            let out = a.reshape([-1, k]).mm(b, file: file, line: line)
            var shape = Array(a.shape.dropLast()) + [n]
            if other.dim == 1 { shape.removeLast() }
            return out.reshape(shape)
        }
        let batchShape = broadcastShapes(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2)), op: "matmul", file: file, line: line)
        let batch = batchShape.reduce(1, *)
        let a3 = a.expand(batchShape + [m, k]).reshape([batch, m, k])
        let b3 = b.expand(batchShape + [k, n]).reshape([batch, k, n])
        var outShape = batchShape + [m, n]
        if dim == 1 { outShape.remove(at: outShape.count - 2) }
        if other.dim == 1 { outShape.removeLast() }
        return a3.bmm(b3, file: file, line: line).reshape(outShape)
    }

    /// `beta * self + alpha * (mat1 · mat2)` (PyTorch: `torch.addmm`); `self` broadcasts.
    public func addmm(_ mat1: Tensor, _ mat2: Tensor, beta: Double = 1, alpha: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        var product = mat1.mm(mat2, file: file, line: line)
        if alpha != 1 { product = product * alpha }
        if beta == 0 { return product }
        return product + (beta == 1 ? self : self * beta)
    }

    /// Inner product of two 1-d tensors (PyTorch: `torch.dot`).
    public func dot(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim == 1 && other.dim == 1 && shape == other.shape, "dot", "expects two 1-d tensors of the same size, got shapes \(shape) and \(other.shape)", file: file, line: line)
        return unsqueeze(0).mm(other.unsqueeze(1), file: file, line: line).reshape([])
    }

    /// Outer product of two 1-d tensors (PyTorch: `torch.outer`).
    public func outer(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim == 1 && other.dim == 1, "outer", "expects two 1-d tensors, got shapes \(shape) and \(other.shape)", file: file, line: line)
        return unsqueeze(1) * other.unsqueeze(0)
    }
}
