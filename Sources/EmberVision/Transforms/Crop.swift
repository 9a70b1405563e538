import Ember
import EmberData
import EmberNN

/// The window `top..<top+height`, `left..<left+width` of an image `[..., H, W]`, padded with
/// zeros where it reaches outside (torchvision: `transforms.functional.crop(img, top, left, height, width)`).
///
/// ```swift
/// let patch = crop(image, top: 4, left: 4, height: 24, width: 24)
/// ```
public func crop(_ image: Tensor, top: Int, left: Int, height: Int, width: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    ImageTensor.check(image, "crop", minDims: 2, file: file, line: line)
    check(height > 0 && width > 0, "crop", "crop size must be positive, got \(height)×\(width)", file: file, line: line)
    let (h, w) = ImageTensor.size(image)
    if top >= 0 && left >= 0 && top + height <= h && left + width <= w {
        return image.narrow(-2, start: top, length: height).narrow(-1, start: left, length: width)
    }
    // Out of bounds: pad as torchvision does, then cut.
    let padded = pad(image, padding: [Swift.max(-left, 0), Swift.max(-top, 0), Swift.max(left + width - w, 0), Swift.max(top + height - h, 0)])
    return padded.narrow(-2, start: Swift.max(top, 0), length: height).narrow(-1, start: Swift.max(left, 0), length: width)
}

/// The central `height × width` window of an image, padded with zeros first when the image
/// is smaller (torchvision: `transforms.functional.center_crop(img, output_size)`).
///
/// ```swift
/// let middle = centerCrop(image, height: 224, width: 224)
/// ```
public func centerCrop(_ image: Tensor, height: Int, width: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    ImageTensor.check(image, "centerCrop", minDims: 2, file: file, line: line)
    check(height > 0 && width > 0, "centerCrop", "crop size must be positive, got \(height)×\(width)", file: file, line: line)
    var img = image
    var (h, w) = ImageTensor.size(img)
    if width > w || height > h {
        let l = width > w ? (width - w) / 2 : 0, t = height > h ? (height - h) / 2 : 0
        let r = width > w ? (width - w + 1) / 2 : 0, b = height > h ? (height - h + 1) / 2 : 0
        img = pad(img, padding: [l, t, r, b])
        (h, w) = ImageTensor.size(img)
        if h == height && w == width { return img }
    }
    let top = Int((Double(h - height) / 2).rounded(.toNearestOrEven))
    let left = Int((Double(w - width) / 2).rounded(.toNearestOrEven))
    return img.narrow(-2, start: top, length: height).narrow(-1, start: left, length: width)
}

/// Cuts the central window of each image (torchvision: `transforms.CenterCrop(size)`).
///
/// ```swift
/// let t = CenterCrop(24)
/// ```
public struct CenterCrop: Transform {
    /// Output height.
    public let height: Int
    /// Output width.
    public let width: Int
    /// A square `size × size` crop.
    public init(_ size: Int) { self.init(height: size, width: size) }
    /// A `height × width` crop.
    public init(height: Int, width: Int, file: StaticString = #fileID, line: UInt = #line) {
        check(height > 0 && width > 0, "CenterCrop", "crop size must be positive, got \(height)×\(width)", file: file, line: line)
        self.height = height
        self.width = width
    }
    /// The central window.
    public func callAsFunction(_ x: Tensor) -> Tensor { centerCrop(x, height: height, width: width) }
}

/// `crop` then `resize` to `size` (torchvision: `transforms.functional.resized_crop`).
///
/// ```swift
/// let zoom = resizedCrop(image, top: 10, left: 10, height: 100, width: 100, size: [64, 64])
/// ```
public func resizedCrop(_ image: Tensor, top: Int, left: Int, height: Int, width: Int, size: [Int],
                        interpolation: EmberNN.InterpolationMode = .bilinear, antialias: Bool = true,
                        file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    resize(crop(image, top: top, left: left, height: height, width: width, file: file, line: line),
           size: size, interpolation: interpolation, antialias: antialias, file: file, line: line)
}

/// A random window covering a random share `scale` of the image with a random aspect ratio
/// `ratio` (log-uniform), resized to `height × width` (torchvision:
/// `transforms.RandomResizedCrop(size, scale, ratio, interpolation, antialias)`). Parameters are
/// drawn as torchvision's `get_params`: up to 10 tries, then the central crop of the nearest
/// allowed ratio.
///
/// ```swift
/// let augment = RandomResizedCrop(28, scale: 0.5...1)
/// ```
public struct RandomResizedCrop: Transform {
    /// Output height.
    public let height: Int
    /// Output width.
    public let width: Int
    /// The range of the window's area as a share of the image's.
    public let scale: ClosedRange<Double>
    /// The range of the window's width / height.
    public let ratio: ClosedRange<Double>
    /// How pixels are resampled.
    public let interpolation: EmberNN.InterpolationMode
    /// Whether downscaling is antialiased.
    public let antialias: Bool
    /// The generator to draw from, or nil for `TransformRandom.current`.
    public let generator: Generator?

    /// A crop resized to `size × size`.
    public init(_ size: Int, scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3),
                interpolation: EmberNN.InterpolationMode = .bilinear, antialias: Bool = true, generator: Generator? = nil,
                file: StaticString = #fileID, line: UInt = #line) {
        self.init(height: size, width: size, scale: scale, ratio: ratio, interpolation: interpolation, antialias: antialias,
                  generator: generator, file: file, line: line)
    }

    /// A crop resized to `height × width`.
    public init(height: Int, width: Int, scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3),
                interpolation: EmberNN.InterpolationMode = .bilinear, antialias: Bool = true, generator: Generator? = nil,
                file: StaticString = #fileID, line: UInt = #line) {
        check(height > 0 && width > 0, "RandomResizedCrop", "size must be positive, got \(height)×\(width)", file: file, line: line)
        check(scale.lowerBound > 0 && ratio.lowerBound > 0, "RandomResizedCrop",
              "scale and ratio must be positive, got \(scale) and \(ratio)", file: file, line: line)
        self.height = height
        self.width = width
        self.scale = scale
        self.ratio = ratio
        self.interpolation = interpolation
        self.antialias = antialias
        self.generator = generator
    }

    /// The window `(top, left, height, width)` for an image of `h × w` (torchvision: `get_params`).
    public func parameters(h: Int, w: Int, generator g: Generator) -> (top: Int, left: Int, height: Int, width: Int) {
        let area = Double(h * w)
        let logLo = _log(ratio.lowerBound), logHi = _log(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * uniform(g))
            let aspect = _exp(logLo + (logHi - logLo) * uniform(g))
            let cw = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let ch = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            if cw > 0 && cw <= w && ch > 0 && ch <= h {
                let top = integer(below: h - ch + 1, g), left = integer(below: w - cw + 1, g)
                return (top, left, ch, cw)
            }
        }
        let inRatio = Double(w) / Double(h)
        var cw = w, ch = h
        if inRatio < ratio.lowerBound {
            ch = Int((Double(w) / ratio.lowerBound).rounded(.toNearestOrEven))
        } else if inRatio > ratio.upperBound {
            cw = Int((Double(h) * ratio.upperBound).rounded(.toNearestOrEven))
        }
        return ((h - ch) / 2, (w - cw) / 2, ch, cw)
    }

    /// A random window of `x`, resized.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        ImageTensor.check(x, "RandomResizedCrop", minDims: 2, file: #fileID, line: #line)
        let (h, w) = ImageTensor.size(x)
        let p = parameters(h: h, w: w, generator: generator ?? TransformRandom.current)
        return resizedCrop(x, top: p.top, left: p.left, height: p.height, width: p.width, size: [height, width],
                           interpolation: interpolation, antialias: antialias)
    }
}

/// A uniform double in [0, 1) from `g`.
func uniform(_ g: Generator) -> Double { Tensor.rand([1], dtype: .float64, generator: g).item() }

/// A uniform integer in `0..<bound` from `g`.
func integer(below bound: Int, _ g: Generator) -> Int {
    Int(Tensor.randint(0, bound, [1], generator: g).item(as: Int64.self))
}

#if canImport(Glibc)
import Glibc
func _log(_ x: Double) -> Double { Glibc.log(x) }
func _exp(_ x: Double) -> Double { Glibc.exp(x) }
#elseif canImport(Darwin)
import Darwin
func _log(_ x: Double) -> Double { Darwin.log(x) }
func _exp(_ x: Double) -> Double { Darwin.exp(x) }
#endif
