/// Triangles and diagonals of matrices (PyTorch: `torch.tril`, `triu`, `diag`, `trace`).
/// Built from `where` on an index mask, so gradients flow to the kept elements only and an
/// infinity outside the triangle never turns into NaN.
extension Tensor {
    /// The lower triangle of the last two dimensions, on and below diagonal `diagonal`
    /// (0 the main one, positive above it), zeros elsewhere (PyTorch: `torch.tril`).
    public func tril(diagonal: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim >= 2, "tril", "input tensor must have at least 2 dimensions, got shape \(shape)", file: file, line: line)
        return Tensor.where(Tensor.diagonalOffsets(shape[dim - 2], shape[dim - 1]) .<= Double(diagonal), self, Tensor.zeros([], dtype: dtype), file: file, line: line)
    }

    /// The upper triangle of the last two dimensions, on and above diagonal `diagonal`,
    /// zeros elsewhere (PyTorch: `torch.triu`).
    public func triu(diagonal: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim >= 2, "triu", "input tensor must have at least 2 dimensions, got shape \(shape)", file: file, line: line)
        return Tensor.where(Tensor.diagonalOffsets(shape[dim - 2], shape[dim - 1]) .>= Double(diagonal), self, Tensor.zeros([], dtype: dtype), file: file, line: line)
    }

    /// `column - row` for every element of a `rows × cols` matrix (int64).
    static func diagonalOffsets(_ rows: Int, _ cols: Int) -> Tensor {
        Tensor.arange(cols).unsqueeze(0) - Tensor.arange(rows).unsqueeze(1)
    }

    /// For a 1-d tensor, the square matrix with it on diagonal `diagonal`; for a 2-d tensor,
    /// its diagonal `diagonal` as a 1-d tensor (PyTorch: `torch.diag`).
    public func diag(diagonal: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim == 1 || dim == 2, "diag", "expects a 1-d or 2-d tensor, got shape \(shape)", file: file, line: line)
        let k = Swift.abs(diagonal)
        if dim == 1 {
            let n = shape[0] + k
            let padded = k == 0 ? self : Tensor.cat([self, Tensor.zeros([k], dtype: dtype)], dim: 0)
            // Element (r, c) of diagonal k >= 0 is padded[r]; of diagonal k < 0, padded[c].
            let values = diagonal >= 0 ? padded.unsqueeze(1).expand([n, n]) : padded.unsqueeze(0).expand([n, n])
            return Tensor.where(Tensor.diagonalOffsets(n, n) .== Double(diagonal), values, Tensor.zeros([], dtype: dtype), file: file, line: line)
        }
        let rows = shape[0], cols = shape[1]
        let length = diagonal >= 0 ? Swift.max(0, Swift.min(rows, cols - k)) : Swift.max(0, Swift.min(rows - k, cols))
        let onDiagonal = Tensor.where(Tensor.diagonalOffsets(rows, cols) .== Double(diagonal), self, Tensor.zeros([], dtype: dtype), file: file, line: line)
        // Each row (k >= 0) or column (k < 0) holds at most one element of the diagonal.
        return diagonal >= 0 ? onDiagonal.sum(dim: 1).narrow(0, start: 0, length: length)
                             : onDiagonal.sum(dim: 0).narrow(0, start: 0, length: length)
    }

    /// The sum of the main diagonal of a 2-d tensor (PyTorch: `torch.trace`).
    public func trace(file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim == 2, "trace", "expected a matrix, but got tensor with shape \(shape)", file: file, line: line)
        return diag(file: file, line: line).sum()
    }
}
