/// Convolutions (PyTorch: `torch.nn.functional.conv1d`, `conv2d`, `conv_transpose1d`,
/// `conv_transpose2d`), on im2col + GEMM, or Winograd F(2×2, 3×3) + GEMM for 3×3 stride-1
/// layers (see `CPU/ConvolutionKernels.swift` and `CPU/Winograd.swift`).
///
/// A convolution is bilinear in its input and weight, and so are its two adjoints, the
/// input gradient (which is also the transposed convolution) and the weight gradient. Each of
/// the three is recorded as an op whose backward is written with the other two, so gradients
/// of any order come out of the same three kernels: `backward(createGraph: true)` through a
/// convolution gives exact second derivatives (as PyTorch's `ConvolutionBackwardBackward0`),
/// checked by `gradgradcheck` in the tests.

// MARK: - The three differentiable products

/// `t` in `dtype`, contiguous, without autograd: what the kernels read.
private func kernelOperand(_ t: Tensor, _ dtype: DType) -> Tensor {
    let c = t.convertedRaw(dtype)
    return c.isContiguous ? c : c.convertedCopy()
}

/// The sum of `g` over batch and spatial dims: a per-channel bias's gradient.
private func biasGradient(_ g: Tensor) -> Tensor {
    g.sum(dims: [2, 3]).sum(dim: 0)
}

/// `[N, O, outH, outW]`: `x` convolved with `w` (cross-correlation, as in PyTorch), plus
/// `bias` per output channel. Shapes were checked by the caller.
func convolution(
    _ x: Tensor, _ w: Tensor, bias: Tensor?, _ g: ConvGeometry,
    file: StaticString = unknownFile, line: UInt = 0
) -> Tensor {
    let compute = x.dtype.computeType
    let out = ConvKernels.forward(kernelOperand(x, compute), kernelOperand(w, compute),
                                  bias: bias.map { kernelOperand($0, compute) }, g).convertedRaw(x.dtype)
    let inputs = bias.map { [x, w, $0] } ?? [x, w]
    if needsGrad(inputs) {
        let needX = x.requiresGradFlag, needW = w.requiresGradFlag, needB = bias?.requiresGradFlag ?? false
        let sx = needW ? SavedTensor(x, op: "conv") : nil, sw = needX ? SavedTensor(w, op: "conv") : nil
        record("ConvolutionBackward0", out, inputs: inputs, file: file, line: line) { gy in
            if needX && needW && !GradMode.isEnabled {
                // Both adjoints from one kernel that shares their work on `gy`.
                let grads = convolutionBackward(sx!.value, gy, sw!.value, g)
                return [grads.input, grads.weight, needB ? biasGradient(gy) : nil]
            }
            return [needX ? convolutionInputGrad(gy, sw!.value, bias: nil, g) : nil,
                    needW ? convolutionWeightGrad(sx!.value, gy, g) : nil,
                    needB ? biasGradient(gy) : nil]
        }
    }
    return out
}

/// `[N, C, inH, inW]`: the adjoint of `convolution` in its input applied to `gy` (the input
/// gradient of a convolution, and the transposed convolution), plus `bias` per channel.
func convolutionInputGrad(
    _ gy: Tensor, _ w: Tensor, bias: Tensor?, _ g: ConvGeometry,
    name: String = "ConvolutionBackwardBackward0", file: StaticString = unknownFile, line: UInt = 0
) -> Tensor {
    let compute = gy.dtype.computeType
    let out = ConvKernels.inputGrad(kernelOperand(gy, compute), kernelOperand(w, compute),
                                    bias: bias.map { kernelOperand($0, compute) }, g).convertedRaw(gy.dtype)
    let inputs = bias.map { [gy, w, $0] } ?? [gy, w]
    if needsGrad(inputs) {
        let needGy = gy.requiresGradFlag, needW = w.requiresGradFlag, needB = bias?.requiresGradFlag ?? false
        let sgy = needW ? SavedTensor(gy, op: name) : nil, sw = needGy ? SavedTensor(w, op: name) : nil
        // <inputGrad(gy, w), u> = <gy, conv(u, w)>, so d/dgy = conv(u, w) and d/dw = weightGrad(u, gy).
        record(name, out, inputs: inputs, file: file, line: line) { u in
            [needGy ? convolution(u, sw!.value, bias: nil, g) : nil,
             needW ? convolutionWeightGrad(u, sgy!.value, g) : nil,
             needB ? biasGradient(u) : nil]
        }
    }
    return out
}

/// Both adjoints of `convolution` at once, `(convolutionInputGrad(gy, w), convolutionWeightGrad(x, gy))`,
/// without autograd: a first-order backward (the separate ops record for `createGraph`).
private func convolutionBackward(_ x: Tensor, _ gy: Tensor, _ w: Tensor, _ g: ConvGeometry) -> (input: Tensor, weight: Tensor) {
    let compute = x.dtype.computeType
    let grads = ConvKernels.backward(kernelOperand(x, compute), kernelOperand(gy, compute), kernelOperand(w, compute), g)
    return (grads.input.convertedRaw(x.dtype), grads.weight.convertedRaw(x.dtype))
}

/// `[O, C/groups, kH, kW]`: the adjoint of `convolution` in its weight applied to `gy` (the
/// weight gradient of a convolution of `x`).
func convolutionWeightGrad(_ x: Tensor, _ gy: Tensor, _ g: ConvGeometry) -> Tensor {
    let compute = x.dtype.computeType
    let out = ConvKernels.weightGrad(kernelOperand(x, compute), kernelOperand(gy, compute), g).convertedRaw(x.dtype)
    if needsGrad(x, gy) {
        let needX = x.requiresGradFlag, needGy = gy.requiresGradFlag
        let sx = needGy ? SavedTensor(x, op: "conv weight gradient") : nil
        let sgy = needX ? SavedTensor(gy, op: "conv weight gradient") : nil
        // <weightGrad(x, gy), v> = <gy, conv(x, v)>, so d/dx = inputGrad(gy, v) and d/dgy = conv(x, v).
        record("ConvolutionBackwardBackward0", out, x, gy) { v in
            [needX ? convolutionInputGrad(sgy!.value, v, bias: nil, g) : nil,
             needGy ? convolution(sx!.value, v, bias: nil, g) : nil]
        }
    }
    return out
}

// MARK: - Argument checks

/// Checks ranks, dtypes, channel counts and the bias of a convolution's arguments, naming
/// `op` and the shapes; `spatial` is 1 or 2. Returns whether the input has a batch dim.
private func checkConvArguments(
    _ op: StaticString, _ input: Tensor, _ weight: Tensor, _ bias: Tensor?, spatial: Int,
    groups: Int, transposed: Bool, file: StaticString, line: UInt
) -> Bool {
    let kernelNames = spatial == 1 ? "kW" : "kH, kW"
    check(input.dim == spatial + 1 || input.dim == spatial + 2, op, "expected \(spatial + 1)-d (unbatched) or \(spatial + 2)-d (batched) input, but got input of shape \(input.shape)", file: file, line: line)
    check(weight.dim == spatial + 2, op, "expected a \(spatial + 2)-d weight [\(transposed ? "in_channels, out_channels/groups" : "out_channels, in_channels/groups"), \(kernelNames)], but got weight of shape \(weight.shape)", file: file, line: line)
    check(input.dtype.isFloatingPoint, op, "expected a floating point input, got \(input.dtype)", file: file, line: line)
    check(input.dtype == weight.dtype, op, "input type (\(input.dtype)) and weight type (\(weight.dtype)) should be the same", file: file, line: line)
    check(groups > 0, op, "groups must be positive, got \(groups)", file: file, line: line)
    let channels = input.shape[input.dim - spatial - 1]
    let outChannels: Int
    if transposed {
        check(channels == weight.shape[0], op, "given transposed weight of shape \(weight.shape), expected input \(input.shape) to have \(weight.shape[0]) channels, but got \(channels) channels instead", file: file, line: line)
        check(weight.shape[0] % groups == 0, op, "given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, but got weight of shape \(weight.shape) instead", file: file, line: line)
        outChannels = weight.shape[1] * groups
    } else {
        check(weight.shape[0] % groups == 0, op, "given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, but got weight of shape \(weight.shape) instead", file: file, line: line)
        check(channels == weight.shape[1] * groups, op, "given groups=\(groups), weight of shape \(weight.shape), expected input \(input.shape) to have \(weight.shape[1] * groups) channels, but got \(channels) channels instead", file: file, line: line)
        outChannels = weight.shape[0]
    }
    if let bias {
        check(bias.dim == 1 && bias.shape[0] == outChannels, op, "given weight of shape \(weight.shape), expected bias to be 1-d with \(outChannels) elements, but got bias of shape \(bias.shape) instead", file: file, line: line)
        check(bias.dtype == input.dtype, op, "input type (\(input.dtype)) and bias type (\(bias.dtype)) should be the same", file: file, line: line)
    }
    return input.dim == spatial + 2
}

/// The geometry of `[N, C, H, W]` input `x` with weight `w` (conv layout), checking that
/// stride and dilation are positive, padding is not negative and the kernel fits.
private func convGeometry(
    _ op: StaticString, _ x: [Int], _ w: [Int], userInput: [Int], stride: (Int, Int), padding: (Int, Int),
    dilation: (Int, Int), groups: Int, file: StaticString, line: UInt
) -> ConvGeometry {
    check(stride.0 > 0 && stride.1 > 0, op, "stride must be positive, got \(stride)", file: file, line: line)
    check(dilation.0 > 0 && dilation.1 > 0, op, "dilation must be positive, got \(dilation)", file: file, line: line)
    check(padding.0 >= 0 && padding.1 >= 0, op, "padding must be non-negative, got \(padding)", file: file, line: line)
    let paddedH = x[2] + 2 * padding.0, paddedW = x[3] + 2 * padding.1
    let kernelH = dilation.0 * (w[2] - 1) + 1, kernelW = dilation.1 * (w[3] - 1) + 1
    check(paddedH >= kernelH && paddedW >= kernelW, op, "input of shape \(userInput) is too small: the padded input size per channel is (\(paddedH) x \(paddedW)) but the (dilated) kernel size is (\(kernelH) x \(kernelW)); the kernel can't be greater than the padded input", file: file, line: line)
    return ConvGeometry(
        batch: x[0], inChannels: x[1], outChannels: w[0], groups: groups, inH: x[2], inW: x[3], kH: w[2], kW: w[3],
        outH: (paddedH - kernelH) / stride.0 + 1, outW: (paddedW - kernelW) / stride.1 + 1,
        strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1, dilationH: dilation.0, dilationW: dilation.1)
}

/// Extra right/bottom padding for `padding: "same"`, and the symmetric part: PyTorch pads
/// `dilation·(k-1)` in total, half on each side, the odd one on the right.
private func samePadding(kernel: Int, dilation: Int) -> (symmetric: Int, extra: Int) {
    let total = dilation * (kernel - 1)
    return (total / 2, total - total / 2 * 2)
}

// MARK: - Public API

/// 2-d convolution over a batch of planes (PyTorch: `torch.nn.functional.conv2d`).
///
/// `input` is `[N, C, H, W]` (or unbatched `[C, H, W]`), `weight` `[O, C/groups, kH, kW]`,
/// `bias` `[O]`; the output is `[N, O, outH, outW]` with
/// `outH = (H + 2·padding.0 - dilation.0·(kH - 1) - 1) / stride.0 + 1`. Float32 and float64
/// run on OpenBLAS; float16/bfloat16 compute in float32. Differentiable in all three
/// tensors, to any order.
///
/// ```swift
/// let x = Tensor.randn([8, 3, 32, 32])
/// let w = Tensor.randn([16, 3, 3, 3], requiresGrad: true)
/// let y = conv2d(x, w, padding: (1, 1))         // [8, 16, 32, 32]
/// ```
public func conv2d(
    _ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
    dilation: (Int, Int) = (1, 1), groups: Int = 1, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let batched = checkConvArguments("conv2d", input, weight, bias, spatial: 2, groups: groups, transposed: false, file: file, line: line)
    let x = batched ? input : input.unsqueeze(0)
    let g = convGeometry("conv2d", x.shape, weight.shape, userInput: input.shape, stride: stride, padding: padding,
                         dilation: dilation, groups: groups, file: file, line: line)
    let out = convolution(x, weight, bias: bias, g, file: file, line: line)
    return batched ? out : out.squeeze(0)
}

/// 2-d convolution with padding `"valid"` (none) or `"same"` (output as large as the input;
/// stride 1 only; an odd total padding puts the extra row/column on the bottom/right, as in
/// PyTorch) (PyTorch: `torch.nn.functional.conv2d(..., padding="same")`).
///
/// ```swift
/// let y = conv2d(x, w, padding: "same")         // y.shape[2...] == x.shape[2...]
/// ```
public func conv2d(
    _ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: String,
    dilation: (Int, Int) = (1, 1), groups: Int = 1, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    check(padding == "same" || padding == "valid", "conv2d", "padding must be \"same\" or \"valid\", got \"\(padding)\"", file: file, line: line)
    if padding == "valid" {
        return conv2d(input, weight, bias: bias, stride: stride, padding: (0, 0), dilation: dilation, groups: groups, file: file, line: line)
    }
    check(stride == (1, 1), "conv2d", "padding=\"same\" is not supported for strided convolutions (stride \(stride))", file: file, line: line)
    _ = checkConvArguments("conv2d", input, weight, bias, spatial: 2, groups: groups, transposed: false, file: file, line: line)
    let h = samePadding(kernel: weight.shape[2], dilation: dilation.0), w = samePadding(kernel: weight.shape[3], dilation: dilation.1)
    let x = h.extra > 0 || w.extra > 0 ? pad(input, [0, w.extra, 0, h.extra], file: file, line: line) : input
    return conv2d(x, weight, bias: bias, padding: (h.symmetric, w.symmetric), dilation: dilation, groups: groups, file: file, line: line)
}

/// 1-d convolution over a batch of sequences (PyTorch: `torch.nn.functional.conv1d`).
///
/// `input` is `[N, C, L]` (or unbatched `[C, L]`), `weight` `[O, C/groups, k]`, `bias` `[O]`;
/// the output is `[N, O, outL]`. Runs as a 2-d convolution with a height of 1.
///
/// ```swift
/// let y = conv1d(Tensor.randn([4, 2, 100]), Tensor.randn([8, 2, 5]), stride: 2)   // [4, 8, 48]
/// ```
public func conv1d(
    _ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
    dilation: Int = 1, groups: Int = 1, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let batched = checkConvArguments("conv1d", input, weight, bias, spatial: 1, groups: groups, transposed: false, file: file, line: line)
    let x = (batched ? input : input.unsqueeze(0)).unsqueeze(2)
    let w = weight.unsqueeze(2)
    let g = convGeometry("conv1d", x.shape, w.shape, userInput: input.shape, stride: (1, stride), padding: (0, padding),
                         dilation: (1, dilation), groups: groups, file: file, line: line)
    let out = convolution(x, w, bias: bias, g, file: file, line: line).squeeze(2)
    return batched ? out : out.squeeze(0)
}

/// 1-d convolution with padding `"valid"` or `"same"` (stride 1 only)
/// (PyTorch: `torch.nn.functional.conv1d(..., padding="same")`).
public func conv1d(
    _ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: String,
    dilation: Int = 1, groups: Int = 1, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    check(padding == "same" || padding == "valid", "conv1d", "padding must be \"same\" or \"valid\", got \"\(padding)\"", file: file, line: line)
    if padding == "valid" {
        return conv1d(input, weight, bias: bias, stride: stride, padding: 0, dilation: dilation, groups: groups, file: file, line: line)
    }
    check(stride == 1, "conv1d", "padding=\"same\" is not supported for strided convolutions (stride \(stride))", file: file, line: line)
    _ = checkConvArguments("conv1d", input, weight, bias, spatial: 1, groups: groups, transposed: false, file: file, line: line)
    let p = samePadding(kernel: weight.shape[2], dilation: dilation)
    let x = p.extra > 0 ? pad(input, [0, p.extra], file: file, line: line) : input
    return conv1d(x, weight, bias: bias, padding: p.symmetric, dilation: dilation, groups: groups, file: file, line: line)
}

/// 2-d transposed convolution, the adjoint of `conv2d` in its input (sometimes called
/// "deconvolution") (PyTorch: `torch.nn.functional.conv_transpose2d`).
///
/// `input` is `[N, C_in, H, W]` (or unbatched), `weight` `[C_in, C_out/groups, kH, kW]`,
/// `bias` `[C_out]`; the output is `[N, C_out, outH, outW]` with
/// `outH = (H - 1)·stride.0 - 2·padding.0 + dilation.0·(kH - 1) + outputPadding.0 + 1`.
/// `outputPadding` (smaller than the stride or the dilation) adds rows/columns at the
/// bottom/right, to pick among the input sizes a strided `conv2d` maps to the same size.
///
/// ```swift
/// let up = convTranspose2d(Tensor.randn([1, 8, 7, 7]), Tensor.randn([8, 4, 3, 3]),
///                          stride: (2, 2), padding: (1, 1), outputPadding: (1, 1))   // [1, 4, 14, 14]
/// ```
public func convTranspose2d(
    _ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
    outputPadding: (Int, Int) = (0, 0), groups: Int = 1, dilation: (Int, Int) = (1, 1),
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let batched = checkConvArguments("convTranspose2d", input, weight, bias, spatial: 2, groups: groups, transposed: true, file: file, line: line)
    let x = batched ? input : input.unsqueeze(0)
    let out = transposedConvolution("convTranspose2d", x, weight, bias, userInput: input.shape, stride: stride, padding: padding,
                                    outputPadding: outputPadding, dilation: dilation, groups: groups, file: file, line: line)
    return batched ? out : out.squeeze(0)
}

/// 1-d transposed convolution (PyTorch: `torch.nn.functional.conv_transpose1d`): `input`
/// `[N, C_in, L]` (or unbatched), `weight` `[C_in, C_out/groups, k]`.
public func convTranspose1d(
    _ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0,
    outputPadding: Int = 0, groups: Int = 1, dilation: Int = 1,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let batched = checkConvArguments("convTranspose1d", input, weight, bias, spatial: 1, groups: groups, transposed: true, file: file, line: line)
    let x = (batched ? input : input.unsqueeze(0)).unsqueeze(2)
    let out = transposedConvolution("convTranspose1d", x, weight.unsqueeze(2), bias, userInput: input.shape, stride: (1, stride),
                                    padding: (0, padding), outputPadding: (0, outputPadding), dilation: (1, dilation),
                                    groups: groups, file: file, line: line).squeeze(2)
    return batched ? out : out.squeeze(0)
}

/// A transposed convolution of checked, batched 4-d arguments: the input gradient of the
/// convolution whose output has `x`'s size.
private func transposedConvolution(
    _ op: StaticString, _ x: Tensor, _ w: Tensor, _ bias: Tensor?, userInput: [Int], stride: (Int, Int), padding: (Int, Int),
    outputPadding: (Int, Int), dilation: (Int, Int), groups: Int, file: StaticString, line: UInt
) -> Tensor {
    check(stride.0 > 0 && stride.1 > 0, op, "stride must be positive, got \(stride)", file: file, line: line)
    check(dilation.0 > 0 && dilation.1 > 0, op, "dilation must be positive, got \(dilation)", file: file, line: line)
    check(padding.0 >= 0 && padding.1 >= 0, op, "padding must be non-negative, got \(padding)", file: file, line: line)
    check(outputPadding.0 >= 0 && outputPadding.1 >= 0
          && (outputPadding.0 < stride.0 || outputPadding.0 < dilation.0)
          && (outputPadding.1 < stride.1 || outputPadding.1 < dilation.1), op,
          "output padding must be smaller than either stride or dilation, but got outputPadding \(outputPadding), stride \(stride), dilation \(dilation)", file: file, line: line)
    let outH = (x.shape[2] - 1) * stride.0 - 2 * padding.0 + dilation.0 * (w.shape[2] - 1) + outputPadding.0 + 1
    let outW = (x.shape[3] - 1) * stride.1 - 2 * padding.1 + dilation.1 * (w.shape[3] - 1) + outputPadding.1 + 1
    check(outH > 0 && outW > 0, op, "given input of shape \(userInput), the calculated output size per channel is (\(outH) x \(outW)): too small", file: file, line: line)
    // The convolution this is the adjoint of: from the output (its input) to `x` (its output).
    let g = ConvGeometry(
        batch: x.shape[0], inChannels: w.shape[1] * groups, outChannels: w.shape[0], groups: groups,
        inH: outH, inW: outW, kH: w.shape[2], kW: w.shape[3], outH: x.shape[2], outW: x.shape[3],
        strideH: stride.0, strideW: stride.1, padH: padding.0, padW: padding.1, dilationH: dilation.0, dilationW: dilation.1)
    return convolutionInputGrad(x, w, bias: bias, g, name: "ConvolutionBackward0", file: file, line: line)
}
