/// Adaptive max pooling (1-d, 2-d) and adaptive average pooling (1-d, 3-d) to a fixed output
/// size, whatever the input size. Output cell `i` of a dim of size `L` pooled to `n` covers
/// `floor(i·L/n) ..< ceil((i+1)·L/n)`, as PyTorch's; the windows of several dims form a box,
/// and both the max and the mean over a box are taken one dim at a time (`n` window
/// reductions per dim, each differentiable).

/// Reduces each adaptive window of `dim` with `reduce` and joins the results along `dim`.
private func adaptiveAlong(_ x: Tensor, dim: Int, outputSize n: Int, _ reduce: (Tensor) -> Tensor) -> Tensor {
    let length = x.shape[dim]
    let cells = (0..<n).map { i -> Tensor in
        let start = i * length / n, end = ((i + 1) * length + n - 1) / n
        return reduce(x.narrow(dim, start: start, length: end - start))
    }
    return Tensor.cat(cells, dim: dim)
}

/// Checks an adaptive pooling input: `spatial` trailing dims, optionally one batch dim more.
private func checkAdaptive(_ op: StaticString, _ x: Tensor, spatial: Int, outputSize: [Int], file: StaticString, line: UInt) {
    check(x.dim == spatial + 1 || x.dim == spatial + 2, op, "expected a \(spatial + 1)-d (unbatched) or \(spatial + 2)-d (batched) input, got shape \(x.shape)", file: file, line: line)
    check(x.shape.suffix(spatial).allSatisfy { $0 > 0 }, op, "expected non-zero sizes in the pooled dims, got shape \(x.shape)", file: file, line: line)
    check(outputSize.allSatisfy { $0 > 0 }, op, "output size must be positive, got \(outputSize)", file: file, line: line)
    check(x.dtype.isFloatingPoint, op, "expected a floating point input, got \(x.dtype)", file: file, line: line)
}

/// Max over adaptive windows of the last dim of `[N, C, L]` or `[C, L]`
/// (PyTorch: `F.adaptive_max_pool1d(x, output_size)`).
public func adaptiveMaxPool1d(_ x: Tensor, outputSize: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkAdaptive("adaptiveMaxPool1d", x, spatial: 1, outputSize: [outputSize], file: file, line: line)
    return adaptiveAlong(x, dim: x.dim - 1, outputSize: outputSize) { $0.amax(dims: [x.dim - 1], keepDim: true) }
}

/// Max over adaptive windows of the last two dims of `[N, C, H, W]` or `[C, H, W]`
/// (PyTorch: `F.adaptive_max_pool2d(x, output_size)`).
///
/// ```swift
/// adaptiveMaxPool2d(Tensor.randn([2, 8, 13, 9]), outputSize: (4, 4))   // [2, 8, 4, 4]
/// ```
public func adaptiveMaxPool2d(_ x: Tensor, outputSize: (Int, Int), file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkAdaptive("adaptiveMaxPool2d", x, spatial: 2, outputSize: [outputSize.0, outputSize.1], file: file, line: line)
    let w = x.dim - 1, h = x.dim - 2
    let columns = adaptiveAlong(x, dim: w, outputSize: outputSize.1) { $0.amax(dims: [w], keepDim: true) }
    return adaptiveAlong(columns, dim: h, outputSize: outputSize.0) { $0.amax(dims: [h], keepDim: true) }
}

/// Mean over adaptive windows of the last three dims of `[N, C, D, H, W]` or `[C, D, H, W]`
/// (PyTorch: `F.adaptive_avg_pool3d(x, output_size)`).
public func adaptiveAvgPool3d(_ x: Tensor, outputSize: (Int, Int, Int), file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkAdaptive("adaptiveAvgPool3d", x, spatial: 3, outputSize: [outputSize.0, outputSize.1, outputSize.2], file: file, line: line)
    var y = x
    for (dim, n) in [(x.dim - 1, outputSize.2), (x.dim - 2, outputSize.1), (x.dim - 3, outputSize.0)] {
        y = adaptiveAlong(y, dim: dim, outputSize: n) { $0.mean(dims: [dim], keepDim: true) }
    }
    return y
}

/// Max-pools to a fixed length (PyTorch: `nn.AdaptiveMaxPool1d(output_size)`).
open class AdaptiveMaxPool1d: Module, @unchecked Sendable {
    /// The output length.
    public let outputSize: Int
    /// An adaptive max pooling layer.
    public init(_ outputSize: Int) {
        self.outputSize = outputSize
        super.init()
    }
    /// `adaptiveMaxPool1d(x, outputSize:)`.
    open override func forward(_ x: Tensor) -> Tensor { adaptiveMaxPool1d(x, outputSize: outputSize) }
    /// `output_size=3`.
    open override var extraDescription: String { "output_size=\(outputSize)" }
}

/// Max-pools to a fixed height and width (PyTorch: `nn.AdaptiveMaxPool2d(output_size)`).
open class AdaptiveMaxPool2d: Module, @unchecked Sendable {
    /// The output height and width.
    public let outputSize: (Int, Int)
    /// An adaptive max pooling layer.
    public init(_ outputSize: (Int, Int)) {
        self.outputSize = outputSize
        super.init()
    }
    /// A square output size.
    public convenience init(_ outputSize: Int) { self.init((outputSize, outputSize)) }
    /// `adaptiveMaxPool2d(x, outputSize:)`.
    open override func forward(_ x: Tensor) -> Tensor { adaptiveMaxPool2d(x, outputSize: outputSize) }
    /// `output_size=(2, 3)`.
    open override var extraDescription: String { "output_size=(\(outputSize.0), \(outputSize.1))" }
}

/// Averages to a fixed length (PyTorch: `nn.AdaptiveAvgPool1d(output_size)`).
open class AdaptiveAvgPool1d: Module, @unchecked Sendable {
    /// The output length.
    public let outputSize: Int
    /// An adaptive average pooling layer.
    public init(_ outputSize: Int) {
        self.outputSize = outputSize
        super.init()
    }
    /// `adaptiveAvgPool1d(x, outputSize:)`.
    open override func forward(_ x: Tensor) -> Tensor { adaptiveAvgPool1d(x, outputSize: outputSize) }
    /// `output_size=3`.
    open override var extraDescription: String { "output_size=\(outputSize)" }
}

/// Averages to a fixed depth, height and width (PyTorch: `nn.AdaptiveAvgPool3d(output_size)`).
open class AdaptiveAvgPool3d: Module, @unchecked Sendable {
    /// The output depth, height and width.
    public let outputSize: (Int, Int, Int)
    /// An adaptive average pooling layer.
    public init(_ outputSize: (Int, Int, Int)) {
        self.outputSize = outputSize
        super.init()
    }
    /// A cubic output size.
    public convenience init(_ outputSize: Int) { self.init((outputSize, outputSize, outputSize)) }
    /// `adaptiveAvgPool3d(x, outputSize:)`.
    open override func forward(_ x: Tensor) -> Tensor { adaptiveAvgPool3d(x, outputSize: outputSize) }
    /// `output_size=(1, 2, 2)`.
    open override var extraDescription: String { "output_size=(\(outputSize.0), \(outputSize.1), \(outputSize.2))" }
}
