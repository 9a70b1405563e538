import Ember
import EmberData

/// The luma of an RGB image `[..., 3, H, W]`, `0.2989 R + 0.587 G + 0.114 B` computed in
/// float32 and truncated back for uint8, in 1 or 3 (equal) channels (torchvision:
/// `transforms.functional.rgb_to_grayscale(img, num_output_channels)`). A 1-channel image is
/// returned as it is (or repeated to 3).
///
/// ```swift
/// let gray = rgbToGrayscale(image)   // [1, H, W]
/// ```
public func rgbToGrayscale(_ image: Tensor, outputChannels: Int = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    ImageTensor.check(image, "rgbToGrayscale", file: file, line: line)
    check(outputChannels == 1 || outputChannels == 3, "rgbToGrayscale", "outputChannels must be 1 or 3, got \(outputChannels)", file: file, line: line)
    let c = image.shape[image.dim - 3]
    check(c == 1 || c == 3, "rgbToGrayscale", "expected 1 or 3 channels, got \(c) (shape \(image.shape))", file: file, line: line)
    var l = image
    if c == 3 {
        let x = ImageTensor.floating(image)
        let r = x.narrow(-3, start: 0, length: 1), g = x.narrow(-3, start: 1, length: 1), b = x.narrow(-3, start: 2, length: 1)
        l = (r * 0.2989 + g * 0.587 + b * 0.114).to(image.dtype)
    }
    if outputChannels == 3 {
        var shape = l.shape
        shape[shape.count - 3] = 3
        l = l.expand(shape).contiguous()
    }
    return l
}

/// Converts each image to gray (torchvision: `transforms.Grayscale(num_output_channels)`).
///
/// ```swift
/// let t = Grayscale(outputChannels: 3)   // gray, kept 3 channels for an RGB model
/// ```
public struct Grayscale: Transform {
    /// 1 or 3.
    public let outputChannels: Int
    /// A conversion to `outputChannels` equal channels.
    public init(outputChannels: Int = 1, file: StaticString = #fileID, line: UInt = #line) {
        check(outputChannels == 1 || outputChannels == 3, "Grayscale", "outputChannels must be 1 or 3, got \(outputChannels)", file: file, line: line)
        self.outputChannels = outputChannels
    }
    /// The gray image.
    public func callAsFunction(_ x: Tensor) -> Tensor { rgbToGrayscale(x, outputChannels: outputChannels) }
}

/// `ratio · a + (1 - ratio) · b`, clamped to the dtype's range and cast back (torchvision: `_blend`).
func blend(_ a: Tensor, _ b: Tensor, _ ratio: Double) -> Tensor {
    let x = ImageTensor.floating(a), y = ImageTensor.floating(b)
    return (x * ratio + y * (1 - ratio)).clamp(min: 0, max: ImageTensor.maxValue(a.dtype)).to(a.dtype)
}

/// Brightness scaled by `factor` (0 black, 1 unchanged) (torchvision: `adjust_brightness`).
///
/// ```swift
/// let brighter = adjustBrightness(image, 1.2)
/// ```
public func adjustBrightness(_ image: Tensor, _ factor: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    ImageTensor.check(image, "adjustBrightness", file: file, line: line)
    check(factor >= 0, "adjustBrightness", "brightness factor must be non-negative, got \(factor)", file: file, line: line)
    return blend(image, Tensor.zerosLike(image), factor)
}

/// Contrast scaled by `factor` about the mean luma (0 flat gray, 1 unchanged) (torchvision: `adjust_contrast`).
///
/// ```swift
/// let flatter = adjustContrast(image, 0.5)
/// ```
public func adjustContrast(_ image: Tensor, _ factor: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    ImageTensor.check(image, "adjustContrast", file: file, line: line)
    check(factor >= 0, "adjustContrast", "contrast factor must be non-negative, got \(factor)", file: file, line: line)
    let gray = rgbToGrayscale(image)
    let dtype: DType = image.dtype.isFloatingPoint ? image.dtype : .float32
    let mean = gray.to(dtype).mean(dims: [-3, -2, -1], keepDim: true)
    return blend(image, mean, factor)
}

/// Saturation scaled by `factor` (0 gray, 1 unchanged) (torchvision: `adjust_saturation`).
///
/// ```swift
/// let vivid = adjustSaturation(image, 1.5)
/// ```
public func adjustSaturation(_ image: Tensor, _ factor: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    ImageTensor.check(image, "adjustSaturation", file: file, line: line)
    check(factor >= 0, "adjustSaturation", "saturation factor must be non-negative, got \(factor)", file: file, line: line)
    return blend(image, rgbToGrayscale(image), factor)
}

/// Hue rotated by `factor` turns of the colour wheel, in -0.5...0.5, through HSV (torchvision:
/// `adjust_hue`; uint8 images are converted to float, then back by truncation as torchvision does).
///
/// ```swift
/// let shifted = adjustHue(image, 0.1)
/// ```
public func adjustHue(_ image: Tensor, _ factor: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    ImageTensor.check(image, "adjustHue", file: file, line: line)
    check(factor >= -0.5 && factor <= 0.5, "adjustHue", "hue factor must be in [-0.5, 0.5], got \(factor)", file: file, line: line)
    let c = image.shape[image.dim - 3]
    if c == 1 { return image }
    check(c == 3, "adjustHue", "expected 1 or 3 channels, got \(c) (shape \(image.shape))", file: file, line: line)
    let x = (image.dtype == .uint8 ? image.to(.float32) / 255 : image.to(.float32)).contiguous()
    let (h, w) = ImageTensor.size(x)
    let plane = h * w, planes = x.numel / (3 * plane)
    var v = x.toArray(as: Float.self)
    let shift = Float(factor)
    for p in 0..<planes {
        let base = p * 3 * plane
        for k in 0..<plane {
            let (r, g, b) = (v[base + k], v[base + plane + k], v[base + 2 * plane + k])
            var (hue, s, value) = HSV.fromRGB(r, g, b)
            hue = hue + shift
            hue = hue - (hue / 1).rounded(.down)   // Python's % 1.0
            let rgb = HSV.toRGB(hue, s, value)
            v[base + k] = rgb.0; v[base + plane + k] = rgb.1; v[base + 2 * plane + k] = rgb.2
        }
    }
    let out = Tensor(v, shape: x.shape, dtype: .float32)
    return image.dtype == .uint8 ? (out * 255).to(.uint8) : out.to(image.dtype)
}

/// torchvision's `_rgb2hsv` and `_hsv2rgb`, per pixel in float32.
enum HSV {
    static func fromRGB(_ r: Float, _ g: Float, _ b: Float) -> (Float, Float, Float) {
        let maxc = Swift.max(r, g, b), minc = Swift.min(r, g, b)
        let eq = maxc == minc
        let cr = maxc - minc
        let s = cr / (eq ? 1 : maxc)
        let d = eq ? 1 : cr
        let rc = (maxc - r) / d, gc = (maxc - g) / d, bc = (maxc - b) / d
        let hr: Float = maxc == r ? bc - gc : 0
        let hg: Float = maxc == g && maxc != r ? 2 + rc - bc : 0
        let hb: Float = maxc != g && maxc != r ? 4 + gc - rc : 0
        let h = ((hr + hg + hb) / 6 + 1).truncatingRemainder(dividingBy: 1)
        return (h, s, maxc)
    }

    static func toRGB(_ h: Float, _ s: Float, _ v: Float) -> (Float, Float, Float) {
        let i6 = (h * 6).rounded(.down)
        let f = h * 6 - i6
        let i = ((Int(i6) % 6) + 6) % 6
        let p = Swift.min(Swift.max(v * (1 - s), 0), 1)
        let q = Swift.min(Swift.max(v * (1 - s * f), 0), 1)
        let t = Swift.min(Swift.max(v * (1 - s * (1 - f)), 0), 1)
        switch i {
        case 0: return (v, t, p)
        case 1: return (q, v, p)
        case 2: return (p, v, t)
        case 3: return (p, q, v)
        case 4: return (t, p, v)
        default: return (v, p, q)
        }
    }
}

/// Random changes of brightness, contrast, saturation and hue, applied in a random order
/// (torchvision: `transforms.ColorJitter(brightness, contrast, saturation, hue)`). A number `b`
/// for brightness, contrast or saturation draws the factor from `max(0, 1 - b)...1 + b`; `hue`
/// draws from `-hue...hue` (at most 0.5).
///
/// ```swift
/// let jitter = ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1)
/// ```
public struct ColorJitter: Transform {
    /// Brightness factors, or nil.
    public let brightness: ClosedRange<Double>?
    /// Contrast factors, or nil.
    public let contrast: ClosedRange<Double>?
    /// Saturation factors, or nil.
    public let saturation: ClosedRange<Double>?
    /// Hue shifts, or nil.
    public let hue: ClosedRange<Double>?
    /// The generator to draw from, or nil for `TransformRandom.current`.
    public let generator: Generator?

    /// Jitter by up to these amounts (0 leaves that property alone).
    public init(brightness: Double = 0, contrast: Double = 0, saturation: Double = 0, hue: Double = 0, generator: Generator? = nil,
                file: StaticString = #fileID, line: UInt = #line) {
        check(brightness >= 0 && contrast >= 0 && saturation >= 0, "ColorJitter",
              "brightness, contrast and saturation must be non-negative, got \(brightness), \(contrast), \(saturation)", file: file, line: line)
        check(hue >= 0 && hue <= 0.5, "ColorJitter", "hue must be in [0, 0.5], got \(hue)", file: file, line: line)
        func range(_ v: Double) -> ClosedRange<Double>? { v == 0 ? nil : Swift.max(0, 1 - v)...(1 + v) }
        self.brightness = range(brightness)
        self.contrast = range(contrast)
        self.saturation = range(saturation)
        self.hue = hue == 0 ? nil : -hue...hue
        self.generator = generator
    }

    /// The jittered image.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let g = generator ?? TransformRandom.current
        let order = Tensor.randperm(4, generator: g).toArray(as: Int64.self)
        func draw(_ r: ClosedRange<Double>?) -> Double? { r.map { $0.lowerBound + ($0.upperBound - $0.lowerBound) * uniform(g) } }
        let b = draw(brightness), c = draw(contrast), s = draw(saturation), h = draw(hue)
        var y = x
        for k in order {
            switch k {
            case 0: if let b { y = adjustBrightness(y, b) }
            case 1: if let c { y = adjustContrast(y, c) }
            case 2: if let s { y = adjustSaturation(y, s) }
            default: if let h { y = adjustHue(y, h) }
            }
        }
        return y
    }
}
