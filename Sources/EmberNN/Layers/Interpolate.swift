/// Resizing the spatial dims of `[N, C, *]` inputs: nearest, (bi/tri)linear and bicubic
/// interpolation with PyTorch's coordinate conventions, one spatial dim at a time (each mode
/// is separable): every output position is a fixed weighted sum of a few gathered input
/// positions (`indexSelect`), so the gradient scatters back through the same weights.

/// How `interpolate` computes a value between input positions (PyTorch: `mode`).
public enum InterpolationMode: String, Sendable {
    /// The input position at `floor(dst · scale)` (PyTorch: `"nearest"`), any 1 to 3 spatial dims.
    case nearest
    /// Linear in one spatial dim, `[N, C, L]` (PyTorch: `"linear"`).
    case linear
    /// Linear in each of two spatial dims, `[N, C, H, W]` (PyTorch: `"bilinear"`).
    case bilinear
    /// Cubic convolution (a = -0.75) in each of two spatial dims, `[N, C, H, W]` (PyTorch: `"bicubic"`).
    case bicubic
    /// Linear in each of three spatial dims, `[N, C, D, H, W]` (PyTorch: `"trilinear"`).
    case trilinear

    /// The number of spatial dims the mode takes, or nil for any of 1 to 3.
    var spatialDims: Int? {
        switch self {
        case .nearest: nil
        case .linear: 1
        case .bilinear, .bicubic: 2
        case .trilinear: 3
        }
    }
}

/// Resizes the spatial dims of `[N, C, *]` to `size`, or by `scaleFactor` (one factor, or one
/// per spatial dim; the output size is `floor(in · factor)` and the coordinates map by
/// `1 / factor`, as PyTorch without `recompute_scale_factor`) (PyTorch: `F.interpolate`).
/// `alignCorners` maps the corner pixels' centres onto each other (linear and cubic modes).
/// `antialias` (bilinear and bicubic) widens the filter by the downscaling factor, so every
/// input pixel counts, as PyTorch's `antialias=True` and PIL do (bicubic then uses a = -0.5).
///
/// ```swift
/// let up = interpolate(images, scaleFactor: [2], mode: .bilinear)           // [N, C, 2H, 2W]
/// let fit = interpolate(images, size: [224, 224], mode: .bicubic, alignCorners: true)
/// ```
public func interpolate(_ x: Tensor, size: [Int]? = nil, scaleFactor: [Double]? = nil, mode: InterpolationMode = .nearest,
                        alignCorners: Bool = false, antialias: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let op: StaticString = "interpolate"
    check(!antialias || ((mode == .bilinear || mode == .bicubic) && !alignCorners), op,
          "antialias applies to the bilinear and bicubic modes without alignCorners, got mode .\(mode.rawValue), alignCorners \(alignCorners)", file: file, line: line)
    let spatial = x.dim - 2
    check(spatial >= 1 && spatial <= 3, op, "expects a 3-d, 4-d or 5-d input [N, C, *], got shape \(x.shape)", file: file, line: line)
    if let needed = mode.spatialDims {
        check(spatial == needed, op, "mode .\(mode.rawValue) needs a \(needed + 2)-d input, got shape \(x.shape)", file: file, line: line)
    }
    check(!(alignCorners && mode == .nearest), op, "alignCorners only applies to the linear and cubic modes, not .nearest", file: file, line: line)
    check(x.dtype.isFloatingPoint, op, "expects a floating point input, got \(x.dtype)", file: file, line: line)
    check((size == nil) != (scaleFactor == nil), op, "give exactly one of size and scaleFactor", file: file, line: line)
    let inSizes = Array(x.shape.suffix(spatial))
    var outSizes: [Int], factors: [Double?]
    if let size {
        check(size.count == spatial || size.count == 1, op, "size \(size) must give one size or one per spatial dim (\(spatial))", file: file, line: line)
        outSizes = size.count == 1 ? Array(repeating: size[0], count: spatial) : size
        factors = Array(repeating: nil, count: spatial)
    } else {
        let given = scaleFactor!
        check(given.count == spatial || given.count == 1, op, "scaleFactor \(given) must give one factor or one per spatial dim (\(spatial))", file: file, line: line)
        let all = given.count == 1 ? Array(repeating: given[0], count: spatial) : given
        check(all.allSatisfy { $0 > 0 }, op, "scale factors must be positive, got \(given)", file: file, line: line)
        factors = all
        outSizes = zip(inSizes, all).map { Int((Double($0) * $1).rounded(.down)) }
    }
    check(outSizes.allSatisfy { $0 > 0 } && inSizes.allSatisfy { $0 > 0 }, op, "input \(x.shape) and output sizes \(outSizes) must be positive", file: file, line: line)
    var y = x
    for k in 0..<spatial {
        let taps = antialias
            ? antialiasTaps(cubic: mode == .bicubic, inSize: inSizes[k], outSize: outSizes[k], factor: factors[k])
            : interpolationTaps(mode, inSize: inSizes[k], outSize: outSizes[k], factor: factors[k], alignCorners: alignCorners)
        y = gatherWeighted(y, dim: 2 + k, taps)
    }
    return y
}

/// One dim's interpolation: for each tap, the input position of every output position and
/// (except for nearest) its weight.
private struct Taps {
    var indices: [[Int]]
    var weights: [[Double]]?
}

/// `Σ_tap x[index_tap] · weight_tap` along `dim`.
private func gatherWeighted(_ x: Tensor, dim: Int, _ taps: Taps) -> Tensor {
    var shape = [Int](repeating: 1, count: x.dim)
    shape[dim] = taps.indices[0].count
    var total: Tensor?
    for (k, index) in taps.indices.enumerated() {
        var term = x.indexSelect(dim, Tensor(index))
        if let weights = taps.weights { term = term * Tensor(weights[k], shape: shape, dtype: x.dtype) }
        total = total.map { $0 + term } ?? term
    }
    return total!
}

/// PyTorch's `area_pixel_compute_scale`: the step in input coordinates per output position.
private func coordinateScale(inSize: Int, outSize: Int, factor: Double?, alignCorners: Bool) -> Double {
    if alignCorners { return outSize > 1 ? Double(inSize - 1) / Double(outSize - 1) : 0 }
    if let factor { return 1 / factor }
    return Double(inSize) / Double(outSize)
}

/// The antialiased taps of one dim (PyTorch's `_compute_indices_weights_aa`): output position
/// `i` averages the inputs within `support` of `center = scale · (i + 0.5)` under the triangle
/// (bilinear) or a = -0.5 cubic filter stretched by the downscaling factor, weights normalized
/// to sum to 1. Positions with fewer taps than the widest are padded with zero weights.
private func antialiasTaps(cubic: Bool, inSize: Int, outSize: Int, factor: Double?) -> Taps {
    let scale = coordinateScale(inSize: inSize, outSize: outSize, factor: factor, alignCorners: false)
    let halfWidth = cubic ? 2.0 : 1.0
    let support = scale >= 1 ? halfWidth * scale : halfWidth
    let invScale = scale >= 1 ? 1 / scale : 1
    func filter(_ x: Double) -> Double {
        let t = Swift.abs(x)
        if !cubic { return t < 1 ? 1 - t : 0 }
        let a = -0.5
        if t < 1 { return ((a + 2) * t - (a + 3)) * t * t + 1 }
        if t < 2 { return (((t - 5) * t + 8) * t - 4) * a }
        return 0
    }
    var rows: [[(Int, Double)]] = []
    for i in 0..<outSize {
        let center = scale * (Double(i) + 0.5)
        let lo = Swift.max(Int(center - support + 0.5), 0)
        let hi = Swift.min(Int(center + support + 0.5), inSize)
        var taps = (lo..<Swift.max(hi, lo)).map { j in (j, filter((Double(j) - center + 0.5) * invScale)) }
        let total = taps.reduce(0) { $0 + $1.1 }
        if total != 0 { taps = taps.map { ($0.0, $0.1 / total) } }
        rows.append(taps)
    }
    let width = Swift.max(rows.map(\.count).max() ?? 1, 1)
    var indices = [[Int]](repeating: [], count: width), weights = [[Double]](repeating: [], count: width)
    for taps in rows {
        for k in 0..<width {
            indices[k].append(k < taps.count ? taps[k].0 : 0)
            weights[k].append(k < taps.count ? taps[k].1 : 0)
        }
    }
    return Taps(indices: indices, weights: weights)
}

/// The taps of `mode` for one dim, with PyTorch's source coordinates
/// (`area_pixel_compute_source_index`; linear clamps negative coordinates to 0, cubic does not).
private func interpolationTaps(_ mode: InterpolationMode, inSize: Int, outSize: Int, factor: Double?, alignCorners: Bool) -> Taps {
    let scale = coordinateScale(inSize: inSize, outSize: outSize, factor: factor, alignCorners: alignCorners)
    switch mode {
    case .nearest:
        // PyTorch computes the nearest index in float32: floorf(dst · scale), scale a float.
        let s = factor.map { Float(1 / $0) } ?? Float(inSize) / Float(outSize)
        return Taps(indices: [(0..<outSize).map { Swift.min(Int((Float($0) * s).rounded(.down)), inSize - 1) }], weights: nil)
    case .linear, .bilinear, .trilinear:
        var i0 = [Int](), i1 = [Int](), w0 = [Double](), w1 = [Double]()
        for dst in 0..<outSize {
            let src = alignCorners ? scale * Double(dst) : Swift.max(scale * (Double(dst) + 0.5) - 0.5, 0)
            let lo = Swift.min(Int(src.rounded(.down)), inSize - 1)
            let lambda = Swift.min(src - Double(lo), 1)
            i0.append(lo)
            i1.append(lo < inSize - 1 ? lo + 1 : lo)
            w0.append(1 - lambda)
            w1.append(lambda)
        }
        return Taps(indices: [i0, i1], weights: [w0, w1])
    case .bicubic:
        let a = -0.75
        func near(_ t: Double) -> Double { ((a + 2) * t - (a + 3)) * t * t + 1 }
        func far(_ t: Double) -> Double { ((a * t - 5 * a) * t + 8 * a) * t - 4 * a }
        var indices = [[Int]](repeating: [], count: 4), weights = [[Double]](repeating: [], count: 4)
        for dst in 0..<outSize {
            let src = alignCorners ? scale * Double(dst) : scale * (Double(dst) + 0.5) - 0.5
            let base = Int(src.rounded(.down)), t = src - Double(base)
            let coefficients = [far(t + 1), near(t), near(1 - t), far(2 - t)]
            for k in 0..<4 {
                indices[k].append(Swift.min(Swift.max(base - 1 + k, 0), inSize - 1))
                weights[k].append(coefficients[k])
            }
        }
        return Taps(indices: indices, weights: weights)
    }
}

/// Resizes images, volumes or sequences (PyTorch: `nn.Upsample(size=None, scale_factor=None, mode='nearest', align_corners=None)`).
///
/// ```swift
/// let up = Upsample(scaleFactor: [2], mode: .bilinear, alignCorners: false)
/// ```
open class Upsample: Module, @unchecked Sendable {
    /// The output size of the spatial dims, or nil when `scaleFactor` is given.
    public let size: [Int]?
    /// The factor per spatial dim (or one for all), or nil when `size` is given.
    public let scaleFactor: [Double]?
    /// How values between input positions are computed.
    public let mode: InterpolationMode
    /// Whether corner pixels' centres map onto each other (linear and cubic modes).
    public let alignCorners: Bool
    /// An upsampling layer; give exactly one of `size` and `scaleFactor`.
    public init(size: [Int]? = nil, scaleFactor: [Double]? = nil, mode: InterpolationMode = .nearest, alignCorners: Bool = false,
                file: StaticString = #fileID, line: UInt = #line) {
        check((size == nil) != (scaleFactor == nil), "Upsample", "give exactly one of size and scaleFactor", file: file, line: line)
        (self.size, self.scaleFactor, self.mode, self.alignCorners) = (size, scaleFactor, mode, alignCorners)
        super.init()
    }
    /// `interpolate(x, size:, scaleFactor:, mode:, alignCorners:)`.
    open override func forward(_ x: Tensor) -> Tensor {
        interpolate(x, size: size, scaleFactor: scaleFactor, mode: mode, alignCorners: alignCorners)
    }
    /// `scale_factor=2.0, mode=nearest`.
    open override var extraDescription: String {
        func tuple(_ parts: [String]) -> String { parts.count == 1 ? parts[0] : "(" + parts.joined(separator: ", ") + ")" }
        let what = size.map { "size=" + tuple($0.map(String.init)) } ?? "scale_factor=" + tuple(scaleFactor!.map(pyFloat))
        return "\(what), mode=\(mode.rawValue)"
    }
}
