import CEmberImage
import Ember
import EmberData

/// Reads and decodes an image file into a uint8 `[C, H, W]` tensor (torchvision:
/// `torchvision.io.read_image(path, mode)`). PNG and JPEG are recognized by their first bytes.
///
/// A missing, truncated, corrupt or unsupported file, or one declaring more than `maxPixels`
/// pixels, throws `DataError` naming the file; nothing is allocated for the pixels before the
/// header has been checked.
///
/// ```swift
/// let image = try readImage("photos/cat.jpg")   // [3, H, W] uint8
/// let x = ConvertImageDtype(.float32)(image)     // [3, H, W] float32 in [0, 1]
/// ```
public func readImage(_ path: String, mode: ImageReadMode = .unchanged, maxPixels: Int = defaultMaxImagePixels) throws(DataError) -> Tensor {
    try decodeImage(FileBytes.read(path), path: path, mode: mode, maxPixels: maxPixels)
}

/// Decodes the bytes of a PNG or JPEG file into a uint8 `[C, H, W]` tensor (torchvision:
/// `torchvision.io.decode_image(data, mode)`); `path` names the source in errors.
///
/// ```swift
/// let image = try decodeImage(bytes, path: "upload.png", mode: .rgb)   // [3, H, W]
/// ```
public func decodeImage(_ bytes: [UInt8], path: String, mode: ImageReadMode = .unchanged,
                        maxPixels: Int = defaultMaxImagePixels) throws(DataError) -> Tensor {
    guard let format = ImageFormat.sniff(bytes) else { throw unknownFormat(bytes, path: path) }
    return try ImageCodec.decode(bytes, format: format, path: path, mode: mode, maxPixels: maxPixels)
}

/// Decodes a PNG file's bytes into a uint8 `[C, H, W]` tensor: 16-bit samples are rounded to 8
/// bits (`round(v · 255 / 65535)`), palettes expanded to RGB (RGBA when the file has a `tRNS`
/// chunk), 1, 2 and 4-bit gray scaled to 0...255 (torchvision: `torchvision.io.decode_png`).
///
/// ```swift
/// let image = try decodePNG(bytes, path: "mask.png")
/// ```
public func decodePNG(_ bytes: [UInt8], path: String, mode: ImageReadMode = .unchanged,
                      maxPixels: Int = defaultMaxImagePixels) throws(DataError) -> Tensor {
    try ImageCodec.decode(bytes, format: .png, path: path, mode: mode, maxPixels: maxPixels)
}

/// Decodes a JPEG file's bytes (baseline or progressive; grayscale gives 1 channel, colour 3)
/// into a uint8 `[C, H, W]` tensor (torchvision: `torchvision.io.decode_jpeg`).
///
/// ```swift
/// let image = try decodeJPEG(bytes, path: "photo.jpg")
/// ```
public func decodeJPEG(_ bytes: [UInt8], path: String, mode: ImageReadMode = .unchanged,
                       maxPixels: Int = defaultMaxImagePixels) throws(DataError) -> Tensor {
    try ImageCodec.decode(bytes, format: .jpeg, path: path, mode: mode, maxPixels: maxPixels)
}

/// The header of the image file at `path`: format, size and channels, without decoding the
/// pixels (PIL: `Image.open(path)` before `load()`). Throws `DataError` naming the file.
///
/// ```swift
/// let info = try readImageInfo("cat.png")   // info.width, info.height, info.channels
/// ```
public func readImageInfo(_ path: String) throws(DataError) -> ImageInfo {
    let bytes = try FileBytes.read(path)
    guard let format = ImageFormat.sniff(bytes) else { throw unknownFormat(bytes, path: path) }
    return try ImageCodec.info(bytes, format: format, path: path)
}

private func unknownFormat(_ bytes: [UInt8], path: String) -> DataError {
    if bytes.isEmpty { return .truncated(path: path, detail: "the file is empty") }
    let shown = bytes.prefix(4).map { FileBytes.hex($0) }.joined(separator: " ")
    return .badFormat(path: path, detail: "not a PNG or JPEG image (it starts with the bytes \(shown))")
}

/// The calls into CEmberImage (libpng, libjpeg-turbo) and the checks around them.
enum ImageCodec {
    /// Progressive JPEG scans allowed: real encoders write about 10; thousands only make a
    /// decoder spin.
    static let maxJPEGScans: Int32 = 1000

    static func info(_ bytes: [UInt8], format: ImageFormat, path: String) throws(DataError) -> ImageInfo {
        let raw = try call(bytes, format: format, out: nil, size: 0, path: path)
        return ImageInfo(format: format, width: Int(raw.width), height: Int(raw.height), channels: Int(raw.channels),
                         bitDepth: Int(raw.source_bits), progressive: raw.progressive != 0)
    }

    static func decode(_ bytes: [UInt8], format: ImageFormat, path: String, mode: ImageReadMode, maxPixels: Int) throws(DataError) -> Tensor {
        let header = try call(bytes, format: format, out: nil, size: 0, path: path)
        let name = format == .png ? "PNG" : "JPEG"
        let w = Int(header.width), h = Int(header.height), c = Int(header.channels)
        guard w > 0, h > 0 else { throw .badFormat(path: path, detail: "the \(name) header declares an empty image (\(w)×\(h))") }
        guard let size = CheckedSize(shape: [h, w, c], itemSize: 1), w.multipliedReportingOverflow(by: h).partialValue <= maxPixels,
              !w.multipliedReportingOverflow(by: h).overflow else {
            throw .badFormat(path: path, detail: "the \(name) header declares \(w)×\(h) pixels, more than the limit of \(maxPixels) (pass maxPixels: to read larger images)")
        }
        if format == .png { try checkPNGRatio(header, fileSize: bytes.count, path: path) }
        let pixels = Tensor(empty: [h, w, c], dtype: .uint8)
        _ = try call(bytes, format: format, out: pixels.pointer(UInt8.self), size: size.bytes, path: path)
        return ChannelConversion.toCHW(pixels, mode: mode)
    }

    /// A PNG's pixels are deflated, which shrinks data at most 1032 times: a file too small
    /// to hold the rows its header declares is truncated, and is refused before allocating.
    private static func checkPNGRatio(_ header: ember_image_info, fileSize: Int, path: String) throws(DataError) {
        let samples: Int
        switch header.source_kind {
        case 0, 3: samples = 1          // gray, palette
        case 4: samples = 2             // gray + alpha
        case 2: samples = 3             // RGB
        default: samples = 4            // RGBA
        }
        let rowBits = Double(header.width) * Double(samples) * Double(header.source_bits)
        let raw = Double(header.height) * ((rowBits / 8).rounded(.up) + 1)
        if raw > 1032 * Double(fileSize) + 65536 {
            throw .truncated(path: path, detail: "the PNG header declares \(header.width)×\(header.height) pixels, more than its \(fileSize) bytes can hold")
        }
    }

    private static func call(_ bytes: [UInt8], format: ImageFormat, out: UnsafeMutablePointer<UInt8>?, size: Int, path: String) throws(DataError) -> ember_image_info {
        var info = ember_image_info()
        let status = bytes.withUnsafeBufferPointer { b -> Int32 in
            switch format {
            case .png: return ember_png_read(b.baseAddress, b.count, out, size, &info)
            case .jpeg: return ember_jpeg_read(b.baseAddress, b.count, out, size, maxJPEGScans, &info)
            }
        }
        if status == EMBER_IMAGE_OK { return info }
        let message = withUnsafeBytes(of: info.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let name = format == .png ? "PNG" : "JPEG"
        switch Int(status) {
        case EMBER_IMAGE_TRUNCATED: throw .truncated(path: path, detail: "\(name): \(message)")
        case EMBER_IMAGE_UNSUPPORTED: throw .badFormat(path: path, detail: "unsupported \(name): \(message)")
        case EMBER_IMAGE_NO_MEMORY: throw .ioError(path: path, detail: "out of memory decoding the \(name): \(message)")
        default: throw .badFormat(path: path, detail: "corrupt \(name): \(message)")
        }
    }
}
