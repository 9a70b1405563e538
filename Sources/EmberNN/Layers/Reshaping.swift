/// Layers that only reshape: `Identity`, `Flatten`, `Unflatten`.

/// Returns its input unchanged; a placeholder where a layer is optional (PyTorch: `nn.Identity`).
open class Identity: Module, @unchecked Sendable {
    /// An identity layer.
    public override init() { super.init() }

    /// `x` itself.
    open override func forward(_ x: Tensor) -> Tensor { x }
}

/// Merges dims `startDim...endDim` into one; by default everything but the batch dim
/// (PyTorch: `nn.Flatten(start_dim=1, end_dim=-1)`).
///
/// ```swift
/// Flatten()(Tensor.randn([32, 1, 28, 28])).shape   // [32, 784]
/// ```
open class Flatten: Module, @unchecked Sendable {
    /// The first dim merged (PyTorch: `start_dim`).
    public let startDim: Int
    /// The last dim merged (PyTorch: `end_dim`).
    public let endDim: Int

    /// A flatten layer over `startDim...endDim`.
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
        super.init()
    }

    /// `x.flatten(startDim:endDim:)`.
    open override func forward(_ x: Tensor) -> Tensor {
        x.flatten(startDim: startDim, endDim: endDim)
    }

    /// `start_dim=1, end_dim=-1`.
    open override var extraDescription: String { "start_dim=\(startDim), end_dim=\(endDim)" }
}

/// Splits dim `dim` into `unflattenedSize` (PyTorch: `nn.Unflatten(dim, unflattened_size)`).
///
/// ```swift
/// Unflatten(1, [2, 5])(Tensor.randn([4, 10])).shape   // [4, 2, 5]
/// ```
open class Unflatten: Module, @unchecked Sendable {
    /// The dim that is split (PyTorch: `dim`).
    public let dim: Int
    /// The sizes it is split into; one may be -1 (PyTorch: `unflattened_size`).
    public let unflattenedSize: [Int]

    /// An unflatten layer.
    public init(_ dim: Int, _ unflattenedSize: [Int]) {
        self.dim = dim
        self.unflattenedSize = unflattenedSize
        super.init()
    }

    /// `x.unflatten(dim, unflattenedSize)`.
    open override func forward(_ x: Tensor) -> Tensor {
        x.unflatten(dim, unflattenedSize)
    }

    /// `dim=1, unflattened_size=(2, 5)`.
    open override var extraDescription: String { "dim=\(dim), unflattened_size=\(pyTuple(unflattenedSize))" }
}
