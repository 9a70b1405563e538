/// Flips an image top to bottom with probability `p` (torchvision:
/// `transforms.RandomVerticalFlip(p)`); works on any `[..., H, W]` tensor.
public struct RandomVerticalFlip: Transform {
    /// The probability of flipping.
    public let p: Double
    /// The generator to draw from, or nil for `TransformRandom.current`.
    public let generator: Generator?

    /// A flip with probability `p` (default 0.5).
    public init(p: Double = 0.5, generator: Generator? = nil, file: StaticString = #fileID, line: UInt = #line) {
        check(p >= 0 && p <= 1, "RandomVerticalFlip", "p must be in [0, 1], got \(p)", file: file, line: line)
        self.p = p
        self.generator = generator
    }

    /// `x` flipped along its second-to-last dimension, or `x` itself.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        check(x.dim >= 2, "RandomVerticalFlip", "expected a tensor of shape [..., H, W], got \(x.shape)", file: #fileID, line: #line)
        return TransformRandom.uniform(generator ?? TransformRandom.current) < p ? x.flip([-2]) : x
    }
}

/// Converts a uint8 image, `[H, W]`, `[H, W, C]` (channels last, as image files store them)
/// or `[C, H, W]`, to a float32 `[C, H, W]` tensor in [0, 1] (torchvision: `transforms.ToTensor`).
/// Float tensors pass through unchanged. `channelsLast` says how a 3-d uint8 input is laid out.
public struct ToTensor: Transform {
    /// Whether 3-d uint8 inputs are `[H, W, C]` (true, the default) or already `[C, H, W]`.
    public let channelsLast: Bool

    /// A conversion for `[H, W, C]` (default) or `[C, H, W]` uint8 images.
    public init(channelsLast: Bool = true) { self.channelsLast = channelsLast }

    /// The image as float32 `[C, H, W]` scaled by 1/255.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        if x.dtype.isFloatingPoint { return x }
        check(x.dim == 2 || x.dim == 3, "ToTensor", "expected an image of shape [H, W], [H, W, C] or [C, H, W], got \(x.shape)", file: #fileID, line: #line)
        var image = x.float() / 255
        if image.dim == 2 { image = image.unsqueeze(0) } else if channelsLast { image = image.permute([2, 0, 1]).contiguous() }
        return image
    }
}
