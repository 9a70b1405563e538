/// Sliding blocks: `unfold` extracts every `kh×kw` block of an image as a column (im2col) and
/// `fold` sums columns back into an image (col2im), its adjoint. Both are one gather (or
/// scatter-add) through a flat index of the padded image, so each is the other's gradient.

/// The geometry of sliding `kernel` blocks over an `height×width` image.
private struct BlockGeometry {
    let kernel: (Int, Int), dilation: (Int, Int), padding: (Int, Int), stride: (Int, Int)
    let height: Int, width: Int

    var paddedHeight: Int { height + 2 * padding.0 }
    var paddedWidth: Int { width + 2 * padding.1 }
    var blocksDown: Int { (paddedHeight - dilation.0 * (kernel.0 - 1) - 1) / stride.0 + 1 }
    var blocksAcross: Int { (paddedWidth - dilation.1 * (kernel.1 - 1) - 1) / stride.1 + 1 }

    /// For each kernel offset (row-major) and each block (row-major), the flat position in the
    /// padded image: the order of `unfold`'s `[C·kh·kw, L]` rows within one channel.
    func flatIndex() -> Tensor {
        var index: [Int] = []
        index.reserveCapacity(kernel.0 * kernel.1 * blocksDown * blocksAcross)
        for ki in 0..<kernel.0 {
            for kj in 0..<kernel.1 {
                for by in 0..<blocksDown {
                    for bx in 0..<blocksAcross {
                        let y = by * stride.0 + ki * dilation.0, x = bx * stride.1 + kj * dilation.1
                        index.append(y * paddedWidth + x)
                    }
                }
            }
        }
        return Tensor(index)
    }

    func check(_ op: StaticString, file: StaticString, line: UInt) {
        let all = [kernel.0, kernel.1, dilation.0, dilation.1, stride.0, stride.1]
        Ember.check(all.allSatisfy { $0 > 0 } && padding.0 >= 0 && padding.1 >= 0, op,
                    "kernel size \(kernel), dilation \(dilation) and stride \(stride) must be positive and padding \(padding) non-negative", file: file, line: line)
        Ember.check(blocksDown > 0 && blocksAcross > 0, op,
                    "no \(kernel) block (dilation \(dilation), padding \(padding)) fits a \(height)×\(width) image", file: file, line: line)
    }
}

/// Every sliding block of `[N, C, H, W]` (or `[C, H, W]`) as a column: `[N, C·kh·kw, L]` with
/// `L` blocks in row-major order (PyTorch: `F.unfold(input, kernel_size, dilation=1, padding=0, stride=1)`).
///
/// ```swift
/// unfold(Tensor.randn([1, 3, 5, 5]), kernelSize: (2, 2))   // [1, 12, 16]
/// ```
public func unfold(_ input: Tensor, kernelSize: (Int, Int), dilation: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                   stride: (Int, Int) = (1, 1), file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(input.dim == 3 || input.dim == 4, "unfold", "expects a 3-d [C, H, W] or 4-d [N, C, H, W] input, got shape \(input.shape)", file: file, line: line)
    let x = input.dim == 4 ? input : input.unsqueeze(0)
    let (n, c) = (x.shape[0], x.shape[1])
    let g = BlockGeometry(kernel: kernelSize, dilation: dilation, padding: padding, stride: stride, height: x.shape[2], width: x.shape[3])
    g.check("unfold", file: file, line: line)
    let padded = pad(x, [padding.1, padding.1, padding.0, padding.0]).reshape([n, c, g.paddedHeight * g.paddedWidth])
    let blocks = g.blocksDown * g.blocksAcross
    let columns = padded.indexSelect(2, g.flatIndex()).reshape([n, c * kernelSize.0 * kernelSize.1, blocks])
    return input.dim == 4 ? columns : columns.squeeze(0)
}

/// Sums columns `[N, C·kh·kw, L]` (or `[C·kh·kw, L]`) of sliding blocks back into an
/// `outputSize` image, adding where blocks overlap: the adjoint of `unfold`
/// (PyTorch: `F.fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1)`).
public func fold(_ input: Tensor, outputSize: (Int, Int), kernelSize: (Int, Int), dilation: (Int, Int) = (1, 1),
                 padding: (Int, Int) = (0, 0), stride: (Int, Int) = (1, 1), file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(input.dim == 2 || input.dim == 3, "fold", "expects a 2-d [C·kh·kw, L] or 3-d [N, C·kh·kw, L] input, got shape \(input.shape)", file: file, line: line)
    let cols = input.dim == 3 ? input : input.unsqueeze(0)
    let g = BlockGeometry(kernel: kernelSize, dilation: dilation, padding: padding, stride: stride, height: outputSize.0, width: outputSize.1)
    g.check("fold", file: file, line: line)
    let k = kernelSize.0 * kernelSize.1, blocks = g.blocksDown * g.blocksAcross
    check(cols.shape[1] % k == 0, "fold", "dim 1 of input \(input.shape) must be divisible by the kernel size product \(k)", file: file, line: line)
    check(cols.shape[2] == blocks, "fold", "input \(input.shape) has \(cols.shape[2]) blocks, but \(blocks) fit the output size \(outputSize)", file: file, line: line)
    let (n, c) = (cols.shape[0], cols.shape[1] / k)
    let source = cols.reshape([n, c, k * blocks])
    let image = Tensor.zeros([n, c, g.paddedHeight * g.paddedWidth], dtype: cols.dtype)
        .indexAdd(2, g.flatIndex(), source)
        .reshape([n, c, g.paddedHeight, g.paddedWidth])
        .narrow(2, start: padding.0, length: outputSize.0)
        .narrow(3, start: padding.1, length: outputSize.1)
    return input.dim == 3 ? image : image.squeeze(0)
}

/// Extracts sliding blocks as columns (PyTorch: `nn.Unfold(kernel_size, dilation=1, padding=0, stride=1)`).
open class Unfold: Module, @unchecked Sendable {
    /// Block height and width.
    public let kernelSize: (Int, Int)
    /// Spacing between kernel elements.
    public let dilation: (Int, Int)
    /// Zeros added on both sides of height and width.
    public let padding: (Int, Int)
    /// Step between blocks.
    public let stride: (Int, Int)
    /// An unfold layer.
    public init(kernelSize: (Int, Int), dilation: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), stride: (Int, Int) = (1, 1)) {
        (self.kernelSize, self.dilation, self.padding, self.stride) = (kernelSize, dilation, padding, stride)
        super.init()
    }
    /// `unfold(x, ...)`.
    open override func forward(_ x: Tensor) -> Tensor {
        unfold(x, kernelSize: kernelSize, dilation: dilation, padding: padding, stride: stride)
    }
    /// `kernel_size=(2, 3), dilation=(1, 1), padding=(0, 0), stride=(1, 1)`.
    open override var extraDescription: String {
        "kernel_size=\(pair(kernelSize)), dilation=\(pair(dilation)), padding=\(pair(padding)), stride=\(pair(stride))"
    }
}

/// Sums columns of sliding blocks into an image (PyTorch: `nn.Fold(output_size, kernel_size, dilation=1, padding=0, stride=1)`).
open class Fold: Module, @unchecked Sendable {
    /// The image height and width.
    public let outputSize: (Int, Int)
    /// Block height and width.
    public let kernelSize: (Int, Int)
    /// Spacing between kernel elements.
    public let dilation: (Int, Int)
    /// Zeros added on both sides of height and width (cropped from the result).
    public let padding: (Int, Int)
    /// Step between blocks.
    public let stride: (Int, Int)
    /// A fold layer.
    public init(outputSize: (Int, Int), kernelSize: (Int, Int), dilation: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                stride: (Int, Int) = (1, 1)) {
        (self.outputSize, self.kernelSize, self.dilation, self.padding, self.stride) = (outputSize, kernelSize, dilation, padding, stride)
        super.init()
    }
    /// `fold(x, ...)`.
    open override func forward(_ x: Tensor) -> Tensor {
        fold(x, outputSize: outputSize, kernelSize: kernelSize, dilation: dilation, padding: padding, stride: stride)
    }
    /// `output_size=(4, 5), kernel_size=(2, 3), dilation=(1, 1), padding=(0, 0), stride=(1, 1)`.
    open override var extraDescription: String {
        "output_size=\(pair(outputSize)), kernel_size=\(pair(kernelSize)), dilation=\(pair(dilation)), padding=\(pair(padding)), stride=\(pair(stride))"
    }
}

/// A pair as PyTorch prints the argument it was most likely given: `2` when both are equal
/// (PyTorch's defaults are ints), else `(2, 3)`.
private func pair(_ p: (Int, Int)) -> String { p.0 == p.1 ? "\(p.0)" : "(\(p.0), \(p.1))" }
