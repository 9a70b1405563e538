/// Local response normalization across channels (AlexNet's).

/// `x / (k + α/n · Σ x²)^β`, the sum over the `size` channels around each channel of
/// `[N, C, *]` (zero beyond the edges; `size/2` before, `(size-1)/2` after)
/// (PyTorch: `F.local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0)`).
public func localResponseNorm(_ x: Tensor, size: Int, alpha: Double = 1e-4, beta: Double = 0.75, k: Double = 1,
                              file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(x.dim >= 3, "localResponseNorm", "expects an input [N, C, *] of at least 3 dims, got shape \(x.shape)", file: file, line: line)
    check(size > 0, "localResponseNorm", "size must be positive, got \(size)", file: file, line: line)
    // Zero-pad the channel dim, then add `size` shifted windows.
    var amounts = [Int](repeating: 0, count: 2 * (x.dim - 1))
    amounts[2 * (x.dim - 2)] = size / 2
    amounts[2 * (x.dim - 2) + 1] = (size - 1) / 2
    let padded = pad(x.square(), amounts, file: file, line: line)
    let c = x.shape[1]
    var total = padded.narrow(1, start: 0, length: c)
    for offset in 1..<size { total = total + padded.narrow(1, start: offset, length: c) }
    return x / (total * (alpha / Double(size)) + k).pow(beta)
}

/// Local response normalization across channels
/// (PyTorch: `nn.LocalResponseNorm(size, alpha=0.0001, beta=0.75, k=1.0)`).
open class LocalResponseNorm: Module, @unchecked Sendable {
    /// How many neighbouring channels are summed.
    public let size: Int
    /// The scale of the sum of squares.
    public let alpha: Double
    /// The exponent.
    public let beta: Double
    /// The additive constant.
    public let k: Double
    /// A local response normalization layer.
    public init(_ size: Int, alpha: Double = 1e-4, beta: Double = 0.75, k: Double = 1) {
        (self.size, self.alpha, self.beta, self.k) = (size, alpha, beta, k)
        super.init()
    }
    /// `localResponseNorm(x, size:, alpha:, beta:, k:)`.
    open override func forward(_ x: Tensor) -> Tensor { localResponseNorm(x, size: size, alpha: alpha, beta: beta, k: k) }
    /// `2, alpha=0.0001, beta=0.75, k=1.0`.
    open override var extraDescription: String { "\(size), alpha=\(pyFloat(alpha)), beta=\(pyFloat(beta)), k=\(pyFloat(k))" }
}
