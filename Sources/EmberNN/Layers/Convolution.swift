/// Padding of a convolution: explicit sizes, or PyTorch's "same" / "valid".
public enum ConvPadding: Sendable, Equatable {
    /// Zero padding of this many rows and columns on each side.
    case explicit(Int, Int)
    /// Pad so the output has the input's size (stride 1 only, as in PyTorch).
    case same
    /// No padding.
    case valid
}

/// Draws a convolution's weight and bias as PyTorch's `_ConvNd.reset_parameters` does:
/// kaiming_uniform(a: √5) and U(±1/√fan_in).
func resetConvParameters(_ weight: Tensor, _ bias: Tensor?) {
    Init.kaimingUniform_(weight, a: 5.0.squareRoot())
    if let bias {
        let fanIn = Init.calculateFans(weight).fanIn
        let bound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
        Init.uniform_(bias, -bound, bound)
    }
}

/// 2-d convolution over `[N, C, H, W]` (or `[C, H, W]`) inputs (PyTorch: `nn.Conv2d`).
///
/// ```swift
/// let conv = Conv2d(1, 32, kernelSize: 3, padding: 1)
/// let y = conv(Tensor.randn([128, 1, 28, 28]))   // [128, 32, 28, 28]
/// ```
open class Conv2d: Module, @unchecked Sendable {
    public let inChannels: Int, outChannels: Int
    public let kernelSize: (Int, Int), stride: (Int, Int), dilation: (Int, Int)
    public let padding: ConvPadding
    public let groups: Int
    /// `[outChannels, inChannels / groups, kH, kW]`.
    @Parameter public var weight: Tensor
    /// `[outChannels]`, or nil with `bias: false`.
    @Parameter public var bias: Tensor?

    /// A convolution with square kernel, stride, padding and dilation
    /// (PyTorch: `nn.Conv2d(in, out, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True)`).
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            dilation: Int = 1, groups: Int = 1, bias: Bool = true, dtype: DType = .float32,
                            file: StaticString = #fileID, line: UInt = #line) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: .explicit(padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias,
                  dtype: dtype, file: file, line: line)
    }

    /// A convolution with per-axis sizes and any padding mode.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: ConvPadding = .explicit(0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
                dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) {
        check(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, "Conv2d", "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))", file: file, line: line)
        check(padding != .same || (stride.0 == 1 && stride.1 == 1), "Conv2d", "padding='same' is not supported for strided convolutions", file: file, line: line)
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.weight = Tensor(empty: [outChannels, inChannels / groups, kernelSize.0, kernelSize.1], dtype: dtype)
        self.bias = bias ? Tensor(empty: [outChannels], dtype: dtype) : nil
        super.init()
        resetConvParameters(weight, self.bias)
    }

    open override func forward(_ x: Tensor) -> Tensor {
        switch padding {
        case .explicit(let ph, let pw):
            return conv2d(x, weight, bias: bias, stride: stride, padding: (ph, pw), dilation: dilation, groups: groups)
        case .same:
            return conv2d(x, weight, bias: bias, stride: stride, padding: "same", dilation: dilation, groups: groups)
        case .valid:
            return conv2d(x, weight, bias: bias, stride: stride, padding: (0, 0), dilation: dilation, groups: groups)
        }
    }

    open override var extraDescription: String {
        var s = "\(inChannels), \(outChannels), kernel_size=(\(kernelSize.0), \(kernelSize.1)), stride=(\(stride.0), \(stride.1))"
        switch padding {
        case .explicit(let ph, let pw) where ph != 0 || pw != 0: s += ", padding=(\(ph), \(pw))"
        case .same: s += ", padding=same"
        case .valid: s += ", padding=valid"
        default: break
        }
        if dilation != (1, 1) { s += ", dilation=(\(dilation.0), \(dilation.1))" }
        if groups != 1 { s += ", groups=\(groups)" }
        if bias == nil { s += ", bias=False" }
        return s
    }
}

/// 1-d convolution over `[N, C, L]` inputs (PyTorch: `nn.Conv1d`).
open class Conv1d: Module, @unchecked Sendable {
    public let inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int, padding: Int, dilation: Int, groups: Int
    /// `[outChannels, inChannels / groups, kernelSize]`.
    @Parameter public var weight: Tensor
    /// `[outChannels]`, or nil with `bias: false`.
    @Parameter public var bias: Tensor?

    /// PyTorch: `nn.Conv1d(in, out, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True)`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
                groups: Int = 1, bias: Bool = true, dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) {
        check(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, "Conv1d", "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))", file: file, line: line)
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = kernelSize
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.weight = Tensor(empty: [outChannels, inChannels / groups, kernelSize], dtype: dtype)
        self.bias = bias ? Tensor(empty: [outChannels], dtype: dtype) : nil
        super.init()
        resetConvParameters(weight, self.bias)
    }

    open override func forward(_ x: Tensor) -> Tensor {
        conv1d(x, weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    open override var extraDescription: String {
        var s = "\(inChannels), \(outChannels), kernel_size=(\(kernelSize),), stride=(\(stride),)"
        if padding != 0 { s += ", padding=(\(padding),)" }
        if dilation != 1 { s += ", dilation=(\(dilation),)" }
        if groups != 1 { s += ", groups=\(groups)" }
        if bias == nil { s += ", bias=False" }
        return s
    }
}

/// Transposed 2-d convolution, the gradient of `Conv2d` with respect to its input, used to
/// upsample (PyTorch: `nn.ConvTranspose2d`).
open class ConvTranspose2d: Module, @unchecked Sendable {
    public let inChannels: Int, outChannels: Int, groups: Int
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int), outputPadding: (Int, Int), dilation: (Int, Int)
    /// `[inChannels, outChannels / groups, kH, kW]`.
    @Parameter public var weight: Tensor
    /// `[outChannels]`, or nil with `bias: false`.
    @Parameter public var bias: Tensor?

    /// PyTorch: `nn.ConvTranspose2d(in, out, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True, dilation=1)`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0,
                groups: Int = 1, bias: Bool = true, dilation: Int = 1, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        check(groups > 0 && inChannels % groups == 0 && outChannels % groups == 0, "ConvTranspose2d", "in_channels (\(inChannels)) and out_channels (\(outChannels)) must be divisible by groups (\(groups))", file: file, line: line)
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.groups = groups
        self.kernelSize = (kernelSize, kernelSize)
        self.stride = (stride, stride)
        self.padding = (padding, padding)
        self.outputPadding = (outputPadding, outputPadding)
        self.dilation = (dilation, dilation)
        self.weight = Tensor(empty: [inChannels, outChannels / groups, kernelSize, kernelSize], dtype: dtype)
        self.bias = bias ? Tensor(empty: [outChannels], dtype: dtype) : nil
        super.init()
        resetConvParameters(weight, self.bias)
    }

    open override func forward(_ x: Tensor) -> Tensor {
        convTranspose2d(x, weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding, groups: groups, dilation: dilation)
    }

    open override var extraDescription: String {
        var s = "\(inChannels), \(outChannels), kernel_size=(\(kernelSize.0), \(kernelSize.1)), stride=(\(stride.0), \(stride.1))"
        if padding != (0, 0) { s += ", padding=(\(padding.0), \(padding.1))" }
        if outputPadding != (0, 0) { s += ", output_padding=(\(outputPadding.0), \(outputPadding.1))" }
        if dilation != (1, 1) { s += ", dilation=(\(dilation.0), \(dilation.1))" }
        if groups != 1 { s += ", groups=\(groups)" }
        if bias == nil { s += ", bias=False" }
        return s
    }
}
