/// The 2-d functions with one integer where PyTorch accepts an int for a pair
/// (`F.max_pool2d(x, 2)`, `F.adaptive_avg_pool2d(x, 1)`, `F.conv2d(x, w, stride=2, padding=1)`):
/// each forwards `(n, n)` to the pair form.

/// `maxPool2d` with square windows (PyTorch: `F.max_pool2d(x, 2)`).
public func maxPool2d(
    _ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    maxPool2d(input, kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
              dilation: (dilation, dilation), ceilMode: ceilMode, file: file, line: line)
}

/// `maxPool2dWithIndices` with square windows.
public func maxPool2dWithIndices(
    _ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, dilation: Int = 1, ceilMode: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) -> (Tensor, Tensor) {
    maxPool2dWithIndices(input, kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
                         dilation: (dilation, dilation), ceilMode: ceilMode, file: file, line: line)
}

/// `avgPool2d` with square windows (PyTorch: `F.avg_pool2d(x, 2)`).
public func avgPool2d(
    _ input: Tensor, kernelSize: Int, stride: Int? = nil, padding: Int = 0, ceilMode: Bool = false,
    countIncludePad: Bool = true, divisorOverride: Int? = nil, file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    avgPool2d(input, kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
              ceilMode: ceilMode, countIncludePad: countIncludePad, divisorOverride: divisorOverride, file: file, line: line)
}

/// `adaptiveAvgPool2d` to a square output (PyTorch: `F.adaptive_avg_pool2d(x, 1)`).
public func adaptiveAvgPool2d(_ input: Tensor, outputSize: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    adaptiveAvgPool2d(input, outputSize: (outputSize, outputSize), file: file, line: line)
}

/// `conv2d` with the same stride, padding and dilation in both dimensions
/// (PyTorch: `F.conv2d(x, w, stride=2, padding=1)`).
public func conv2d(
    _ input: Tensor, _ weight: Tensor, bias: Tensor? = nil, stride: Int, padding: Int = 0, dilation: Int = 1, groups: Int = 1,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    conv2d(input, weight, bias: bias, stride: (stride, stride), padding: (padding, padding), dilation: (dilation, dilation),
           groups: groups, file: file, line: line)
}
