/// Adaptive max pooling (1-d, 2-d) and adaptive average pooling (1-d, 3-d) to a fixed output
/// size, whatever the input size. Output cell `i` of a dim of size `L` pooled to `n` covers
/// `floor(i·L/n) ..< ceil((i+1)·L/n)`, as PyTorch's; the windows of several dims form a box,
/// and both the max and the mean over a box are taken one dim at a time.

/// How a window of adaptive pooling is reduced.
private enum AdaptiveReduction { case max, mean }

/// Reduces each adaptive window of `dim`: one gather of every window, padded to the longest
/// (`k` positions, the last position repeated), then one reduction over the window axis — a
/// max (a repeated position changes nothing, and its gradient shares add back up in the
/// gather's backward) or a weighted sum (weight 1/count, 0 on the padding).
private func adaptiveAlong(_ x: Tensor, dim: Int, outputSize n: Int, _ reduction: AdaptiveReduction) -> Tensor {
    let length = x.shape[dim]
    let windows = (0..<n).map { i in (start: i * length / n, end: ((i + 1) * length + n - 1) / n) }
    let k = windows.map { $0.end - $0.start }.max() ?? 1
    var index: [Int] = [], weights: [Double] = []
    for w in windows {
        for j in 0..<k {
            index.append(Swift.min(w.start + j, w.end - 1))
            weights.append(j < w.end - w.start ? 1 / Double(w.end - w.start) : 0)
        }
    }
    var shape = x.shape
    shape[dim] = n
    shape.insert(k, at: dim + 1)
    let gathered = x.indexSelect(dim, Tensor(index)).reshape(shape)
    switch reduction {
    case .max:
        return gathered.amax(dims: [dim + 1])
    case .mean:
        var weightShape = [Int](repeating: 1, count: shape.count)
        (weightShape[dim], weightShape[dim + 1]) = (n, k)
        return (gathered * Tensor(weights, shape: weightShape, dtype: x.dtype)).sum(dim: dim + 1)
    }
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
    return adaptiveAlong(x, dim: x.dim - 1, outputSize: outputSize, .max)
}

/// Max over adaptive windows of the last two dims of `[N, C, H, W]` or `[C, H, W]`
/// (PyTorch: `F.adaptive_max_pool2d(x, output_size)`).
///
/// ```swift
/// adaptiveMaxPool2d(Tensor.randn([2, 8, 13, 9]), outputSize: (4, 4))   // [2, 8, 4, 4]
/// ```
public func adaptiveMaxPool2d(_ x: Tensor, outputSize: (Int, Int), file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkAdaptive("adaptiveMaxPool2d", x, spatial: 2, outputSize: [outputSize.0, outputSize.1], file: file, line: line)
    let (h, w) = (x.shape[x.dim - 2], x.shape[x.dim - 1])
    if h % outputSize.0 == 0 && w % outputSize.1 == 0 {
        // Equal, disjoint windows: plain max pooling, Ember's kernel (ties go to the first, as PyTorch's).
        let kernel = (h / outputSize.0, w / outputSize.1)
        return maxPool2d(x, kernelSize: kernel, stride: kernel, file: file, line: line)
    }
    let columns = adaptiveAlong(x, dim: x.dim - 1, outputSize: outputSize.1, .max)
    return adaptiveAlong(columns, dim: x.dim - 2, outputSize: outputSize.0, .max)
}

/// Mean over adaptive windows of the last three dims of `[N, C, D, H, W]` or `[C, D, H, W]`
/// (PyTorch: `F.adaptive_avg_pool3d(x, output_size)`).
public func adaptiveAvgPool3d(_ x: Tensor, outputSize: (Int, Int, Int), file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkAdaptive("adaptiveAvgPool3d", x, spatial: 3, outputSize: [outputSize.0, outputSize.1, outputSize.2], file: file, line: line)
    var y = x
    for (dim, n) in [(x.dim - 1, outputSize.2), (x.dim - 2, outputSize.1), (x.dim - 3, outputSize.0)] {
        y = adaptiveAlong(y, dim: dim, outputSize: n, .mean)
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
