/// Randomly zeroes elements in training and scales the rest by 1/(1-p), so the expected
/// value is unchanged; passes inputs through in evaluation (PyTorch: `nn.Dropout`).
///
/// The mask is drawn from `generator` (the default one unless given), so seeding it makes
/// training reproducible.
///
/// ```swift
/// let drop = Dropout(p: 0.2)
/// let y = drop(x)            // training: ~20% zeros, the rest × 1.25
/// drop.eval(); drop(x)       // x unchanged
/// ```
open class Dropout: Module, @unchecked Sendable {
    /// The probability of zeroing an element (PyTorch: `p`).
    public let p: Double
    /// Where the masks come from.
    public let generator: Generator

    /// A dropout layer (PyTorch: `nn.Dropout(p=0.5)`).
    public init(p: Double = 0.5, generator: Generator = .default, file: StaticString = #fileID, line: UInt = #line) {
        check(p >= 0 && p <= 1, "Dropout", "dropout probability has to be between 0 and 1, but got \(p)", file: file, line: line)
        self.p = p
        self.generator = generator
        super.init()
    }

    /// Drops elements in training mode (PyTorch: `F.dropout`).
    open override func forward(_ x: Tensor) -> Tensor {
        dropout(x, p: p, training: training, generator: generator)
    }

    /// `p=0.5, inplace=False`.
    open override var extraDescription: String { "p=\(pyFloat(p)), inplace=False" }
}

/// Zeroes whole channels in training (each channel of each sample with probability `p`),
/// scaling the rest by 1/(1-p) (PyTorch: `nn.Dropout2d`). Inputs are `[N, C, H, W]`, or
/// `[C, H, W]` for one sample.
open class Dropout2d: Dropout, @unchecked Sendable {
    /// Drops channels in training mode (PyTorch: `F.dropout2d`).
    open override func forward(_ x: Tensor) -> Tensor {
        check(x.dim == 3 || x.dim == 4, "Dropout2d", "expected a [N, C, H, W] or [C, H, W] input, got shape \(x.shape)")
        return featureDropout(x, p: p, training: training, batched: x.dim == 4, generator: generator)
    }
}

/// Zeroes each element with probability `p` and scales the rest by 1/(1-p) when
/// `training`; returns `x` otherwise (PyTorch: `F.dropout`).
public func dropout(_ x: Tensor, p: Double = 0.5, training: Bool = true, generator: Generator = .default, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(p >= 0 && p <= 1, "dropout", "dropout probability has to be between 0 and 1, but got \(p)", file: file, line: line)
    if !training || p == 0 { return x }
    if p == 1 { return x * 0 }
    let keep = Tensor.rand(x.shape, dtype: x.dtype, generator: generator) .< (1 - p)
    return x * (keep.to(x.dtype) * (1 / (1 - p)))
}

/// Channel-wise dropout: one draw per (sample, channel), broadcast over the spatial dims.
func featureDropout(_ x: Tensor, p: Double, training: Bool, batched: Bool, generator: Generator) -> Tensor {
    if !training || p == 0 { return x }
    if p == 1 { return x * 0 }
    let channelDims = batched ? 2 : 1
    let maskShape = Array(x.shape.prefix(channelDims)) + [Int](repeating: 1, count: x.dim - channelDims)
    let keep = Tensor.rand(maskShape, dtype: x.dtype, generator: generator) .< (1 - p)
    return x * (keep.to(x.dtype) * (1 / (1 - p)))
}
