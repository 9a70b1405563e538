/// With probability `p`, overwrites a random rectangle of a `[..., C, H, W]` float image
/// (torchvision: `transforms.RandomErasing(p, scale, ratio, value)`; Zhong et al., "Random
/// Erasing Data Augmentation"). Use it after `ToTensor`/`Normalize`.
///
/// Each call draws, in torchvision's order: whether to erase (`U < p`); then up to 10 tries
/// of an area `U(scale) × H × W` and an aspect ratio `exp(U(log ratio))`, giving
/// `h = round(√(area·ratio))`, `w = round(√(area/ratio))`; the first try with `h < H` and
/// `w < W` is erased at a uniform position (with `.random`, per-pixel normal values drawn
/// before the position). When no try fits, the image is returned unchanged.
///
/// ```swift
/// let augment = Compose([Normalize(mean: [0.2860], std: [0.3530]), RandomErasing(p: 0.5)])
/// ```
public struct RandomErasing: Transform {
    /// What erased pixels become.
    public enum Value: Sendable, Equatable {
        /// One value for every channel, or one per channel (torchvision: `value=0` or a tuple).
        case constant([Double])
        /// Standard normal noise, drawn per pixel (torchvision: `value="random"`).
        case random
    }

    /// The probability of erasing.
    public let p: Double
    /// The range of the erased area, as a fraction of the image's.
    public let scale: ClosedRange<Double>
    /// The range of the erased rectangle's aspect ratio (height / width).
    public let ratio: ClosedRange<Double>
    /// What erased pixels become.
    public let value: Value
    /// The generator to draw from, or nil for `TransformRandom.current`.
    public let generator: Generator?

    /// An erasing with torchvision's defaults: `p` 0.5, area 2-33% of the image, aspect
    /// ratio 0.3-3.3, value 0.
    public init(p: Double = 0.5, scale: ClosedRange<Double> = 0.02...0.33, ratio: ClosedRange<Double> = 0.3...3.3,
                value: Value = .constant([0]), generator: Generator? = nil,
                file: StaticString = #fileID, line: UInt = #line) {
        check(p >= 0 && p <= 1, "RandomErasing", "Random erasing probability should be between 0 and 1, got \(p)", file: file, line: line)
        check(scale.lowerBound >= 0 && scale.upperBound <= 1, "RandomErasing", "Scale should be between 0 and 1, got \(scale)", file: file, line: line)
        check(ratio.lowerBound > 0, "RandomErasing", "ratio should be positive, got \(ratio)", file: file, line: line)
        if case .constant(let v) = value {
            check(!v.isEmpty, "RandomErasing", "value should be one number or one per channel, got []", file: file, line: line)
        }
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
        self.generator = generator
    }

    /// The rectangle to erase in an `height × width` image, `(top, left, height, width)`,
    /// and the random fill when `value` is `.random`; nil when no try fits
    /// (torchvision: `RandomErasing.get_params`).
    func rectangle(channels: Int, height: Int, width: Int, _ g: Generator) -> (i: Int, j: Int, h: Int, w: Int, noise: Tensor?)? {
        let area = Double(height * width)
        let logRatio = (_log(ratio.lowerBound), _log(ratio.upperBound))
        for _ in 0..<10 {
            let eraseArea = area * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * TransformRandom.uniform(g))
            let aspect = _exp(logRatio.0 + (logRatio.1 - logRatio.0) * TransformRandom.uniform(g))
            let h = Int((eraseArea * aspect).squareRoot().rounded(.toNearestOrEven))
            let w = Int((eraseArea / aspect).squareRoot().rounded(.toNearestOrEven))
            if !(h < height && w < width) { continue }
            let noise = value == .random ? Tensor.randn([channels, h, w], generator: g) : nil
            let i = TransformRandom.integer(below: height - h + 1, g)
            let j = TransformRandom.integer(below: width - w + 1, g)
            return (i, j, h, w, noise)
        }
        return nil
    }

    /// `x` with a random rectangle erased (a new tensor), or `x` itself.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        check(x.dim >= 3, "RandomErasing", "expected a tensor of shape [..., C, H, W], got \(x.shape)", file: #fileID, line: #line)
        check(x.dtype.isFloatingPoint, "RandomErasing", "expected a floating-point image, got \(x.dtype) (convert it with ToTensor first)", file: #fileID, line: #line)
        let c = x.shape[x.dim - 3], height = x.shape[x.dim - 2], width = x.shape[x.dim - 1]
        if case .constant(let v) = value {
            check(v.count == 1 || v.count == c, "RandomErasing",
                      "If value is a sequence, it should have either a single value or \(c) (number of input channels), got \(v.count)", file: #fileID, line: #line)
        }
        let g = generator ?? TransformRandom.current
        guard TransformRandom.uniform(g) < p else { return x }
        guard let r = rectangle(channels: c, height: height, width: width, g) else { return x }
        let fill: Tensor
        switch value {
        case .random: fill = r.noise!.to(x.dtype)
        case .constant(let v): fill = Tensor(v, shape: [v.count, 1, 1], dtype: x.dtype)
        }
        return Self.erase(x, top: r.i, left: r.j, height: r.h, width: r.w, value: fill)
    }

    /// A copy of `x` whose rows `top..<top+height` and columns `left..<left+width` are
    /// `value`, broadcast (torchvision: `transforms.functional.erase(img, i, j, h, w, v)`).
    ///
    /// ```swift
    /// let cut = RandomErasing.erase(image, top: 4, left: 4, height: 8, width: 8, value: Tensor(scalar: 0.0))
    /// ```
    public static func erase(_ x: Tensor, top: Int, left: Int, height: Int, width: Int, value: Tensor,
                             file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(x.dim >= 2, "erase", "expected a tensor of shape [..., H, W], got \(x.shape)", file: file, line: line)
        let h = x.shape[x.dim - 2], w = x.shape[x.dim - 1]
        check(top >= 0 && left >= 0 && height >= 0 && width >= 0 && top + height <= h && left + width <= w, "erase",
                  "rectangle rows \(top)..<\(top + height), columns \(left)..<\(left + width) is outside an image of \(h)×\(w)", file: file, line: line)
        let out = x.clone()
        if height > 0 && width > 0 {
            out.narrow(-2, start: top, length: height).narrow(-1, start: left, length: width).copy_(value, file: file, line: line)
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _exp(_ x: Double) -> Double { Glibc.exp(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _exp(_ x: Double) -> Double { Darwin.exp(x) }
#endif
