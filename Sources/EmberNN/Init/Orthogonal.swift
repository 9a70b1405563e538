/// Orthogonal initialization (Saxe et al. 2013).
extension Init {
    /// Fills a tensor of at least 2 dims with a (semi-)orthogonal matrix times `gain`: the
    /// tensor is viewed as `[size(0), numel / size(0)]`, and its rows (or columns, whichever
    /// are fewer) come out orthonormal (PyTorch: `nn.init.orthogonal_`).
    ///
    /// As PyTorch does, a normal random matrix is factored as QR and Q's columns are given
    /// the signs of R's diagonal, which makes Q uniformly distributed; the QR here is
    /// modified Gram-Schmidt in float64, run twice for orthogonality to rounding error.
    @discardableResult
    public static func orthogonal_(_ tensor: Tensor, gain: Double = 1, generator: Generator = .default,
                                   file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(tensor.dim >= 2, "Init.orthogonal_", "only tensors with 2 or more dimensions are supported, got shape \(tensor.shape)", file: file, line: line)
        let rows = tensor.shape[0], cols = tensor.numel / Swift.max(rows, 1)
        if tensor.numel == 0 { return tensor }
        // Columns of an m×n matrix with m >= n, stored column by column.
        let (m, n) = rows < cols ? (cols, rows) : (rows, cols)
        let flat = Tensor.randn([m * n], dtype: .float64, generator: generator).toArray(as: Double.self)
        var q = (0..<n).map { j in Array(flat[(j * m)..<(j * m + m)]) }
        for j in 0..<n {
            for _ in 0..<2 {
                for k in 0..<j {
                    var dot = 0.0
                    for i in 0..<m { dot += q[k][i] * q[j][i] }
                    for i in 0..<m { q[j][i] -= dot * q[k][i] }
                }
            }
            var norm = 0.0
            for i in 0..<m { norm += q[j][i] * q[j][i] }
            norm = norm.squareRoot()
            for i in 0..<m { q[j][i] = norm > 0 ? q[j][i] / norm : 0 }
        }
        // Row-major [rows, cols]: Q itself when rows >= cols, Qᵀ otherwise.
        var values = [Double](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for c in 0..<cols {
                values[r * cols + c] = gain * (rows >= cols ? q[c][r] : q[r][c])
            }
        }
        withNoGrad { tensor.copy_(Tensor(values, shape: tensor.shape, dtype: .float64)) }
        return tensor
    }
}
