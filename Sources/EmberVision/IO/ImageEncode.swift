import CEmberImage
import Ember
import EmberData
#if canImport(Glibc)
import Glibc
#endif

/// The bytes of a PNG file holding a uint8 `[C, H, W]` image, C from 1 to 4 (gray, gray +
/// alpha, RGB, RGBA); `compressionLevel` is zlib's, 0 to 9 (torchvision:
/// `torchvision.io.encode_png(input, compression_level)`).
///
/// ```swift
/// let bytes = encodePNG(image)   // image: [3, 32, 32] uint8
/// ```
public func encodePNG(_ image: Tensor, compressionLevel: Int = 6, file: StaticString = #fileID, line: UInt = #line) -> [UInt8] {
    check(image.dtype == .uint8, "encodePNG", "expects a uint8 image, got \(image.dtype) (ConvertImageDtype(.uint8) converts a float image)", file: file, line: line)
    check(image.dim == 3 && (1...4).contains(image.shape[0]), "encodePNG",
          "expects an image of shape [C, H, W] with 1 to 4 channels, got \(image.shape)", file: file, line: line)
    check(image.shape[1] > 0 && image.shape[2] > 0 && image.shape[1] <= Int(Int32.max) && image.shape[2] <= Int(Int32.max), "encodePNG",
          "a PNG needs a height and width from 1 to 2^31-1, got \(image.shape)", file: file, line: line)
    check((0...9).contains(compressionLevel), "encodePNG", "compressionLevel must be in 0...9, got \(compressionLevel)", file: file, line: line)
    let hwc = image.permute([1, 2, 0]).contiguous()
    var out: UnsafeMutablePointer<UInt8>?
    var size = 0
    var message = [CChar](repeating: 0, count: 200)
    let status = ember_png_write(hwc.pointer(UInt8.self), UInt32(image.shape[2]), UInt32(image.shape[1]), Int32(image.shape[0]),
                                 Int32(compressionLevel), &out, &size, &message, message.count)
    let text = String(decoding: message.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    check(status == EMBER_IMAGE_OK, "encodePNG", "libpng failed: \(text)", file: file, line: line)
    defer { ember_image_free(out) }
    return Array(UnsafeBufferPointer(start: out, count: size))
}

/// Writes a uint8 `[C, H, W]` image as a PNG file, atomically (a temporary file renamed over
/// `path`) (torchvision: `torchvision.io.write_png(input, filename, compression_level)`).
/// Throws `DataError.ioError` naming the file when it cannot be written.
///
/// ```swift
/// try writePNG(image, to: "out/sample.png")
/// ```
public func writePNG(_ image: Tensor, to path: String, compressionLevel: Int = 6,
                     file: StaticString = #fileID, line: UInt = #line) throws(DataError) {
    try writeFileAtomically(encodePNG(image, compressionLevel: compressionLevel, file: file, line: line), to: path)
}

/// Writes `bytes` to `path` atomically (Ember's one atomic writer: a temporary file in the
/// same folder, flushed and renamed over it), so a reader never sees half a file.
func writeFileAtomically(_ bytes: [UInt8], to path: String) throws(DataError) {
    if let problem = writeFileAtomicallyReportingProblem(bytes, to: path) { throw .ioError(path: path, detail: problem) }
}
