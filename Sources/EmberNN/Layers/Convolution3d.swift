/// 3-d convolution and transposed convolution over `[N, C, D, H, W]` volumes, and the 1-d
/// transposed convolution layer. The 3-d ops are composed from Ember's 2-d ones: one 2-d
/// (transposed) convolution per kernel depth offset, each over all output depths at once
/// (depth folded into the batch), so the work is that of a direct 3-d convolution.

/// A 3-tuple as PyTorch prints it.
private func triple(_ t: (Int, Int, Int)) -> String { "(\(t.0), \(t.1), \(t.2))" }

/// Checks 3-d convolution arguments; returns whether the input is batched.
private func checkConv3d(_ op: StaticString, _ input: Tensor, _ weight: Tensor, _ bias: Tensor?, groups: Int, transposed: Bool,
                         file: StaticString, line: UInt) -> Bool {
    check(input.dim == 4 || input.dim == 5, op, "expects a 4-d (unbatched) or 5-d [N, C, D, H, W] input, got shape \(input.shape)", file: file, line: line)
    check(weight.dim == 5, op, "expects a 5-d weight, got shape \(weight.shape)", file: file, line: line)
    check(groups > 0, op, "groups must be positive, got \(groups)", file: file, line: line)
    let channels = input.shape[input.dim - 4]
    let expected = transposed ? weight.shape[0] : weight.shape[1] * groups
    check(channels == expected, op, "input \(input.shape) has \(channels) channels, but weight \(weight.shape) with groups=\(groups) expects \(expected)", file: file, line: line)
    let out = transposed ? weight.shape[1] * groups : weight.shape[0]
    if let bias { check(bias.shape == [out], op, "bias must have shape [\(out)], got \(bias.shape)", file: file, line: line) }
    return input.dim == 5
}

/// 3-d convolution (PyTorch: `F.conv3d`): `input` `[N, C, D, H, W]` (or unbatched), `weight`
/// `[O, C/groups, kD, kH, kW]`, `bias` `[O]`.
///
/// ```swift
/// conv3d(Tensor.randn([2, 3, 8, 16, 16]), Tensor.randn([4, 3, 3, 3, 3]), padding: (1, 1, 1))   // [2, 4, 8, 16, 16]
/// ```
public func conv3d(_ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: (Int, Int, Int) = (1, 1, 1),
                   padding: (Int, Int, Int) = (0, 0, 0), dilation: (Int, Int, Int) = (1, 1, 1), groups: Int = 1,
                   file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let batched = checkConv3d("conv3d", input, weight, bias, groups: groups, transposed: false, file: file, line: line)
    let x = batched ? input : input.unsqueeze(0)
    let (n, c, depth) = (x.shape[0], x.shape[1], x.shape[2])
    let kD = weight.shape[2]
    check(stride.0 > 0 && dilation.0 > 0 && padding.0 >= 0, "conv3d", "stride \(stride) and dilation \(dilation) must be positive, padding \(padding) non-negative", file: file, line: line)
    let outDepth = (depth + 2 * padding.0 - dilation.0 * (kD - 1) - 1) / stride.0 + 1
    check(outDepth > 0, "conv3d", "the kernel depth \(kD) (dilation \(dilation.0)) exceeds the padded input depth of \(input.shape)", file: file, line: line)
    let padded = padding.0 > 0 ? pad(x, [0, 0, 0, 0, padding.0, padding.0]) : x
    var total: Tensor?
    for kd in 0..<kD {
        let start = kd * dilation.0
        let slices = padded.slice(2, start, start + stride.0 * (outDepth - 1) + 1, step: stride.0)     // [N, C, oD, H, W]
        let planes = slices.permute(0, 2, 1, 3, 4).reshape([n * outDepth, c, x.shape[3], x.shape[4]])
        let y = conv2d(planes, weight.select(2, kd), stride: (stride.1, stride.2), padding: (padding.1, padding.2),
                       dilation: (dilation.1, dilation.2), groups: groups, file: file, line: line)
        total = total.map { $0 + y } ?? y
    }
    let y = total!
    var out = y.reshape([n, outDepth, y.shape[1], y.shape[2], y.shape[3]]).permute(0, 2, 1, 3, 4)
    if let bias { out = out + bias.reshape([1, bias.numel, 1, 1, 1]) }
    out = out.contiguous()
    return batched ? out : out.squeeze(0)
}

/// 3-d transposed convolution, the adjoint of `conv3d` in its input (PyTorch: `F.conv_transpose3d`):
/// `input` `[N, C_in, D, H, W]` (or unbatched), `weight` `[C_in, C_out/groups, kD, kH, kW]`.
public func convTranspose3d(_ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: (Int, Int, Int) = (1, 1, 1),
                            padding: (Int, Int, Int) = (0, 0, 0), outputPadding: (Int, Int, Int) = (0, 0, 0), groups: Int = 1,
                            dilation: (Int, Int, Int) = (1, 1, 1), file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let batched = checkConv3d("convTranspose3d", input, weight, bias, groups: groups, transposed: true, file: file, line: line)
    let x = batched ? input : input.unsqueeze(0)
    let (n, c, depth) = (x.shape[0], x.shape[1], x.shape[2])
    let kD = weight.shape[2]
    check(stride.0 > 0 && dilation.0 > 0 && padding.0 >= 0 && outputPadding.0 >= 0 && outputPadding.0 < Swift.max(stride.0, dilation.0),
          "convTranspose3d", "stride \(stride) and dilation \(dilation) must be positive, padding \(padding) non-negative, and output padding \(outputPadding) smaller than the stride or the dilation", file: file, line: line)
    let fullDepth = (depth - 1) * stride.0 + dilation.0 * (kD - 1) + 1 + outputPadding.0
    let outDepth = fullDepth - 2 * padding.0
    check(outDepth > 0, "convTranspose3d", "padding \(padding.0) leaves no output depth for input \(input.shape)", file: file, line: line)
    let planes = x.permute(0, 2, 1, 3, 4).reshape([n * depth, c, x.shape[3], x.shape[4]])
    var total: Tensor?
    for kd in 0..<kD {
        let y = convTranspose2d(planes, weight.select(2, kd), stride: (stride.1, stride.2), padding: (padding.1, padding.2),
                                outputPadding: (outputPadding.1, outputPadding.2), groups: groups, dilation: (dilation.1, dilation.2),
                                file: file, line: line)
        let volume = y.reshape([n, depth, y.shape[1], y.shape[2], y.shape[3]])       // [N, D, O, oH, oW]
        // Input depth d lands at output depth d·stride + kd·dilation (before cropping the padding).
        let index = Tensor((0..<depth).map { $0 * stride.0 + kd * dilation.0 })
        let base = total ?? Tensor.zeros([n, fullDepth, y.shape[1], y.shape[2], y.shape[3]], dtype: y.dtype)
        total = base.indexAdd(1, index, volume)
    }
    var out = total!.narrow(1, start: padding.0, length: outDepth).permute(0, 2, 1, 3, 4)
    if let bias { out = out + bias.reshape([1, bias.numel, 1, 1, 1]) }
    out = out.contiguous()
    return batched ? out : out.squeeze(0)
}

/// 3-d convolution over `[N, C, D, H, W]` (or `[C, D, H, W]`) volumes (PyTorch: `nn.Conv3d`).
///
/// ```swift
/// let conv = Conv3d(1, 8, kernelSize: 3, padding: 1)
/// ```
open class Conv3d: Module, @unchecked Sendable {
    /// Input and output channels, and the channel groups.
    public let inChannels: Int, outChannels: Int, groups: Int
    /// Kernel, stride, padding and dilation per dim (depth, height, width).
    public let kernelSize: (Int, Int, Int), stride: (Int, Int, Int), padding: (Int, Int, Int), dilation: (Int, Int, Int)
    /// `[outChannels, inChannels / groups, kD, kH, kW]`.
    @Parameter public var weight: Tensor
    /// `[outChannels]`, or nil with `bias: false`.
    @Parameter public var bias: Tensor?

    /// PyTorch: `nn.Conv3d(in, out, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True)`, with PyTorch's initialization.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int, Int), stride: (Int, Int, Int) = (1, 1, 1),
                padding: (Int, Int, Int) = (0, 0, 0), dilation: (Int, Int, Int) = (1, 1, 1), groups: Int = 1, bias: Bool = true,
                dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) {
        check(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, "Conv3d", "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))", file: file, line: line)
        (self.inChannels, self.outChannels, self.groups) = (inChannels, outChannels, groups)
        (self.kernelSize, self.stride, self.padding, self.dilation) = (kernelSize, stride, padding, dilation)
        self.weight = Tensor(empty: [outChannels, inChannels / groups, kernelSize.0, kernelSize.1, kernelSize.2], dtype: dtype)
        self.bias = bias ? Tensor(empty: [outChannels], dtype: dtype) : nil
        super.init()
        resetConvParameters(weight, self.bias)
    }

    /// A cubic kernel with the same stride, padding and dilation in every dim.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
                            groups: Int = 1, bias: Bool = true, dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize, kernelSize), stride: (stride, stride, stride),
                  padding: (padding, padding, padding), dilation: (dilation, dilation, dilation), groups: groups, bias: bias,
                  dtype: dtype, file: file, line: line)
    }

    /// `conv3d(x, weight, bias:, ...)`.
    open override func forward(_ x: Tensor) -> Tensor {
        conv3d(x, weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// `1, 8, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=(1, 1, 1)`.
    open override var extraDescription: String {
        var s = "\(inChannels), \(outChannels), kernel_size=\(triple(kernelSize)), stride=\(triple(stride))"
        if padding != (0, 0, 0) { s += ", padding=\(triple(padding))" }
        if dilation != (1, 1, 1) { s += ", dilation=\(triple(dilation))" }
        if groups != 1 { s += ", groups=\(groups)" }
        if bias == nil { s += ", bias=False" }
        return s
    }
}

/// Transposed 3-d convolution, used to upsample volumes (PyTorch: `nn.ConvTranspose3d`).
open class ConvTranspose3d: Module, @unchecked Sendable {
    /// Input and output channels, and the channel groups.
    public let inChannels: Int, outChannels: Int, groups: Int
    /// Kernel, stride, padding, output padding and dilation per dim (depth, height, width).
    public let kernelSize: (Int, Int, Int), stride: (Int, Int, Int), padding: (Int, Int, Int), outputPadding: (Int, Int, Int), dilation: (Int, Int, Int)
    /// `[inChannels, outChannels / groups, kD, kH, kW]`.
    @Parameter public var weight: Tensor
    /// `[outChannels]`, or nil with `bias: false`.
    @Parameter public var bias: Tensor?

    /// PyTorch: `nn.ConvTranspose3d(in, out, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1)`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
                groups: Int = 1, bias: Bool = true, dilation: Int = 1, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        check(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, "ConvTranspose3d", "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))", file: file, line: line)
        (self.inChannels, self.outChannels, self.groups) = (inChannels, outChannels, groups)
        (self.kernelSize, self.stride, self.padding) = ((kernelSize, kernelSize, kernelSize), (stride, stride, stride), (padding, padding, padding))
        (self.outputPadding, self.dilation) = ((outputPadding, outputPadding, outputPadding), (dilation, dilation, dilation))
        self.weight = Tensor(empty: [inChannels, outChannels / groups, kernelSize, kernelSize, kernelSize], dtype: dtype)
        self.bias = bias ? Tensor(empty: [outChannels], dtype: dtype) : nil
        super.init()
        resetConvParameters(weight, self.bias)
    }

    /// `convTranspose3d(x, weight, bias:, ...)`.
    open override func forward(_ x: Tensor) -> Tensor {
        convTranspose3d(x, weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding, groups: groups, dilation: dilation)
    }

    /// `8, 4, kernel_size=(2, 2, 2), stride=(2, 2, 2)`.
    open override var extraDescription: String {
        var s = "\(inChannels), \(outChannels), kernel_size=\(triple(kernelSize)), stride=\(triple(stride))"
        if padding != (0, 0, 0) { s += ", padding=\(triple(padding))" }
        if outputPadding != (0, 0, 0) { s += ", output_padding=\(triple(outputPadding))" }
        if dilation != (1, 1, 1) { s += ", dilation=\(triple(dilation))" }
        if groups != 1 { s += ", groups=\(groups)" }
        if bias == nil { s += ", bias=False" }
        return s
    }
}

/// Transposed 1-d convolution over `[N, C, L]` (or `[C, L]`) sequences (PyTorch: `nn.ConvTranspose1d`).
open class ConvTranspose1d: Module, @unchecked Sendable {
    /// Input and output channels, and the channel groups.
    public let inChannels: Int, outChannels: Int, groups: Int
    /// Kernel size, stride, padding, output padding and dilation.
    public let kernelSize: Int, stride: Int, padding: Int, outputPadding: Int, dilation: Int
    /// `[inChannels, outChannels / groups, kernelSize]`.
    @Parameter public var weight: Tensor
    /// `[outChannels]`, or nil with `bias: false`.
    @Parameter public var bias: Tensor?

    /// PyTorch: `nn.ConvTranspose1d(in, out, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1)`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
                groups: Int = 1, bias: Bool = true, dilation: Int = 1, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        check(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, "ConvTranspose1d", "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))", file: file, line: line)
        (self.inChannels, self.outChannels, self.groups) = (inChannels, outChannels, groups)
        (self.kernelSize, self.stride, self.padding, self.outputPadding, self.dilation) = (kernelSize, stride, padding, outputPadding, dilation)
        self.weight = Tensor(empty: [inChannels, outChannels / groups, kernelSize], dtype: dtype)
        self.bias = bias ? Tensor(empty: [outChannels], dtype: dtype) : nil
        super.init()
        resetConvParameters(weight, self.bias)
    }

    /// `convTranspose1d(x, weight, bias:, ...)`.
    open override func forward(_ x: Tensor) -> Tensor {
        convTranspose1d(x, weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding, groups: groups, dilation: dilation)
    }

    /// `8, 4, kernel_size=(3,), stride=(2,)`.
    open override var extraDescription: String {
        var s = "\(inChannels), \(outChannels), kernel_size=(\(kernelSize),), stride=(\(stride),)"
        if padding != 0 { s += ", padding=(\(padding),)" }
        if outputPadding != 0 { s += ", output_padding=(\(outputPadding),)" }
        if dilation != 1 { s += ", dilation=(\(dilation),)" }
        if groups != 1 { s += ", groups=\(groups)" }
        if bias == nil { s += ", bias=False" }
        return s
    }
}
