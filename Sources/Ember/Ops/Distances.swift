/// Vector normalization, cosine similarity and pairwise distances (PyTorch:
/// `F.normalize`, `F.cosine_similarity`, `torch.cdist`), composed from differentiable ops.
extension Tensor {
    /// `self / max(‖self‖_p, eps)` along `dim` (PyTorch: `F.normalize(x, p, dim, eps)`).
    public func normalize(p: Double = 2, dim: Int = 1, eps: Double = 1e-12, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        self / norm(p: p, dims: [dim], keepDim: true, file: file, line: line).clamp(min: eps)
    }

    /// Cosine of the angle between `self` and `other` along `dim`, broadcasting:
    /// `Σ x1·x2 / sqrt(max(‖x1‖² · ‖x2‖², eps²))` (PyTorch: `F.cosine_similarity`).
    public func cosineSimilarity(_ other: Tensor, dim: Int = 1, eps: Double = 1e-8, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let shape = broadcastShapes(self.shape, other.shape, op: "cosine_similarity", file: file, line: line)
        let a = expand(shape), b = other.expand(shape)
        let dot = (a * b).sum(dims: [dim])
        let squaredNorms = a.square().sum(dims: [dim]) * b.square().sum(dims: [dim])
        return dot / squaredNorms.clamp(min: eps * eps).sqrt()
    }

    /// The p-norm distance between each row of `self` `[..., P, M]` and each row of `other`
    /// `[..., R, M]`, giving `[..., P, R]` (PyTorch: `torch.cdist`); gradient 0 at distance 0.
    public func cdist(_ other: Tensor, p: Double = 2, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim >= 2 && other.dim >= 2, "cdist", "expects at least 2-d inputs, got shapes \(shape) and \(other.shape)", file: file, line: line)
        check(shape[dim - 1] == other.shape[other.dim - 1], "cdist", "X1 and X2 must have the same number of columns: \(shape) and \(other.shape)", file: file, line: line)
        check(p >= 0, "cdist", "only supports non-negative p values, got \(p)", file: file, line: line)
        let differences = unsqueeze(-2) - other.unsqueeze(-3)
        if p == 0 { return withNoGrad { (differences .!= 0).to(differences.dtype).sum(dims: [-1]) } }
        return differences.norm(p: p, dims: [-1], file: file, line: line)
    }
}
