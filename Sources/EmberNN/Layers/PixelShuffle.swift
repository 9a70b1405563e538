/// Rearranging channels into space and back (sub-pixel convolution), and shuffling channel
/// groups: views and one copy, no arithmetic.

/// `[*, C·r², H, W]` to `[*, C, H·r, W·r]` (PyTorch: `F.pixel_shuffle(x, upscale_factor)`).
///
/// ```swift
/// pixelShuffle(Tensor.randn([1, 8, 3, 3]), upscaleFactor: 2)   // [1, 2, 6, 6]
/// ```
public func pixelShuffle(_ x: Tensor, upscaleFactor r: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(r > 0, "pixelShuffle", "upscale_factor must be positive, got \(r)", file: file, line: line)
    check(x.dim >= 3, "pixelShuffle", "expects an input of at least 3 dims [*, C, H, W], got shape \(x.shape)", file: file, line: line)
    let lead = Array(x.shape.dropLast(3)), (c, h, w) = (x.shape[x.dim - 3], x.shape[x.dim - 2], x.shape[x.dim - 1])
    check(c % (r * r) == 0, "pixelShuffle", "the channel dim \(c) of shape \(x.shape) must be divisible by upscale_factor² (\(r * r))", file: file, line: line)
    let k = lead.count
    let split = x.reshape(lead + [c / (r * r), r, r, h, w])
    let moved = split.permute(Array(0..<k) + [k, k + 3, k + 1, k + 4, k + 2])
    return moved.reshape(lead + [c / (r * r), h * r, w * r])
}

/// `[*, C, H·r, W·r]` to `[*, C·r², H, W]`, the inverse of `pixelShuffle`
/// (PyTorch: `F.pixel_unshuffle(x, downscale_factor)`).
public func pixelUnshuffle(_ x: Tensor, downscaleFactor r: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(r > 0, "pixelUnshuffle", "downscale_factor must be positive, got \(r)", file: file, line: line)
    check(x.dim >= 3, "pixelUnshuffle", "expects an input of at least 3 dims [*, C, H, W], got shape \(x.shape)", file: file, line: line)
    let lead = Array(x.shape.dropLast(3)), (c, h, w) = (x.shape[x.dim - 3], x.shape[x.dim - 2], x.shape[x.dim - 1])
    check(h % r == 0 && w % r == 0, "pixelUnshuffle", "height \(h) and width \(w) of shape \(x.shape) must be divisible by downscale_factor \(r)", file: file, line: line)
    let k = lead.count
    let split = x.reshape(lead + [c, h / r, r, w / r, r])
    let moved = split.permute(Array(0..<k) + [k, k + 2, k + 4, k + 1, k + 3])
    return moved.reshape(lead + [c * r * r, h / r, w / r])
}

/// Interleaves the channels of `groups` groups: `[N, C, *]` viewed as `[N, g, C/g, *]`, the two
/// group dims swapped (PyTorch: `F.channel_shuffle(x, groups)`, ShuffleNet's shuffle).
public func channelShuffle(_ x: Tensor, groups: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(groups > 0, "channelShuffle", "groups must be positive, got \(groups)", file: file, line: line)
    check(x.dim >= 3, "channelShuffle", "expects an input of at least 3 dims [N, C, *], got shape \(x.shape)", file: file, line: line)
    let c = x.shape[1]
    check(c % groups == 0, "channelShuffle", "the number of channels \(c) must be divisible by groups \(groups)", file: file, line: line)
    let rest = Array(x.shape.dropFirst(2))
    return x.reshape([x.shape[0], groups, c / groups] + rest).transpose(1, 2).reshape(x.shape)
}

/// Channels to space (PyTorch: `nn.PixelShuffle(upscale_factor)`).
open class PixelShuffle: Module, @unchecked Sendable {
    /// The factor `r` that height and width grow by.
    public let upscaleFactor: Int
    /// A pixel shuffle layer.
    public init(_ upscaleFactor: Int) {
        self.upscaleFactor = upscaleFactor
        super.init()
    }
    /// `pixelShuffle(x, upscaleFactor:)`.
    open override func forward(_ x: Tensor) -> Tensor { pixelShuffle(x, upscaleFactor: upscaleFactor) }
    /// `upscale_factor=2`.
    open override var extraDescription: String { "upscale_factor=\(upscaleFactor)" }
}

/// Space to channels (PyTorch: `nn.PixelUnshuffle(downscale_factor)`).
open class PixelUnshuffle: Module, @unchecked Sendable {
    /// The factor `r` that height and width shrink by.
    public let downscaleFactor: Int
    /// A pixel unshuffle layer.
    public init(_ downscaleFactor: Int) {
        self.downscaleFactor = downscaleFactor
        super.init()
    }
    /// `pixelUnshuffle(x, downscaleFactor:)`.
    open override func forward(_ x: Tensor) -> Tensor { pixelUnshuffle(x, downscaleFactor: downscaleFactor) }
    /// `downscale_factor=2`.
    open override var extraDescription: String { "downscale_factor=\(downscaleFactor)" }
}

/// Shuffles channel groups (PyTorch: `nn.ChannelShuffle(groups)`).
open class ChannelShuffle: Module, @unchecked Sendable {
    /// The number of groups interleaved.
    public let groups: Int
    /// A channel shuffle layer.
    public init(_ groups: Int) {
        self.groups = groups
        super.init()
    }
    /// `channelShuffle(x, groups:)`.
    open override func forward(_ x: Tensor) -> Tensor { channelShuffle(x, groups: groups) }
    /// `groups=2`.
    open override var extraDescription: String { "groups=\(groups)" }
}
