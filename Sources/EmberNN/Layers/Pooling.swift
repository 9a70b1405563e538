/// Max over `kernelSize` windows of `[N, C, H, W]` inputs (PyTorch: `nn.MaxPool2d`).
open class MaxPool2d: Module, @unchecked Sendable {
    public let kernelSize: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool

    /// PyTorch: `nn.MaxPool2d(kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False)`;
    /// the stride defaults to the kernel size.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
        super.init()
    }

    open override func forward(_ x: Tensor) -> Tensor {
        maxPool2d(x, kernelSize: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding),
                  dilation: (dilation, dilation), ceilMode: ceilMode)
    }

    open override var extraDescription: String {
        "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), dilation=\(dilation), ceil_mode=\(pyBool(ceilMode))"
    }
}

/// Mean over `kernelSize` windows of `[N, C, H, W]` inputs (PyTorch: `nn.AvgPool2d`).
open class AvgPool2d: Module, @unchecked Sendable {
    public let kernelSize: Int, stride: Int, padding: Int, ceilMode: Bool, countIncludePad: Bool

    /// PyTorch: `nn.AvgPool2d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)`.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        super.init()
    }

    open override func forward(_ x: Tensor) -> Tensor {
        avgPool2d(x, kernelSize: (kernelSize, kernelSize), stride: (stride, stride), padding: (padding, padding),
                  ceilMode: ceilMode, countIncludePad: countIncludePad)
    }

    open override var extraDescription: String { "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding)" }
}

/// Max over windows of `[N, C, L]` inputs (PyTorch: `nn.MaxPool1d`).
open class MaxPool1d: Module, @unchecked Sendable {
    public let kernelSize: Int, stride: Int, padding: Int, dilation: Int, ceilMode: Bool

    /// PyTorch: `nn.MaxPool1d(kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False)`.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.dilation = dilation
        self.ceilMode = ceilMode
        super.init()
    }

    open override func forward(_ x: Tensor) -> Tensor {
        maxPool1d(x, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }

    open override var extraDescription: String {
        "kernel_size=\(kernelSize), stride=\(stride), padding=\(padding), dilation=\(dilation), ceil_mode=\(pyBool(ceilMode))"
    }
}

/// Mean over windows of `[N, C, L]` inputs (PyTorch: `nn.AvgPool1d`).
open class AvgPool1d: Module, @unchecked Sendable {
    public let kernelSize: Int, stride: Int, padding: Int, ceilMode: Bool, countIncludePad: Bool

    /// PyTorch: `nn.AvgPool1d(kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True)`.
    public init(_ kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize
        self.stride = stride ?? kernelSize
        self.padding = padding
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        super.init()
    }

    open override func forward(_ x: Tensor) -> Tensor {
        avgPool1d(x, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode, countIncludePad: countIncludePad)
    }

    open override var extraDescription: String { "kernel_size=(\(kernelSize),), stride=(\(stride),), padding=(\(padding),)" }
}

/// Averages each channel down to a fixed output size, whatever the input size
/// (PyTorch: `nn.AdaptiveAvgPool2d`).
open class AdaptiveAvgPool2d: Module, @unchecked Sendable {
    public let outputSize: (Int, Int)

    /// PyTorch: `nn.AdaptiveAvgPool2d(output_size)`.
    public init(_ outputSize: (Int, Int)) {
        self.outputSize = outputSize
        super.init()
    }

    /// A square output size.
    public convenience init(_ outputSize: Int) { self.init((outputSize, outputSize)) }

    open override func forward(_ x: Tensor) -> Tensor { adaptiveAvgPool2d(x, outputSize: outputSize) }

    open override var extraDescription: String { "output_size=(\(outputSize.0), \(outputSize.1))" }
}
