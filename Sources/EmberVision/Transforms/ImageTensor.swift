import Ember

/// Checks and conversions shared by the image transforms, which take `[..., C, H, W]` tensors
/// of uint8 or floating point pixels as torchvision's tensor transforms do.
enum ImageTensor {
    /// Traps unless `x` is an image tensor `[..., H, W]` (at least `minDims` dims).
    static func check(_ x: Tensor, _ op: StaticString, minDims: Int = 3, file: StaticString, line: UInt) {
        Ember.check(x.dim >= minDims, op, "expected an image tensor of shape [..., C, H, W], got \(x.shape)", file: file, line: line)
        Ember.check(x.dtype == .uint8 || x.dtype.isFloatingPoint, op,
                    "expected uint8 or floating-point pixels, got \(x.dtype)", file: file, line: line)
    }

    /// The largest pixel value of `dtype`: 255 for uint8, 1 for floating point (torchvision: `_max_value`).
    static func maxValue(_ dtype: DType) -> Double { dtype == .uint8 ? 255 : 1 }

    /// `x` as float32 (uint8) or itself (floating point), for ops that compute in floats.
    static func floating(_ x: Tensor) -> Tensor { x.dtype.isFloatingPoint ? x : x.to(.float32) }

    /// A float result back in `dtype`: rounded (half to even) and clamped to 0...255 for
    /// uint8, as torchvision's `_cast_squeeze_out` does.
    static func restore(_ y: Tensor, _ dtype: DType) -> Tensor {
        dtype.isFloatingPoint ? y.to(dtype) : y.round().clamp(min: 0, max: 255).to(dtype)
    }

    /// Height and width of an image tensor.
    static func size(_ x: Tensor) -> (h: Int, w: Int) { (x.shape[x.dim - 2], x.shape[x.dim - 1]) }
}
