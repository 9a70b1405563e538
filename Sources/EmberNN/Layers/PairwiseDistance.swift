/// The pairwise distance of two batches of vectors, as a function and a module.

/// `‖x1 - x2 + eps‖_p` over the last dim (PyTorch: `F.pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False)`).
///
/// ```swift
/// pairwiseDistance(a, b)   // [N] for [N, D] inputs
/// ```
public func pairwiseDistance(_ x1: Tensor, _ x2: Tensor, p: Double = 2, eps: Double = 1e-6, keepDim: Bool = false,
                             file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let d = Swift.max(x1.dim, x2.dim) - 1
    check(d >= 0, "pairwiseDistance", "expects inputs with at least one dim, got shapes \(x1.shape) and \(x2.shape)", file: file, line: line)
    return (x1 - x2 + eps).norm(p: p, dims: [d], keepDim: keepDim, file: file, line: line)
}

/// The pairwise `p`-norm distance of two batches (PyTorch: `nn.PairwiseDistance(p=2.0, eps=1e-06, keepdim=False)`).
open class PairwiseDistance: Module, @unchecked Sendable {
    /// The norm degree.
    public let p: Double
    /// Added to the difference before the norm (avoids a zero norm's undefined gradient).
    public let eps: Double
    /// Whether the reduced dim stays as size 1 (PyTorch: `keepdim`).
    public let keepDim: Bool
    /// A pairwise distance layer.
    public init(p: Double = 2, eps: Double = 1e-6, keepDim: Bool = false) {
        (self.p, self.eps, self.keepDim) = (p, eps, keepDim)
        super.init()
    }
    /// `forward(x1, x2)`.
    public func callAsFunction(_ x1: Tensor, _ x2: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        runningForward(file: file, line: line) { forward(x1, x2) }
    }
    /// `pairwiseDistance(x1, x2)`.
    open func forward(_ x1: Tensor, _ x2: Tensor) -> Tensor { pairwiseDistance(x1, x2, p: p, eps: eps, keepDim: keepDim) }
}
