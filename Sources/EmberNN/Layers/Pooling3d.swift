/// 3-d max and average pooling over `[N, C, D, H, W]` volumes, composed from Ember's 2-d
/// pooling over each depth plane and a reduction over depth windows: a box's max (or sum) is
/// the max (or sum) over its depth slice of the planes' window maxima (or sums), and PyTorch's
/// divisors are products of one count per dim, so both split exactly.

/// PyTorch's `pooling_output_shape` for one dim.
private func pooledLength(_ size: Int, kernel: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool) -> Int {
    let span = size + 2 * padding - dilation * (kernel - 1) - 1
    var out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
    if ceilMode && (out - 1) * stride >= size + padding { out -= 1 }
    return out
}

/// Checks a 3-d pooling input and its parameters; returns whether the input is batched.
private func checkPool3d(_ op: StaticString, _ x: Tensor, kernel: (Int, Int, Int), stride: (Int, Int, Int), padding: (Int, Int, Int),
                         file: StaticString, line: UInt) -> Bool {
    check(x.dim == 4 || x.dim == 5, op, "expects a 4-d (unbatched) or 5-d [N, C, D, H, W] input, got shape \(x.shape)", file: file, line: line)
    check(x.dtype.isFloatingPoint, op, "expects a floating point input, got \(x.dtype)", file: file, line: line)
    let k = [kernel.0, kernel.1, kernel.2], s = [stride.0, stride.1, stride.2], p = [padding.0, padding.1, padding.2]
    check(k.allSatisfy { $0 > 0 } && s.allSatisfy { $0 > 0 }, op, "kernel size \(k) and stride \(s) must be positive", file: file, line: line)
    check(zip(p, k).allSatisfy { $0 >= 0 && $0 <= $1 / 2 }, op, "padding \(p) must be non-negative and at most half the kernel size \(k)", file: file, line: line)
    return x.dim == 5
}

/// 3-d max pooling (PyTorch: `F.max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False)`);
/// the stride defaults to the kernel size.
///
/// ```swift
/// maxPool3d(Tensor.randn([1, 2, 8, 8, 8]), kernelSize: (2, 2, 2))   // [1, 2, 4, 4, 4]
/// ```
public func maxPool3d(_ input: Tensor, kernelSize: (Int, Int, Int), stride: (Int, Int, Int)? = nil, padding: (Int, Int, Int) = (0, 0, 0),
                      dilation: (Int, Int, Int) = (1, 1, 1), ceilMode: Bool = false,
                      file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let s = stride ?? kernelSize
    let batched = checkPool3d("maxPool3d", input, kernel: kernelSize, stride: s, padding: padding, file: file, line: line)
    let x = batched ? input : input.unsqueeze(0)
    let (n, c, depth) = (x.shape[0], x.shape[1], x.shape[2])
    let planes = maxPool2d(x.reshape([n, c * depth, x.shape[3], x.shape[4]]), kernelSize: (kernelSize.1, kernelSize.2),
                           stride: (s.1, s.2), padding: (padding.1, padding.2), dilation: (dilation.1, dilation.2),
                           ceilMode: ceilMode, file: file, line: line)
    let y = planes.reshape([n, c, depth, planes.shape[2], planes.shape[3]])
    let outDepth = pooledLength(depth, kernel: kernelSize.0, stride: s.0, padding: padding.0, dilation: dilation.0, ceilMode: ceilMode)
    check(outDepth > 0, "maxPool3d", "the kernel depth \(kernelSize.0) exceeds the padded input depth of \(input.shape)", file: file, line: line)
    let needed = (outDepth - 1) * s.0 + dilation.0 * (kernelSize.0 - 1) + 1
    let padded = pad(y, [0, 0, 0, 0, padding.0, Swift.max(needed - depth - padding.0, 0)], value: -.infinity)
    var result: Tensor?
    for kd in 0..<kernelSize.0 {
        let start = kd * dilation.0
        let slice = padded.slice(2, start, start + s.0 * (outDepth - 1) + 1, step: s.0)
        result = result.map { $0.maximum(slice) } ?? slice
    }
    let out = result!.contiguous()
    return batched ? out : out.squeeze(0)
}

/// 3-d average pooling (PyTorch: `F.avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)`);
/// the stride defaults to the kernel size. (PyTorch's `divisor_override` is not supported.)
public func avgPool3d(_ input: Tensor, kernelSize: (Int, Int, Int), stride: (Int, Int, Int)? = nil, padding: (Int, Int, Int) = (0, 0, 0),
                      ceilMode: Bool = false, countIncludePad: Bool = true,
                      file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let s = stride ?? kernelSize
    let batched = checkPool3d("avgPool3d", input, kernel: kernelSize, stride: s, padding: padding, file: file, line: line)
    let x = batched ? input : input.unsqueeze(0)
    let (n, c, depth) = (x.shape[0], x.shape[1], x.shape[2])
    let planes = avgPool2d(x.reshape([n, c * depth, x.shape[3], x.shape[4]]), kernelSize: (kernelSize.1, kernelSize.2),
                           stride: (s.1, s.2), padding: (padding.1, padding.2), ceilMode: ceilMode,
                           countIncludePad: countIncludePad, file: file, line: line)
    let y = planes.reshape([n, c, depth, planes.shape[2], planes.shape[3]])
    let outDepth = pooledLength(depth, kernel: kernelSize.0, stride: s.0, padding: padding.0, dilation: 1, ceilMode: ceilMode)
    check(outDepth > 0, "avgPool3d", "the kernel depth \(kernelSize.0) exceeds the padded input depth of \(input.shape)", file: file, line: line)
    // Each output depth: the sum over the window's depths inside the input, divided by
    // PyTorch's depth count (the window clipped to the padded input, or to the input itself).
    let cells = (0..<outDepth).map { od -> Tensor in
        let start = od * s.0 - padding.0
        let end = Swift.min(start + kernelSize.0, depth + padding.0)
        let (first, last) = (Swift.max(start, 0), Swift.min(end, depth))
        let divisor = Double(countIncludePad ? end - start : last - first)
        return y.narrow(2, start: first, length: last - first).sum(dim: 2, keepDim: true) / divisor
    }
    let out = Tensor.cat(cells, dim: 2)
    return batched ? out : out.squeeze(0)
}

/// Max over `kernelSize` boxes of `[N, C, D, H, W]` volumes (PyTorch: `nn.MaxPool3d`).
open class MaxPool3d: Module, @unchecked Sendable {
    /// Cubic kernel size, stride, padding and dilation.
    public let kernelSize: Int, stride: Int, padding: Int, dilation: Int
    /// Whether a partial last window counts (PyTorch: `ceil_mode`).
    public let ceilMode: Bool
    /// PyTorch: `nn.MaxPool3d(kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False)`; the stride
    /// defaults to the kernel size.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false) {
        (self.kernelSize, self.stride, self.padding, self.dilation, self.ceilMode) = (kernelSize, stride ?? kernelSize, padding, dilation, ceilMode)
        super.init()
    }
    /// `maxPool3d(x, ...)`.
    open override func forward(_ x: Tensor) -> Tensor {
        maxPool3d(x, kernelSize: (kernelSize, kernelSize, kernelSize), stride: (stride, stride, stride),
                  padding: (padding, padding, padding), dilation: (dilation, dilation, dilation), ceilMode: ceilMode)
    }
    /// `kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False`.
    open override var extraDescription: String {
        "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), dilation=\(dilation), ceil_mode=\(pyBool(ceilMode))"
    }
}

/// Mean over `kernelSize` boxes of `[N, C, D, H, W]` volumes (PyTorch: `nn.AvgPool3d`).
open class AvgPool3d: Module, @unchecked Sendable {
    /// Cubic kernel size, stride and padding.
    public let kernelSize: Int, stride: Int, padding: Int
    /// Whether a partial last window counts (PyTorch: `ceil_mode`).
    public let ceilMode: Bool
    /// Whether padded zeros count in the divisor (PyTorch: `count_include_pad`).
    public let countIncludePad: Bool
    /// PyTorch: `nn.AvgPool3d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)`.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        (self.kernelSize, self.stride, self.padding, self.ceilMode, self.countIncludePad) = (kernelSize, stride ?? kernelSize, padding, ceilMode, countIncludePad)
        super.init()
    }
    /// `avgPool3d(x, ...)`.
    open override func forward(_ x: Tensor) -> Tensor {
        avgPool3d(x, kernelSize: (kernelSize, kernelSize, kernelSize), stride: (stride, stride, stride),
                  padding: (padding, padding, padding), ceilMode: ceilMode, countIncludePad: countIncludePad)
    }
    /// `kernel_size=2, stride=2, padding=0`.
    open override var extraDescription: String { "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding)" }
}
