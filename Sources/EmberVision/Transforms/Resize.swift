import Ember
import EmberData
import EmberNN

/// Resizes an image `[..., C, H, W]` (uint8 or float) to `size` = `[height, width]`, or with one
/// number, its shorter side to `size[0]` keeping the aspect ratio (the longer side at most
/// `maxSize`) (torchvision: `transforms.functional.resize(img, size, interpolation, max_size,
/// antialias)` on a tensor).
///
/// Bilinear and bicubic resampling run EmberNN's `interpolate` (with `antialias`, the filter
/// widens by the downscaling factor, as torchvision's tensor path and PIL do); nearest takes
/// `floor(i · in / out)`. uint8 images are resampled in float32, then rounded and clamped.
/// `antialias` defaults to true, torchvision's default from 0.17 on (0.14 defaulted to false
/// for tensors).
///
/// ```swift
/// let small = resize(image, size: [32, 32])          // [3, 32, 32]
/// let short = resize(image, size: [256])             // shorter side 256
/// ```
public func resize(_ image: Tensor, size: [Int], interpolation: EmberNN.InterpolationMode = .bilinear, maxSize: Int? = nil,
                   antialias: Bool = true, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    ImageTensor.check(image, "resize", minDims: 2, file: file, line: line)
    check(interpolation == .nearest || interpolation == .bilinear || interpolation == .bicubic, "resize",
          "interpolation must be .nearest, .bilinear or .bicubic, got .\(interpolation.rawValue)", file: file, line: line)
    check(size.count == 1 || size.count == 2, "resize", "size must hold 1 or 2 numbers, got \(size)", file: file, line: line)
    check(size.allSatisfy { $0 > 0 }, "resize", "size must be positive, got \(size)", file: file, line: line)
    check(maxSize == nil || size.count == 1, "resize", "maxSize applies only when size is one number, got size \(size)", file: file, line: line)
    let (h, w) = ImageTensor.size(image)
    let (outH, outW) = resizedSize(h: h, w: w, size: size, maxSize: maxSize, file: file, line: line)
    if outH == h && outW == w { return image }
    let planes = image.reshape([1, -1, h, w])
    let y = interpolate(ImageTensor.floating(planes), size: [outH, outW], mode: interpolation,
                        antialias: antialias && interpolation != .nearest, file: file, line: line)
    return ImageTensor.restore(y, image.dtype).reshape(Array(image.shape.dropLast(2)) + [outH, outW])
}

/// The output size of `resize` (torchvision: `_compute_resized_output_size`).
func resizedSize(h: Int, w: Int, size: [Int], maxSize: Int?, file: StaticString, line: UInt) -> (Int, Int) {
    if size.count == 2 { return (size[0], size[1]) }
    let (short, long) = w <= h ? (w, h) : (h, w)
    var newShort = size[0], newLong = Int(Double(size[0]) * Double(long) / Double(short))
    if let maxSize {
        check(maxSize > size[0], "resize", "maxSize = \(maxSize) must be strictly greater than the requested size for the smaller edge (\(size[0]))", file: file, line: line)
        if newLong > maxSize {
            newShort = Int(Double(maxSize) * Double(newShort) / Double(newLong))
            newLong = maxSize
        }
    }
    return w <= h ? (newLong, newShort) : (newShort, newLong)
}

/// Resizes each image (torchvision: `transforms.Resize(size, interpolation, max_size, antialias)`).
///
/// ```swift
/// let t = Compose([Resize(64), CenterCrop(56), ConvertImageDtype(.float32)])
/// ```
public struct Resize: Transform {
    /// `[height, width]`, or one number for the shorter side.
    public let size: [Int]
    /// How pixels are resampled.
    public let interpolation: EmberNN.InterpolationMode
    /// The longest the longer side may be when `size` is one number.
    public let maxSize: Int?
    /// Whether downscaling filters over every input pixel (bilinear and bicubic).
    public let antialias: Bool

    /// The shorter side to `size` (the aspect ratio kept).
    public init(_ size: Int, interpolation: EmberNN.InterpolationMode = .bilinear, maxSize: Int? = nil, antialias: Bool = true) {
        self.size = [size]
        self.interpolation = interpolation
        self.maxSize = maxSize
        self.antialias = antialias
    }

    /// Exactly `height × width`.
    public init(height: Int, width: Int, interpolation: EmberNN.InterpolationMode = .bilinear, antialias: Bool = true) {
        size = [height, width]
        self.interpolation = interpolation
        maxSize = nil
        self.antialias = antialias
    }

    /// The resized image.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        resize(x, size: size, interpolation: interpolation, maxSize: maxSize, antialias: antialias)
    }
}
