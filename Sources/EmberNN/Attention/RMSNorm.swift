/// Root-mean-square normalization over the last dims, with an optional learned scale
/// (PyTorch 2.4: `nn.RMSNorm`): `y = x / √(mean(x²) + eps) · weight`.
///
/// The mean is over the trailing `normalizedShape` dims; `weight` (ones) has that shape.
/// `eps` nil means the input dtype's machine epsilon (`torch.finfo(x.dtype).eps`), as PyTorch.
///
/// ```swift
/// let norm = RMSNorm([512])
/// let y = norm(Tensor.randn([8, 20, 512]))
/// ```
open class RMSNorm: Module, @unchecked Sendable {
    /// The trailing shape normalized over (PyTorch: `normalized_shape`).
    public let normalizedShape: [Int]
    /// Added to the mean square, or nil for the dtype's epsilon (PyTorch: `eps`).
    public let eps: Double?
    /// Whether there is a learned elementwise scale (PyTorch: `elementwise_affine`).
    public let elementwiseAffine: Bool
    /// The learned scale, shape `normalizedShape`; nil without `elementwiseAffine`.
    @Parameter public var weight: Tensor?

    /// An RMS normalization over `normalizedShape` (PyTorch:
    /// `nn.RMSNorm(normalized_shape, eps=None, elementwise_affine=True)`).
    public init(_ normalizedShape: [Int], eps: Double? = nil, elementwiseAffine: Bool = true, dtype: DType = .float32) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.elementwiseAffine = elementwiseAffine
        weight = elementwiseAffine ? Tensor.ones(normalizedShape, dtype: dtype) : nil
        super.init()
    }

    /// An RMS normalization over the last dim of size `normalizedShape`.
    public convenience init(_ normalizedShape: Int, eps: Double? = nil, elementwiseAffine: Bool = true, dtype: DType = .float32) {
        self.init([normalizedShape], eps: eps, elementwiseAffine: elementwiseAffine, dtype: dtype)
    }

    /// Normalizes the trailing dims (PyTorch: `F.rms_norm`).
    open override func forward(_ x: Tensor) -> Tensor {
        rmsNorm(x, normalizedShape: normalizedShape, weight: weight, eps: eps)
    }

    /// `(512,), eps=None, elementwise_affine=True`.
    open override var extraDescription: String {
        "\(pyTuple(normalizedShape)), eps=\(eps.map(pyFloat) ?? "None"), elementwise_affine=\(pyBool(elementwiseAffine))"
    }
}

/// RMS normalization over the trailing `normalizedShape` dims of `x`:
/// `x / √(mean(x²) + eps) · weight`, `eps` defaulting to the dtype's machine epsilon
/// (PyTorch 2.4: `F.rms_norm`).
public func rmsNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, eps: Double? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let k = normalizedShape.count
    check(x.dim >= k && Array(x.shape.suffix(k)) == normalizedShape, "RMSNorm", "expected an input whose last dims are \(normalizedShape) (normalized_shape), got shape \(x.shape)", file: file, line: line)
    let dims = Array((x.dim - k)..<x.dim)
    let e = eps ?? machineEpsilon(x.dtype)
    var y = x * (x.square().mean(dims: dims, keepDim: true) + e).rsqrt()
    if let weight { y = y * weight }
    return y
}

/// `torch.finfo(dtype).eps`.
func machineEpsilon(_ dtype: DType) -> Double {
    switch dtype {
    case .float64: Double.ulpOfOne
    case .float16: 0.0009765625
    case .bfloat16: 0.0078125
    default: Double(Float.ulpOfOne)
    }
}
