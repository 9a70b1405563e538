import Ember
import EmberData

/// An image in another pixel dtype, values rescaled (torchvision:
/// `transforms.functional.convert_image_dtype(image, dtype)`): uint8 → float divides by 255;
/// float → uint8 multiplies by `256 - 0.001` and truncates, as torchvision does, so 1.0 maps to
/// 255 and every byte value gets an equal share of [0, 1]; float → float only casts.
///
/// ```swift
/// let x = convertImageDtype(try readImage("cat.png"), .float32)   // [C, H, W] in [0, 1]
/// ```
public func convertImageDtype(_ image: Tensor, _ dtype: DType, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(image.dtype == .uint8 || image.dtype.isFloatingPoint, "convertImageDtype",
          "expected uint8 or floating-point pixels, got \(image.dtype)", file: file, line: line)
    check(dtype == .uint8 || dtype.isFloatingPoint, "convertImageDtype",
          "can convert to uint8 or a floating-point dtype, not \(dtype)", file: file, line: line)
    if image.dtype == dtype { return image }
    if image.dtype == .uint8 { return image.to(dtype) / 255 }
    if dtype.isFloatingPoint { return image.to(dtype) }
    return (image * (255 + 1 - 1e-3)).to(.uint8)
}

/// Converts each image's pixel dtype (torchvision: `transforms.ConvertImageDtype(dtype)`).
///
/// ```swift
/// let t = Compose([ConvertImageDtype(.float32), Normalize(mean: [0.5], std: [0.5])])
/// ```
public struct ConvertImageDtype: Transform {
    /// The dtype images are converted to.
    public let dtype: DType
    /// A conversion to `dtype` (uint8 or floating point).
    public init(_ dtype: DType) { self.dtype = dtype }
    /// The converted image.
    public func callAsFunction(_ x: Tensor) -> Tensor { convertImageDtype(x, dtype) }
}
