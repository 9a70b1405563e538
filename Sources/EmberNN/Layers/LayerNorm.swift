/// Normalizes over the last dims of each sample, then scales and shifts elementwise
/// (PyTorch: `nn.LayerNorm`).
///
/// `y = (x - mean) / √(var + eps) · weight + bias`, mean and biased variance taken over the
/// last `normalizedShape.count` dims; `weight` (ones) and `bias` (zeros) have shape
/// `normalizedShape`. The same in training and evaluation.
///
/// ```swift
/// let ln = LayerNorm([512])
/// let y = ln(Tensor.randn([8, 20, 512]))
/// ```
open class LayerNorm: Module, @unchecked Sendable {
    /// The trailing shape normalized over (PyTorch: `normalized_shape`).
    public let normalizedShape: [Int]
    /// Added to the variance for stability (PyTorch: `eps`).
    public let eps: Double
    /// Whether there is a learned elementwise scale and shift (PyTorch: `elementwise_affine`).
    public let elementwiseAffine: Bool
    /// The learned scale, shape `normalizedShape`; nil without `elementwiseAffine`.
    @Parameter public var weight: Tensor?
    /// The learned shift, shape `normalizedShape`; nil without `elementwiseAffine`.
    @Parameter public var bias: Tensor?

    /// A layer normalization over `normalizedShape` (PyTorch:
    /// `nn.LayerNorm(normalized_shape, eps=1e-05, elementwise_affine=True)`).
    public init(_ normalizedShape: [Int], eps: Double = 1e-5, elementwiseAffine: Bool = true, dtype: DType = .float32) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.elementwiseAffine = elementwiseAffine
        self.weight = elementwiseAffine ? Tensor.ones(normalizedShape, dtype: dtype) : nil
        self.bias = elementwiseAffine ? Tensor.zeros(normalizedShape, dtype: dtype) : nil
        super.init()
    }

    /// A layer normalization over the last dim of size `normalizedShape` (PyTorch: `nn.LayerNorm(512)`).
    public convenience init(_ normalizedShape: Int, eps: Double = 1e-5, elementwiseAffine: Bool = true, dtype: DType = .float32) {
        self.init([normalizedShape], eps: eps, elementwiseAffine: elementwiseAffine, dtype: dtype)
    }

    /// Normalizes the trailing dims (PyTorch: `F.layer_norm`).
    open override func forward(_ x: Tensor) -> Tensor {
        layerNorm(x, normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps)
    }

    /// `(512,), eps=1e-05, elementwise_affine=True`.
    open override var extraDescription: String {
        "\(pyTuple(normalizedShape)), eps=\(pyFloat(eps)), elementwise_affine=\(pyBool(elementwiseAffine))"
    }
}

/// Layer normalization over the trailing `normalizedShape` dims of `x`, with an optional
/// elementwise scale and shift (PyTorch: `F.layer_norm`).
public func layerNorm(_ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let k = normalizedShape.count
    check(x.dim >= k && Array(x.shape.suffix(k)) == normalizedShape, "LayerNorm", "expected an input whose last dims are \(normalizedShape) (normalized_shape), got shape \(x.shape)", file: file, line: line)
    if (x.dtype == .float32 || x.dtype == .float64) && [weight, bias].allSatisfy({ $0 == nil || ($0!.dtype == x.dtype && $0!.shape == normalizedShape) }) {
        // Ember's fused op: the same values and gradients in two passes instead of about thirty.
        return x.layerNorm(normalizedShape, weight: weight, bias: bias, eps: eps)
    }
    let dims = Array((x.dim - k)..<x.dim)
    let centered = x - x.mean(dims: dims, keepDim: true)
    let variance = centered.square().mean(dims: dims, keepDim: true)
    var y = centered * (variance + eps).rsqrt()
    if let weight { y = y * weight }
    if let bias { y = y + bias }
    return y
}

/// Normalizes groups of channels of each sample, then scales and shifts per channel
/// (PyTorch: `nn.GroupNorm`).
///
/// The C channels of an `[N, C, *]` input are split into `numGroups` groups; each group of
/// each sample is normalized with its own mean and biased variance. `weight` (ones) and
/// `bias` (zeros) have shape `[C]`. The same in training and evaluation.
///
/// ```swift
/// let gn = GroupNorm(4, 32)
/// let y = gn(Tensor.randn([8, 32, 16, 16]))
/// ```
open class GroupNorm: Module, @unchecked Sendable {
    /// The number of channel groups (PyTorch: `num_groups`).
    public let numGroups: Int
    /// The number of channels C (PyTorch: `num_channels`).
    public let numChannels: Int
    /// Added to the variance for stability (PyTorch: `eps`).
    public let eps: Double
    /// Whether there is a learned per-channel scale and shift (PyTorch: `affine`).
    public let affine: Bool
    /// The learned scale, `[C]`; nil without `affine`.
    @Parameter public var weight: Tensor?
    /// The learned shift, `[C]`; nil without `affine`.
    @Parameter public var bias: Tensor?

    /// A group normalization of `numChannels` channels in `numGroups` groups (PyTorch:
    /// `nn.GroupNorm(num_groups, num_channels, eps=1e-05, affine=True)`).
    public init(_ numGroups: Int, _ numChannels: Int, eps: Double = 1e-5, affine: Bool = true, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        check(numGroups > 0 && numChannels % numGroups == 0, "GroupNorm", "num_channels (\(numChannels)) must be divisible by num_groups (\(numGroups))", file: file, line: line)
        self.numGroups = numGroups
        self.numChannels = numChannels
        self.eps = eps
        self.affine = affine
        self.weight = affine ? Tensor.ones([numChannels], dtype: dtype) : nil
        self.bias = affine ? Tensor.zeros([numChannels], dtype: dtype) : nil
        super.init()
    }

    /// Normalizes each channel group (PyTorch: `F.group_norm`).
    open override func forward(_ x: Tensor) -> Tensor {
        groupNorm(x, numGroups: numGroups, weight: weight, bias: bias, eps: eps)
    }

    /// `4, 32, eps=1e-05, affine=True`.
    open override var extraDescription: String {
        "\(numGroups), \(numChannels), eps=\(pyFloat(eps)), affine=\(pyBool(affine))"
    }
}

/// Group normalization of an `[N, C, *]` input with optional per-channel scale and shift
/// (PyTorch: `F.group_norm`).
public func groupNorm(_ x: Tensor, numGroups: Int, weight: Tensor? = nil, bias: Tensor? = nil, eps: Double = 1e-5, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(x.dim >= 2, "GroupNorm", "expected an input of shape [N, C, *], got \(x.shape)", file: file, line: line)
    let n = x.shape[0], c = x.shape[1]
    check(c % numGroups == 0, "GroupNorm", "expected \(c) channels to be divisible by \(numGroups) groups, got shape \(x.shape)", file: file, line: line)
    let grouped = x.reshape([n, numGroups, -1])
    let centered = grouped - grouped.mean(dims: [2], keepDim: true)
    let variance = centered.square().mean(dims: [2], keepDim: true)
    var y = (centered * (variance + eps).rsqrt()).reshape(x.shape)
    var channelShape = [Int](repeating: 1, count: x.dim)
    channelShape[1] = c
    if let weight { y = y * weight.reshape(channelShape) }
    if let bias { y = y + bias.reshape(channelShape) }
    return y
}
