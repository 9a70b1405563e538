/// Activations over a dimension: the gated linear unit, softmin and the channel softmax of
/// images, as functions (PyTorch: `torch.nn.functional`) and modules (PyTorch: `torch.nn`).

/// `a · σ(b)` where `a` and `b` are the two halves of `x` along `dim`, whose size must be even
/// (PyTorch: `F.glu(x, dim=-1)`).
///
/// ```swift
/// glu(Tensor.randn([4, 10]))   // [4, 5]
/// ```
public func glu(_ x: Tensor, dim: Int = -1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(x.dim > 0, "glu", "expects a tensor with at least one dimension, got a 0-d tensor", file: file, line: line)
    check(dim >= -x.dim && dim < x.dim, "glu", "dim \(dim) is out of range for a \(x.dim)-d input of shape \(x.shape)", file: file, line: line)
    let d = dim < 0 ? dim + x.dim : dim
    check(x.shape[d] % 2 == 0, "glu", "halving dimension must be even, but dimension \(d) of shape \(x.shape) is size \(x.shape[d])", file: file, line: line)
    let halves = x.chunk(2, dim: d)
    return halves[0] * halves[1].sigmoid()
}

/// `exp(-x) / Σ exp(-x)` along `dim` (PyTorch: `F.softmin`).
public func softmin(_ x: Tensor, dim: Int) -> Tensor { (-x).softmax(dim: dim) }

/// Softmax over the channels of each pixel: dim -3 of a `[C, H, W]` or `[N, C, H, W]` input
/// (PyTorch: `nn.Softmax2d`'s forward).
public func softmax2d(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(x.dim == 3 || x.dim == 4, "Softmax2d", "expects a 3-d [C, H, W] or 4-d [N, C, H, W] input, got shape \(x.shape)", file: file, line: line)
    return x.softmax(dim: -3)
}

/// The gated linear unit, `a · σ(b)` over the halves of `dim` (PyTorch: `nn.GLU(dim=-1)`).
open class GLU: Module, @unchecked Sendable {
    /// The dim that is split in half.
    public let dim: Int
    /// A GLU layer splitting `dim`.
    public init(dim: Int = -1) {
        self.dim = dim
        super.init()
    }
    /// `glu(x, dim:)`.
    open override func forward(_ x: Tensor) -> Tensor { glu(x, dim: dim) }
    /// `dim=-1`.
    open override var extraDescription: String { "dim=\(dim)" }
}

/// Softmin along `dim` (PyTorch: `nn.Softmin(dim)`).
open class Softmin: Module, @unchecked Sendable {
    /// The dim that sums to 1.
    public let dim: Int
    /// A softmin layer over `dim`.
    public init(dim: Int) {
        self.dim = dim
        super.init()
    }
    /// `softmin(x, dim:)`.
    open override func forward(_ x: Tensor) -> Tensor { softmin(x, dim: dim) }
    /// `dim=1`.
    open override var extraDescription: String { "dim=\(dim)" }
}

/// Softmax over the channels of each pixel of `[C, H, W]` or `[N, C, H, W]` images
/// (PyTorch: `nn.Softmax2d`).
open class Softmax2d: Module, @unchecked Sendable {
    /// A channel-softmax layer.
    public override init() { super.init() }
    /// `softmax2d(x)`.
    open override func forward(_ x: Tensor) -> Tensor { softmax2d(x) }
}
