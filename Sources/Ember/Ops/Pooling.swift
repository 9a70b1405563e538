/// Pooling (PyTorch: `torch.nn.functional.max_pool1d/2d`, `avg_pool1d/2d`,
/// `adaptive_avg_pool1d/2d`). Inputs are `[N, C, H, W]` or unbatched `[C, H, W]` (1-d:
/// `[N, C, L]` or `[C, L]`); every `H×W` plane is pooled on its own.
///
/// Max pooling saves, per output, the index of the first maximum of its window, and its
/// backward adds each output's gradient there. Average pooling and adaptive average pooling
/// are linear, so their backward is their adjoint and the adjoint's backward is the pooling
/// again: all three are differentiable to any order.

// MARK: - Geometry and checks

/// `floor(a / b)` for positive `b` (PyTorch's `div_rtn`).
private func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

/// PyTorch's `pooling_output_shape`: windows that fit in the padded input, with `ceilMode`
/// one more partial window as long as it starts inside the input or its left padding.
private func poolOutputSize(_ size: Int, kernel: Int, pad: Int, stride: Int, dilation: Int, ceilMode: Bool) -> Int {
    var out = floorDiv(size + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0), stride) + 1
    if ceilMode && (out - 1) * stride >= size + pad { out -= 1 }
    return out
}

/// Checks a 2-d pooling's arguments (naming `op` and the shapes) and returns its geometry
/// and output shape. `x` has 3 or 4 dims; `userShape` is what the caller passed.
private func poolGeometry(
    _ op: StaticString, _ x: Tensor, userShape: [Int], kernel: (Int, Int), stride: (Int, Int)?, padding: (Int, Int),
    dilation: (Int, Int), ceilMode: Bool, file: StaticString, line: UInt
) -> (PoolGeometry, [Int]) {
    let spatial = x.dim == userShape.count ? "3-d (unbatched) or 4-d (batched)" : "2-d (unbatched) or 3-d (batched)"
    check(x.dim == 3 || x.dim == 4, op, "expected \(spatial) input, but got input of shape \(userShape)", file: file, line: line)
    check(x.dtype.isFloatingPoint, op, "expected a floating point input, got \(x.dtype)", file: file, line: line)
    check(x.shape.dropFirst(x.dim - 3).allSatisfy { $0 > 0 }, op, "expected input with non-zero sizes in its non-batch dims, but got input of shape \(userShape)", file: file, line: line)
    let stride = stride ?? kernel
    check(kernel.0 > 0 && kernel.1 > 0, op, "kernel size must be greater than zero, got \(kernel)", file: file, line: line)
    check(stride.0 > 0 && stride.1 > 0, op, "stride must be greater than zero, got \(stride)", file: file, line: line)
    check(dilation.0 > 0 && dilation.1 > 0, op, "dilation must be greater than zero, got \(dilation)", file: file, line: line)
    check(padding.0 >= 0 && padding.1 >= 0 && padding.0 <= kernel.0 / 2 && padding.1 <= kernel.1 / 2, op,
          "padding should be non-negative and at most half of the kernel size, but got padding \(padding) with kernel size \(kernel)", file: file, line: line)
    let h = x.shape[x.dim - 2], w = x.shape[x.dim - 1]
    let outH = poolOutputSize(h, kernel: kernel.0, pad: padding.0, stride: stride.0, dilation: dilation.0, ceilMode: ceilMode)
    let outW = poolOutputSize(w, kernel: kernel.1, pad: padding.1, stride: stride.1, dilation: dilation.1, ceilMode: ceilMode)
    check(outH > 0 && outW > 0, op, "given input of shape \(userShape), the calculated output size per plane is (\(outH) x \(outW)): too small for kernel size \(kernel), stride \(stride), padding \(padding), dilation \(dilation)", file: file, line: line)
    let g = PoolGeometry(planes: x.numel / (h * w), inH: h, inW: w, outH: outH, outW: outW, kH: kernel.0, kW: kernel.1,
                         strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1,
                         dilationH: dilation.0, dilationW: dilation.1)
    return (g, Array(x.shape.dropLast(2)) + [outH, outW])
}

/// `t` as a contiguous float32/float64 tensor without autograd: what the kernels read.
private func poolOperand(_ t: Tensor) -> Tensor {
    let c = t.convertedRaw(t.dtype.computeType)
    return c.isContiguous ? c : c.convertedCopy()
}

// MARK: - Differentiable cores (on checked 3-d/4-d inputs)

/// Max pooling; the indices are computed only when asked for or needed for backward.
private func maxPool(_ x: Tensor, _ g: PoolGeometry, outShape: [Int], withIndices: Bool, file: StaticString, line: UInt) -> (Tensor, Tensor?) {
    let grad = needsGrad(x)
    let (raw, indices) = PoolKernels.maxForward(poolOperand(x), g, outShape: outShape, withIndices: withIndices || grad)
    let out = raw.convertedRaw(x.dtype)
    if grad, let indices {
        let inShape = x.shape
        record("MaxPool2DWithIndicesBackward0", out, x, file: file, line: line) { gy in
            [maxPoolBackward(gy, indices, g, inShape: inShape)]
        }
    }
    return (out, indices)
}

/// Adds each of `gy`'s values at its saved index: max pooling's input gradient. Its own
/// gradient gathers at the same indices.
private func maxPoolBackward(_ gy: Tensor, _ indices: Tensor, _ g: PoolGeometry, inShape: [Int]) -> Tensor {
    let out = PoolKernels.maxBackward(poolOperand(gy), indices, g, inShape: inShape).convertedRaw(gy.dtype)
    if needsGrad(gy) {
        let outShape = gy.shape, rank = gy.dim
        record("MaxPool2DWithIndicesBackwardBackward0", out, gy) { u in
            [u.flatten(startDim: rank - 2).gather(rank - 2, indices.flatten(startDim: rank - 2)).view(outShape)]
        }
    }
    return out
}

/// Average pooling (`adjoint` false) or its adjoint, each the other's gradient.
private func avgPool(_ x: Tensor, _ g: PoolGeometry, countIncludePad: Bool, divisorOverride: Int?, adjoint: Bool, outShape: [Int]) -> Tensor {
    let out = PoolKernels.avg(poolOperand(x), g, countIncludePad: countIncludePad, divisorOverride: divisorOverride,
                              backward: adjoint, outShape: outShape).convertedRaw(x.dtype)
    if needsGrad(x) {
        let inShape = x.shape
        record(adjoint ? "AvgPool2DBackwardBackward0" : "AvgPool2DBackward0", out, x) { u in
            [avgPool(u, g, countIncludePad: countIncludePad, divisorOverride: divisorOverride, adjoint: !adjoint, outShape: inShape)]
        }
    }
    return out
}

/// Adaptive average pooling (`adjoint` false) or its adjoint, each the other's gradient.
private func adaptiveAvgPool(_ x: Tensor, _ g: PoolGeometry, adjoint: Bool, outShape: [Int]) -> Tensor {
    let out = PoolKernels.adaptiveAvg(poolOperand(x), g, backward: adjoint, outShape: outShape).convertedRaw(x.dtype)
    if needsGrad(x) {
        let inShape = x.shape
        record(adjoint ? "AdaptiveAvgPool2DBackwardBackward0" : "AdaptiveAvgPool2DBackward0", out, x) { u in
            [adaptiveAvgPool(u, g, adjoint: !adjoint, outShape: inShape)]
        }
    }
    return out
}

// MARK: - Public API

/// 2-d max pooling with the indices of the maxima (PyTorch:
/// `torch.nn.functional.max_pool2d(..., return_indices=True)`).
///
/// Each output is the largest value of its `kernelSize` window (taps `dilation` apart,
/// windows `stride` apart, `stride` defaulting to `kernelSize`; `padding`, at most half the
/// kernel, never wins). An index is the flat position `h·W + w` in the input plane of the
/// window's first maximum in row-major order, int64, as PyTorch's (and what a max-unpooling
/// takes). `ceilMode` adds a last partial window when it starts inside the input.
///
/// ```swift
/// let (values, indices) = maxPool2dWithIndices(x, kernelSize: (2, 2))   // [N, C, H/2, W/2] each
/// ```
public func maxPool2dWithIndices(
    _ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
    dilation: (Int, Int) = (1, 1), ceilMode: Bool = false, file: StaticString = #fileID, line: UInt = #line
) -> (Tensor, Tensor) {
    let (g, outShape) = poolGeometry("maxPool2d", input, userShape: input.shape, kernel: kernelSize, stride: stride, padding: padding,
                                     dilation: dilation, ceilMode: ceilMode, file: file, line: line)
    let (values, indices) = maxPool(input, g, outShape: outShape, withIndices: true, file: file, line: line)
    return (values, indices!)
}

/// 2-d max pooling (PyTorch: `torch.nn.functional.max_pool2d`); see `maxPool2dWithIndices`.
///
/// ```swift
/// let y = maxPool2d(Tensor.randn([8, 16, 28, 28]), kernelSize: (2, 2))   // [8, 16, 14, 14]
/// ```
public func maxPool2d(
    _ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
    dilation: (Int, Int) = (1, 1), ceilMode: Bool = false, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let (g, outShape) = poolGeometry("maxPool2d", input, userShape: input.shape, kernel: kernelSize, stride: stride, padding: padding,
                                     dilation: dilation, ceilMode: ceilMode, file: file, line: line)
    return maxPool(input, g, outShape: outShape, withIndices: false, file: file, line: line).0
}

/// 1-d max pooling with the indices of the maxima (positions along `L`) (PyTorch:
/// `torch.nn.functional.max_pool1d(..., return_indices=True)`); `input` is `[N, C, L]` or `[C, L]`.
public func maxPool1dWithIndices(
    _ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> (Tensor, Tensor) {
    let (values, indices) = maxPool1d(input, kernelSize, stride, padding, dilation, ceilMode, withIndices: true, file: file, line: line)
    return (values, indices!)
}

/// 1-d max pooling (PyTorch: `torch.nn.functional.max_pool1d`); `input` is `[N, C, L]` or `[C, L]`.
///
/// ```swift
/// let y = maxPool1d(Tensor.randn([4, 8, 100]), kernelSize: 3, stride: 2)   // [4, 8, 49]
/// ```
public func maxPool1d(
    _ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxPool1d(input, kernelSize, stride, padding, dilation, ceilMode, withIndices: false, file: file, line: line).0
}

/// 1-d max pooling as 2-d pooling of `[..., 1, L]`.
private func maxPool1d(
    _ input: Tensor, _ kernelSize: Int, _ stride: Int?, _ padding: Int, _ dilation: Int, _ ceilMode: Bool,
    withIndices: Bool, file: StaticString, line: UInt
) -> (Tensor, Tensor?) {
    check(input.dim == 2 || input.dim == 3, "maxPool1d", "expected 2-d (unbatched) or 3-d (batched) input, but got input of shape \(input.shape)", file: file, line: line)
    let x = input.unsqueeze(-2)
    let (g, outShape) = poolGeometry("maxPool1d", x, userShape: input.shape, kernel: (1, kernelSize), stride: stride.map { (1, $0) },
                                     padding: (0, padding), dilation: (1, dilation), ceilMode: ceilMode, file: file, line: line)
    let (values, indices) = maxPool(x, g, outShape: outShape, withIndices: withIndices, file: file, line: line)
    return (values.squeeze(-2), indices?.squeeze(-2))
}

/// 2-d average pooling (PyTorch: `torch.nn.functional.avg_pool2d`).
///
/// Each output is the mean of its window, divided as PyTorch divides: by `divisorOverride`
/// when given, else by the window's size clipped to the padded input (`countIncludePad`,
/// the default) or to the input itself. With `ceilMode` the last partial window's divisor
/// counts only what it covers.
///
/// ```swift
/// let y = avgPool2d(x, kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false)
/// ```
public func avgPool2d(
    _ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
    ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    check(divisorOverride.map { $0 != 0 } ?? true, "avgPool2d", "divisor must be not zero", file: file, line: line)
    let (g, outShape) = poolGeometry("avgPool2d", input, userShape: input.shape, kernel: kernelSize, stride: stride, padding: padding,
                                     dilation: (1, 1), ceilMode: ceilMode, file: file, line: line)
    return avgPool(input, g, countIncludePad: countIncludePad, divisorOverride: divisorOverride, adjoint: false, outShape: outShape)
}

/// 1-d average pooling (PyTorch: `torch.nn.functional.avg_pool1d`); `input` is `[N, C, L]` or `[C, L]`.
///
/// ```swift
/// let y = avgPool1d(Tensor.randn([4, 8, 100]), kernelSize: 4)   // [4, 8, 25]
/// ```
public func avgPool1d(
    _ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    check(input.dim == 2 || input.dim == 3, "avgPool1d", "expected 2-d (unbatched) or 3-d (batched) input, but got input of shape \(input.shape)", file: file, line: line)
    let x = input.unsqueeze(-2)
    let (g, outShape) = poolGeometry("avgPool1d", x, userShape: input.shape, kernel: (1, kernelSize), stride: stride.map { (1, $0) },
                                     padding: (0, padding), dilation: (1, 1), ceilMode: ceilMode, file: file, line: line)
    return avgPool(x, g, countIncludePad: countIncludePad, divisorOverride: nil, adjoint: false, outShape: outShape).squeeze(-2)
}

/// 2-d adaptive average pooling to a fixed output size (PyTorch:
/// `torch.nn.functional.adaptive_avg_pool2d`).
///
/// Output cell `(i, j)` averages input rows `floor(i·H/outH) ..< ceil((i+1)·H/outH)` and the
/// matching columns, so windows may overlap when the sizes do not divide.
///
/// ```swift
/// let y = adaptiveAvgPool2d(Tensor.randn([8, 512, 7, 7]), outputSize: (1, 1))   // [8, 512, 1, 1]
/// ```
public func adaptiveAvgPool2d(_ input: Tensor, outputSize: (Int, Int), file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    adaptiveAvgPool("adaptiveAvgPool2d", input, userShape: input.shape, outputSize: outputSize, file: file, line: line)
}

/// 1-d adaptive average pooling (PyTorch: `torch.nn.functional.adaptive_avg_pool1d`);
/// `input` is `[N, C, L]` or `[C, L]`.
public func adaptiveAvgPool1d(_ input: Tensor, outputSize: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(input.dim == 2 || input.dim == 3, "adaptiveAvgPool1d", "expected 2-d (unbatched) or 3-d (batched) input, but got input of shape \(input.shape)", file: file, line: line)
    return adaptiveAvgPool("adaptiveAvgPool1d", input.unsqueeze(-2), userShape: input.shape, outputSize: (1, outputSize), file: file, line: line).squeeze(-2)
}

private func adaptiveAvgPool(_ op: StaticString, _ x: Tensor, userShape: [Int], outputSize: (Int, Int), file: StaticString, line: UInt) -> Tensor {
    check(x.dim == 3 || x.dim == 4, op, "expected \(x.dim == userShape.count ? "3-d (unbatched) or 4-d (batched)" : "2-d (unbatched) or 3-d (batched)") input, but got input of shape \(userShape)", file: file, line: line)
    check(x.dtype.isFloatingPoint, op, "expected a floating point input, got \(x.dtype)", file: file, line: line)
    check(x.shape.dropFirst(x.dim - 3).allSatisfy { $0 > 0 }, op, "expected input with non-zero sizes in its non-batch dims, but got input of shape \(userShape)", file: file, line: line)
    check(outputSize.0 > 0 && outputSize.1 > 0, op, "output size must be positive, got \(outputSize)", file: file, line: line)
    let h = x.shape[x.dim - 2], w = x.shape[x.dim - 1]
    let g = PoolGeometry(planes: x.numel / (h * w), inH: h, inW: w, outH: outputSize.0, outW: outputSize.1, kH: 1, kW: 1,
                         strideH: 1, strideW: 1, padH: 0, padW: 0)
    return adaptiveAvgPool(x, g, adjoint: false, outShape: Array(x.shape.dropLast(2)) + [outputSize.0, outputSize.1])
}
