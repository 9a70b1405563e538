import Ember
import EmberData

/// How `pad` fills the new border (torchvision: `padding_mode`).
public enum ImagePaddingMode: String, Sendable, CaseIterable {
    /// `fill` everywhere (torchvision: `"constant"`).
    case constant
    /// The last row or column repeated (torchvision: `"edge"`).
    case edge
    /// Mirrored without repeating the edge: `3 2 1 | 1 2 3` → `2 | 1 2 3 | 2` (torchvision: `"reflect"`).
    case reflect
    /// Mirrored, repeating the edge: `1 | 1 2 3 | 3` (torchvision: `"symmetric"`).
    case symmetric
}

/// Pads the last two dims of an image `[..., H, W]`: `padding` is one number (every side), two
/// (left/right, top/bottom) or four (left, top, right, bottom), as torchvision orders them
/// (torchvision: `transforms.functional.pad(img, padding, fill, padding_mode)`).
///
/// ```swift
/// let framed = pad(image, padding: [4], fill: 0)
/// let mirrored = pad(image, padding: [2, 3, 2, 3], mode: .reflect)
/// ```
public func pad(_ image: Tensor, padding: [Int], fill: Double = 0, mode: ImagePaddingMode = .constant,
                file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    ImageTensor.check(image, "pad", minDims: 2, file: file, line: line)
    check([1, 2, 4].contains(padding.count), "pad", "padding must hold 1, 2 or 4 numbers, got \(padding)", file: file, line: line)
    check(padding.allSatisfy { $0 >= 0 }, "pad", "padding must be non-negative, got \(padding)", file: file, line: line)
    let p = padding.count == 1 ? Array(repeating: padding[0], count: 4) : padding.count == 2 ? padding + padding : padding
    let (left, top, right, bottom) = (p[0], p[1], p[2], p[3])
    let (h, w) = ImageTensor.size(image)
    if mode == .reflect {
        check(top < h && bottom < h && left < w && right < w, "pad",
              "reflect padding \(padding) must be smaller than the image (\(h)×\(w)) on each side", file: file, line: line)
    }
    if mode == .symmetric {
        check(top <= h && bottom <= h && left <= w && right <= w, "pad",
              "symmetric padding \(padding) must be at most the image size (\(h)×\(w)) on each side", file: file, line: line)
    }
    if mode == .constant {
        var shape = image.shape
        shape[shape.count - 2] = h + top + bottom
        shape[shape.count - 1] = w + left + right
        let out = Tensor.full(shape, fill, dtype: image.dtype)
        out.narrow(-2, start: top, length: h).narrow(-1, start: left, length: w).copy_(image)
        return out
    }
    func source(_ i: Int, _ n: Int) -> Int {
        switch mode {
        case .edge: return Swift.min(Swift.max(i, 0), n - 1)
        case .reflect: return i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i
        default: return i < 0 ? -i - 1 : i >= n ? 2 * n - 1 - i : i
        }
    }
    let rows = Tensor((-top..<(h + bottom)).map { source($0, h) })
    let cols = Tensor((-left..<(w + right)).map { source($0, w) })
    return image.indexSelect(image.dim - 2, rows).indexSelect(image.dim - 1, cols)
}

/// Pads each image (torchvision: `transforms.Pad(padding, fill, padding_mode)`).
///
/// ```swift
/// let t = Pad([4], mode: .reflect)
/// ```
public struct Pad: Transform {
    /// 1, 2 or 4 numbers, as `pad` takes them.
    public let padding: [Int]
    /// The value of constant padding.
    public let fill: Double
    /// How the border is filled.
    public let mode: ImagePaddingMode

    /// A padding of `padding` pixels.
    public init(_ padding: [Int], fill: Double = 0, mode: ImagePaddingMode = .constant, file: StaticString = #fileID, line: UInt = #line) {
        check([1, 2, 4].contains(padding.count) && padding.allSatisfy { $0 >= 0 }, "Pad",
              "padding must be 1, 2 or 4 non-negative numbers, got \(padding)", file: file, line: line)
        self.padding = padding
        self.fill = fill
        self.mode = mode
    }

    /// The padded image.
    public func callAsFunction(_ x: Tensor) -> Tensor { pad(x, padding: padding, fill: fill, mode: mode) }
}
