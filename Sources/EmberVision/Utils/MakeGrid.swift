import Ember
import EmberData

/// Images `[B, C, H, W]` (or one `[C, H, W]`, or `[H, W]`) tiled into one image `[3, H', W']`,
/// `nrow` per row with `padding` pixels of `padValue` between them (torchvision:
/// `torchvision.utils.make_grid(tensor, nrow, padding, normalize, value_range, scale_each, pad_value)`).
/// One-channel images are repeated to RGB. `normalize` shifts and scales the values into [0, 1]
/// by `valueRange` (or the tensor's min and max; per image with `scaleEach`).
///
/// ```swift
/// let grid = makeGrid(images, nrow: 8)   // [3, H', W'] float
/// ```
public func makeGrid(_ images: Tensor, nrow: Int = 8, padding: Int = 2, normalize: Bool = false,
                     valueRange: ClosedRange<Double>? = nil, scaleEach: Bool = false, padValue: Double = 0,
                     file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(images.dim >= 2 && images.dim <= 4, "makeGrid", "expected images [B, C, H, W], [C, H, W] or [H, W], got \(images.shape)", file: file, line: line)
    check(nrow > 0 && padding >= 0, "makeGrid", "nrow must be positive and padding non-negative, got \(nrow) and \(padding)", file: file, line: line)
    var t = images
    if t.dim == 2 { t = t.unsqueeze(0) }
    if t.dim == 3 {
        if t.shape[0] == 1 { t = Tensor.cat([t, t, t], dim: 0) }
        t = t.unsqueeze(0)
    }
    if t.shape[1] == 1 { t = Tensor.cat([t, t, t], dim: 1) }
    if normalize {
        check(t.dtype.isFloatingPoint, "makeGrid", "normalize needs floating-point images, got \(t.dtype)", file: file, line: line)
        func norm(_ x: Tensor) -> Tensor {
            let lo = valueRange?.lowerBound ?? x.min().item(), hi = valueRange?.upperBound ?? x.max().item()
            return (x.clamp(min: lo, max: hi) - lo) / Swift.max(hi - lo, 1e-5)
        }
        t = scaleEach ? Tensor.stack(t.unbind(0).map(norm), dim: 0) : norm(t)
    }
    if t.shape[0] == 1 { return t.squeeze(0) }
    let n = t.shape[0], columns = Swift.min(nrow, n), rows = (n + columns - 1) / columns
    let h = t.shape[2] + padding, w = t.shape[3] + padding
    let grid = Tensor.full([t.shape[1], h * rows + padding, w * columns + padding], padValue, dtype: t.dtype)
    for k in 0..<n {
        let y = k / columns, x = k % columns
        grid.narrow(1, start: y * h + padding, length: h - padding).narrow(2, start: x * w + padding, length: w - padding).copy_(t[k])
    }
    return grid
}

/// Writes images as one PNG file: float images through `makeGrid`, then
/// `(x · 255 + 0.5).clamp(0, 255)` to bytes; uint8 images are tiled as they are (torchvision:
/// `torchvision.utils.save_image(tensor, fp, nrow, padding, normalize, value_range, pad_value)`).
/// Throws `DataError.ioError` naming the file when it cannot be written.
///
/// ```swift
/// try saveImage(samples, to: "runs/samples.png", nrow: 8)
/// ```
public func saveImage(_ images: Tensor, to path: String, nrow: Int = 8, padding: Int = 2, normalize: Bool = false,
                      valueRange: ClosedRange<Double>? = nil, padValue: Double = 0,
                      file: StaticString = #fileID, line: UInt = #line) throws(DataError) {
    let grid = makeGrid(images, nrow: nrow, padding: padding, normalize: normalize, valueRange: valueRange,
                        padValue: images.dtype == .uint8 ? padValue * 255 : padValue, file: file, line: line)
    let bytes = grid.dtype == .uint8 ? grid : (grid * 255 + 0.5).clamp(min: 0, max: 255).to(.uint8)
    try writePNG(bytes, to: path, file: file, line: line)
}
