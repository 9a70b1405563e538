/// A function from tensor to tensor applied to each sample, usually an image as a
/// `[C, H, W]` float tensor (torchvision: `torchvision.transforms`).
///
/// Random transforms take an optional `Generator`; without one they use
/// `TransformRandom.current`, which a `DataLoader` seeds per batch so results do not depend
/// on `numWorkers`.
public protocol Transform: Sendable {
    /// The transformed tensor (torchvision: `transform(img)`).
    func callAsFunction(_ x: Tensor) -> Tensor
}

/// Several transforms applied in order (torchvision: `transforms.Compose`).
///
/// ```swift
/// let augment = Compose([RandomCrop(size: 28, padding: 4), RandomHorizontalFlip(), Normalize(mean: [0.2860], std: [0.3530])])
/// ```
public struct Compose: Transform {
    /// The transforms, first applied first.
    public let transforms: [any Transform]
    /// Chains `transforms`.
    public init(_ transforms: [any Transform]) { self.transforms = transforms }
    /// `transforms[n-1](...(transforms[0](x)))`.
    public func callAsFunction(_ x: Tensor) -> Tensor { transforms.reduce(x) { $1($0) } }
}

/// A transform from a closure (torchvision: `transforms.Lambda`).
///
/// ```swift
/// let flatten = Lambda { $0.flatten() }
/// ```
public struct Lambda: Transform {
    /// The function applied.
    public let body: @Sendable (Tensor) -> Tensor
    /// Wraps `body`.
    public init(_ body: @escaping @Sendable (Tensor) -> Tensor) { self.body = body }
    /// `body(x)`.
    public func callAsFunction(_ x: Tensor) -> Tensor { body(x) }
}

/// Subtracts a per-channel mean and divides by a per-channel standard deviation:
/// `out[c] = (x[c] - mean[c]) / std[c]` over the channel dimension `-3` of a `[..., C, H, W]`
/// float tensor (torchvision: `transforms.Normalize(mean, std)`).
///
/// ```swift
/// let norm = Normalize(mean: [0.1307], std: [0.3081])   // MNIST's statistics
/// ```
public struct Normalize: Transform {
    /// Per-channel means.
    public let mean: [Double]
    /// Per-channel standard deviations, all non-zero.
    public let std: [Double]
    /// `mean` and `std` as float32 `[C, 1, 1]` tensors, made once for the common case.
    private let mean32: Tensor, std32: Tensor

    /// A normalization with these per-channel statistics (equal lengths, one per channel).
    public init(mean: [Double], std: [Double], file: StaticString = #fileID, line: UInt = #line) {
        check(!mean.isEmpty && mean.count == std.count, "Normalize",
                  "mean and std must have the same non-zero length, got \(mean.count) and \(std.count)", file: file, line: line)
        check(std.allSatisfy { $0 != 0 }, "Normalize", "std evaluated to zero, leading to division by zero (std = \(std))", file: file, line: line)
        self.mean = mean
        self.std = std
        mean32 = Tensor(mean, shape: [mean.count, 1, 1], dtype: .float32)
        std32 = Tensor(std, shape: [std.count, 1, 1], dtype: .float32)
    }

    /// The normalized tensor, same shape and dtype.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        check(x.dtype.isFloatingPoint, "Normalize", "expected a floating-point tensor, got \(x.dtype)", file: #fileID, line: #line)
        check(x.dim >= 3, "Normalize", "expected a tensor of shape [..., C, H, W], got \(x.shape)", file: #fileID, line: #line)
        let channels = x.shape[x.dim - 3]
        check(mean.count == channels || mean.count == 1, "Normalize",
                  "\(mean.count) means and stds for a tensor with \(channels) channels (shape \(x.shape))", file: #fileID, line: #line)
        if x.dtype == .float32 { return (x - mean32) / std32 }
        return (x - Tensor(mean, shape: [mean.count, 1, 1], dtype: x.dtype)) / Tensor(std, shape: [std.count, 1, 1], dtype: x.dtype)
    }
}

/// Flips an image left to right with probability `p` (torchvision:
/// `transforms.RandomHorizontalFlip(p)`); works on any `[..., H, W]` tensor.
public struct RandomHorizontalFlip: Transform {
    /// The probability of flipping.
    public let p: Double
    /// The generator to draw from, or nil for `TransformRandom.current`.
    public let generator: Generator?

    /// A flip with probability `p` (default 0.5).
    public init(p: Double = 0.5, generator: Generator? = nil, file: StaticString = #fileID, line: UInt = #line) {
        check(p >= 0 && p <= 1, "RandomHorizontalFlip", "p must be in [0, 1], got \(p)", file: file, line: line)
        self.p = p
        self.generator = generator
    }

    /// `x` flipped along its last dimension, or `x` itself.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        check(x.dim >= 2, "RandomHorizontalFlip", "expected a tensor of shape [..., H, W], got \(x.shape)", file: #fileID, line: #line)
        return TransformRandom.uniform(generator ?? TransformRandom.current) < p ? x.flip([-1]) : x
    }
}

/// Cuts a random `height × width` window out of an image, after optionally padding each
/// side with `padding` pixels of `fill` (torchvision: `transforms.RandomCrop(size, padding,
/// pad_if_needed, fill)` with `padding_mode="constant"`); works on any `[..., H, W]` tensor.
///
/// ```swift
/// let crop = RandomCrop(size: 32, padding: 4)   // CIFAR-10's augmentation
/// ```
public struct RandomCrop: Transform {
    /// The output height.
    public let height: Int
    /// The output width.
    public let width: Int
    /// Pixels added on each side before cropping.
    public let padding: Int
    /// Whether to pad images smaller than the crop up to its size.
    public let padIfNeeded: Bool
    /// The value of padded pixels.
    public let fill: Double
    /// The generator to draw from, or nil for `TransformRandom.current`.
    public let generator: Generator?

    /// A square crop of `size × size`.
    public init(size: Int, padding: Int = 0, padIfNeeded: Bool = false, fill: Double = 0, generator: Generator? = nil,
                file: StaticString = #fileID, line: UInt = #line) {
        self.init(height: size, width: size, padding: padding, padIfNeeded: padIfNeeded, fill: fill, generator: generator, file: file, line: line)
    }

    /// A crop of `height × width`.
    public init(height: Int, width: Int, padding: Int = 0, padIfNeeded: Bool = false, fill: Double = 0, generator: Generator? = nil,
                file: StaticString = #fileID, line: UInt = #line) {
        check(height > 0 && width > 0, "RandomCrop", "crop size must be positive, got \(height)×\(width)", file: file, line: line)
        check(padding >= 0, "RandomCrop", "padding must be non-negative, got \(padding)", file: file, line: line)
        self.height = height
        self.width = width
        self.padding = padding
        self.padIfNeeded = padIfNeeded
        self.fill = fill
        self.generator = generator
    }

    /// A random window of `x` (padded first), a view when no padding was needed.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        check(x.dim >= 2, "RandomCrop", "expected a tensor of shape [..., H, W], got \(x.shape)", file: #fileID, line: #line)
        var img = padding > 0 ? Self.pad(x, top: padding, bottom: padding, left: padding, right: padding, fill: fill) : x
        if padIfNeeded {
            let h = img.shape[img.dim - 2], w = img.shape[img.dim - 1]
            let dh = max(0, height - h), dw = max(0, width - w)
            if dh > 0 || dw > 0 { img = Self.pad(img, top: dh, bottom: dh, left: dw, right: dw, fill: fill) }
        }
        let h = img.shape[img.dim - 2], w = img.shape[img.dim - 1]
        check(h >= height && w >= width, "RandomCrop",
                  "required crop size \(height)×\(width) is larger than the input image size \(h)×\(w) (shape \(x.shape), padding \(padding))",
                  file: #fileID, line: #line)
        if h == height && w == width { return img }
        let g = generator ?? TransformRandom.current
        let top = TransformRandom.integer(below: h - height + 1, g)
        let left = TransformRandom.integer(below: w - width + 1, g)
        return img.narrow(-2, start: top, length: height).narrow(-1, start: left, length: width)
    }

    /// `x` with constant borders added to its last two dimensions.
    static func pad(_ x: Tensor, top: Int, bottom: Int, left: Int, right: Int, fill: Double) -> Tensor {
        var shape = x.shape
        let h = shape[shape.count - 2], w = shape[shape.count - 1]
        shape[shape.count - 2] = h + top + bottom
        shape[shape.count - 1] = w + left + right
        let out = Tensor.full(shape, fill, dtype: x.dtype)
        out.narrow(-2, start: top, length: h).narrow(-1, start: left, length: w).copy_(x)
        return out
    }
}
