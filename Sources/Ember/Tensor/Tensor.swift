/// An n-dimensional array with a runtime element type and reverse-mode autograd
/// (PyTorch: `torch.Tensor`).
///
/// A tensor is a view: a storage plus shape, strides (in elements) and an offset. Views such
/// as `transpose`, `view` and slicing share storage, so writing through one is visible in the
/// others, exactly as in PyTorch.
///
/// ```swift
/// let a = Tensor([[1, 2, 3], [4, 5, 6]] as [[Float]])
/// let t = a.transpose(0, 1)   // shape [3, 2], no copy
/// ```
public final class Tensor: @unchecked Sendable {
    /// The buffer this tensor views (never replaced; a `var` only so that
    /// `hasSoleStorage()` can ask whether another tensor shares it).
    @exclusivity(unchecked) public private(set) var storage: Storage
    /// Size of each dimension (PyTorch: `tensor.shape`).
    public let shape: [Int]
    /// Elements to step in storage per index step in each dimension (PyTorch: `tensor.stride()`).
    public let strides: [Int]
    /// Index of the first element in storage, in elements (PyTorch: `tensor.storage_offset()`).
    public let offset: Int
    /// The element type (PyTorch: `tensor.dtype`).
    public let dtype: DType
    /// Whether the elements are laid out row-major without gaps (PyTorch: `tensor.is_contiguous()`).
    /// Computed once: kernels ask it on every op.
    public let isContiguous: Bool
    /// True when this tensor allocated its storage itself (not a view of another tensor's).
    let ownsStorage: Bool

    // Autograd state (see Autograd/).
    /// The gradient accumulated by `backward()` (PyTorch: `tensor.grad`).
    @exclusivity(unchecked) public var grad: Tensor?
    /// The node that produced this tensor, nil for leaves (PyTorch: `tensor.grad_fn`). For a
    /// view whose base was written in place since the view's node was made, the node is made
    /// anew as the slice of the base's current history (see `viewGradFn`).
    public internal(set) var gradFn: Node? {
        @inline(__always) get { viewBase == nil ? storedGradFn : viewGradFn() }
        @inline(__always) set {
            storedGradFn = newValue
            if viewBase != nil { viewVersion = storage.version }
        }
    }
    @exclusivity(unchecked) var storedGradFn: Node?
    /// For a view made by a view op (`view`, `select`, `narrow`, `transpose`, subscripts, ...):
    /// the tensor whose storage it views, itself never a view (PyTorch: `tensor._base`). An
    /// in-place write through the view rewrites this base's history (see `rebaseHistory`).
    @exclusivity(unchecked) var viewBase: Tensor?
    /// For a view: the storage version when its `gradFn` was last set, so a later in-place
    /// write to the storage (through the base or another view) is noticed.
    @exclusivity(unchecked) var viewVersion = 0
    @exclusivity(unchecked) var requiresGradFlag = false
    @exclusivity(unchecked) var retainsGradFlag = false
    /// This leaf's `AccumulateGrad` node, created on first use and reused by every graph.
    @exclusivity(unchecked) var accumulator: Node?
    /// Hooks on a leaf's gradient (see `registerHook`); kept on the tensor because its
    /// accumulator node lives only as long as a graph does.
    @exclusivity(unchecked) var leafHooks: [(Tensor) -> Tensor?] = []
    /// Set when this tensor is a lookup of whole rows of a table (see `GatheredRows`).
    @exclusivity(unchecked) var gatheredRowsRecord: GatheredRows?

    /// Whether no other tensor (or anything else) holds this tensor's storage.
    func hasSoleStorage() -> Bool { isKnownUniquelyReferenced(&storage) }

    /// Wraps a storage with an explicit layout. Used by kernels and views.
    init(storage: Storage, shape: [Int], strides: [Int], offset: Int = 0, dtype: DType) {
        self.storage = storage
        self.shape = shape
        self.strides = strides
        self.offset = offset
        self.dtype = dtype
        self.isContiguous = isContiguousLayout(shape, strides)
        self.ownsStorage = false
    }

    /// An uninitialized contiguous tensor (PyTorch: `torch.empty`).
    public convenience init(empty shape: [Int], dtype: DType = .float32) {
        self.init(empty: shape, strides: contiguousStrides(shape), dtype: dtype)
    }

    /// Reuses a known contiguous strides array (saves an allocation on hot paths).
    init(empty shape: [Int], strides: [Int], dtype: DType) {
        var n = 1, overflow = false
        for d in shape { (n, overflow) = n.multipliedReportingOverflow(by: d); if overflow { break } }
        let (bytes, tooMany) = Swift.max(n, 1).multipliedReportingOverflow(by: dtype.itemSize)
        check(!overflow && !tooMany, "Tensor(empty:)", "shape \(shape) of \(dtype) has more bytes than fit in Int", file: unknownFile, line: 0)
        self.storage = Storage(byteCount: bytes)
        self.shape = shape
        self.strides = strides
        self.offset = 0
        self.dtype = dtype
        self.isContiguous = true
        self.ownsStorage = true
    }

    deinit {
        // A graph may outlive this leaf; its accumulator must not point at freed memory.
        accumulator?.variable = nil
    }

    /// Number of dimensions (PyTorch: `tensor.dim()`).
    @inlinable public var dim: Int { shape.count }
    /// Number of elements (PyTorch: `tensor.numel()`).
    public var numel: Int { shape.reduce(1, *) }
    /// The device the data lives on (PyTorch: `tensor.device`).
    public var device: Device { storage.device }
    /// Size of dimension `d`, negative counting from the end (PyTorch: `tensor.size(d)`).
    public func size(_ d: Int, file: StaticString = #fileID, line: UInt = #line) -> Int {
        shape[normalizeDim(d, rank: dim, "size", file: file, line: line)]
    }

    /// A typed pointer to the first element of this view.
    @inline(__always)
    package func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> {
        storage.data.assumingMemoryBound(to: T.self) + offset
    }
}

/// Row-major strides for a shape (PyTorch: a contiguous tensor's `stride()`). A shape whose
/// strides do not fit in `Int` is a programming error (check shapes from files with
/// `CheckedSize` first).
public func contiguousStrides(_ shape: [Int]) -> [Int] {
    switch shape.count {
    case 0: return []
    case 1: return [1]
    case 2: return [Swift.max(shape[1], 1), 1]
    default: break
    }
    var strides = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = acc
        if i == 0 { break }
        let (next, overflow) = acc.multipliedReportingOverflow(by: Swift.max(shape[i], 1))
        check(!overflow, "contiguousStrides", "the strides of shape \(shape) do not fit in Int", file: unknownFile, line: 0)
        acc = next
    }
    return strides
}

/// True when `strides` is the row-major layout of `shape` (size-1 dims may have any stride).
func isContiguousLayout(_ shape: [Int], _ strides: [Int]) -> Bool {
    var expected = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        if shape[i] == 0 { return true }
        if shape[i] != 1 && strides[i] != expected { return false }
        expected *= shape[i]
    }
    return true
}
