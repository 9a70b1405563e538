import Ember

/// The channels `readImage` and `decodeImage` return (torchvision: `torchvision.io.ImageReadMode`).
///
/// ```swift
/// let rgb = try readImage("cat.png", mode: .rgb)   // [3, H, W] uint8, whatever the file holds
/// ```
public enum ImageReadMode: String, Sendable, CaseIterable {
    /// The file's own channels: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA (torchvision: `UNCHANGED`).
    case unchanged
    /// One luma channel, `L = (19595·R + 38470·G + 7471·B + 2¹⁵) >> 16` as PIL's `convert("L")` (torchvision: `GRAY`).
    case gray
    /// Luma and alpha (opaque 255 when the file has none) (torchvision: `GRAY_ALPHA`).
    case grayAlpha
    /// Red, green, blue; gray is repeated and alpha dropped (torchvision: `RGB`).
    case rgb
    /// RGB and alpha (torchvision: `RGB_ALPHA`).
    case rgbAlpha

    /// The channel count of this mode, or nil for `.unchanged`.
    public var channels: Int? {
        switch self {
        case .unchanged: nil
        case .gray: 1
        case .grayAlpha: 2
        case .rgb: 3
        case .rgbAlpha: 4
        }
    }
}

/// An image file format Ember decodes, recognized by its first bytes, never by the file name
/// (torchvision: what `decode_image` dispatches on).
public enum ImageFormat: String, Sendable, CaseIterable {
    /// PNG: 1, 2, 4, 8 or 16 bits, gray, gray + alpha, RGB, RGBA or palette, interlaced or not.
    case png
    /// JPEG: baseline or progressive, grayscale, YCbCr or CMYK.
    case jpeg

    /// The format whose signature `bytes` start with, or nil.
    public static func sniff<C: Collection<UInt8>>(_ bytes: C) -> ImageFormat? {
        let head = Array(bytes.prefix(8))
        if head == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
        if head.count >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF { return .jpeg }
        return nil
    }

    /// Whether a file name ends in this format's usual extensions (`.png`; `.jpg`, `.jpeg`, `.jpe`),
    /// any case: what `ImageFolder` lists.
    public static func fromExtension(_ name: String) -> ImageFormat? {
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
        switch name[name.index(after: dot)...].lowercased() {
        case "png": return .png
        case "jpg", "jpeg", "jpe": return .jpeg
        default: return nil
        }
    }
}

/// What an image file's header declares, read without decoding its pixels
/// (PIL: `Image.open(path).size`, `.mode`).
public struct ImageInfo: Sendable, Equatable {
    /// The file's format.
    public var format: ImageFormat
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// The channels `.unchanged` decoding gives (1 to 4).
    public var channels: Int
    /// Bits per sample in the file (1, 2, 4, 8 or 16 for PNG; 8 or 12 for JPEG).
    public var bitDepth: Int
    /// Interlaced (PNG) or progressive (JPEG).
    public var progressive: Bool

    /// Whether the image has colour (3 or 4 channels), as opposed to gray with or without alpha.
    public var isColor: Bool { channels >= 3 }
}

/// The most pixels `readImage` decodes unless told otherwise: PIL's decompression-bomb limit
/// (`2 × Image.MAX_IMAGE_PIXELS`). A file declaring more is refused before any pixel memory is
/// allocated.
public let defaultMaxImagePixels = 178_956_970
