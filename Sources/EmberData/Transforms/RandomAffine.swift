/// How an image transform reads pixels between grid points (torchvision:
/// `transforms.InterpolationMode`).
public enum InterpolationMode: Sendable {
    /// The closest pixel, ties to even (torchvision: `InterpolationMode.NEAREST`).
    case nearest
    /// The distance-weighted mean of the four surrounding pixels (torchvision:
    /// `InterpolationMode.BILINEAR`).
    case bilinear
}

/// A random rotation, translation, scaling and shear about the image centre (torchvision:
/// `transforms.RandomAffine(degrees, translate, scale, shear, interpolation, fill)`); works
/// on any floating-point `[..., H, W]` tensor, each `[H, W]` plane moved alike.
///
/// Each call draws, in torchvision's order: an angle uniform in `degrees`; when
/// `translate = (a, b)` is set, whole-pixel shifts `round(U(-a·W, a·W))` and
/// `round(U(-b·H, b·H))`; a scale uniform in `scale` when set; shear angles uniform in
/// `shearX` (and `shearY`) when set. Then `RandomAffine.apply` maps each output pixel back
/// into the input (inverse mapping about the centre, as `torchvision.transforms.functional.affine`
/// does for tensors); pixels that land outside are `fill`.
///
/// ```swift
/// let augment = RandomAffine(degrees: 15, translate: (0.1, 0.1), scale: (0.9, 1.1))
/// ```
public struct RandomAffine: Transform {
    /// The range of rotation angles, in degrees, clockwise (as torchvision's `affine`).
    public let degrees: ClosedRange<Double>
    /// The largest shifts as fractions of the width and height, or nil for none.
    public let translate: (x: Double, y: Double)?
    /// The range of scale factors, or nil for 1.
    public let scale: ClosedRange<Double>?
    /// The range of shear angles along x, in degrees, or nil for none.
    public let shearX: ClosedRange<Double>?
    /// The range of shear angles along y, in degrees, or nil for none.
    public let shearY: ClosedRange<Double>?
    /// How pixels are read.
    public let interpolation: InterpolationMode
    /// The value of pixels that come from outside the image.
    public let fill: Double
    /// The generator to draw from, or nil for `TransformRandom.current`.
    public let generator: Generator?

    /// Rotations uniform in `-degrees...degrees` (torchvision: `RandomAffine(degrees)` with a number).
    public init(degrees: Double, translate: (x: Double, y: Double)? = nil, scale: ClosedRange<Double>? = nil,
                shear: Double? = nil, interpolation: InterpolationMode = .nearest, fill: Double = 0, generator: Generator? = nil,
                file: StaticString = #fileID, line: UInt = #line) {
        check(degrees >= 0, "RandomAffine", "If degrees is a single number, it must be positive, got \(degrees)", file: file, line: line)
        check(shear.map { $0 >= 0 } ?? true, "RandomAffine", "If shear is a single number, it must be positive, got \(shear!)", file: file, line: line)
        self.init(degreesRange: -degrees...degrees, translate: translate, scale: scale, shearX: shear.map { -$0...$0 }, shearY: nil,
                  interpolation: interpolation, fill: fill, generator: generator, file: file, line: line)
    }

    /// Rotations uniform in `degreesRange`, shears uniform in `shearX` and `shearY`
    /// (torchvision: `RandomAffine(degrees=(lo, hi), shear=(x0, x1, y0, y1))`).
    public init(degreesRange: ClosedRange<Double>, translate: (x: Double, y: Double)? = nil, scale: ClosedRange<Double>? = nil,
                shearX: ClosedRange<Double>? = nil, shearY: ClosedRange<Double>? = nil,
                interpolation: InterpolationMode = .nearest, fill: Double = 0, generator: Generator? = nil,
                file: StaticString = #fileID, line: UInt = #line) {
        if let t = translate {
            check((0...1).contains(t.x) && (0...1).contains(t.y), "RandomAffine",
                      "translation values should be between 0 and 1, got \(t)", file: file, line: line)
        }
        if let s = scale {
            check(s.lowerBound > 0, "RandomAffine", "scale values should be positive, got \(s)", file: file, line: line)
        }
        self.degrees = degreesRange
        self.translate = translate
        self.scale = scale
        self.shearX = shearX
        self.shearY = shearY
        self.interpolation = interpolation
        self.fill = fill
        self.generator = generator
    }

    /// The parameters of one call for an image of `width × height`, drawn in torchvision's
    /// order (`RandomAffine.get_params`).
    func parameters(width: Int, height: Int, _ g: Generator) -> (angle: Double, translate: (Double, Double), scale: Double, shear: (Double, Double)) {
        func uniform(_ r: ClosedRange<Double>) -> Double { r.lowerBound + (r.upperBound - r.lowerBound) * TransformRandom.uniform(g) }
        let angle = uniform(degrees)
        var shift = (0.0, 0.0)
        if let t = translate {
            let dx = t.x * Double(width), dy = t.y * Double(height)
            shift.0 = uniform(-dx...dx).rounded(.toNearestOrEven)
            shift.1 = uniform(-dy...dy).rounded(.toNearestOrEven)
        }
        let s = scale.map(uniform) ?? 1
        var shear = (0.0, 0.0)
        if let shearX {
            shear.0 = uniform(shearX)
            if let shearY { shear.1 = uniform(shearY) }
        }
        return (angle, shift, s, shear)
    }

    /// `x` rotated, moved, scaled and sheared by freshly drawn parameters.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        check(x.dim >= 2, "RandomAffine", "expected a tensor of shape [..., H, W], got \(x.shape)", file: #fileID, line: #line)
        let p = parameters(width: x.shape[x.dim - 1], height: x.shape[x.dim - 2], generator ?? TransformRandom.current)
        return Self.apply(x, angle: p.angle, translate: p.translate, scale: p.scale, shear: p.shear, interpolation: interpolation, fill: fill)
    }

    /// `x` transformed by one affine map about the image centre (torchvision:
    /// `transforms.functional.affine(img, angle, translate, scale, shear, interpolation, fill)`
    /// on a tensor): output pixel `(i, j)` reads the input at
    /// `M⁻¹ · (j - cx - tx, i - cy - ty) + (cx, cy)`, where `(cx, cy) = ((W-1)/2, (H-1)/2)` and
    /// `M` rotates by `angle` degrees clockwise, shears by `shear` degrees and scales by `scale`.
    /// Reads outside the image give `fill`; with bilinear reads, edge pixels mix with `fill`
    /// by how much of them lies outside, as torchvision does.
    ///
    /// ```swift
    /// let turned = RandomAffine.apply(image, angle: 90)   // [C, H, W], a quarter turn clockwise
    /// ```
    public static func apply(_ x: Tensor, angle: Double, translate: (Double, Double) = (0, 0), scale: Double = 1, shear: (Double, Double) = (0, 0),
                             interpolation: InterpolationMode = .nearest, fill: Double = 0,
                             file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(x.dim >= 2, "affine", "expected a tensor of shape [..., H, W], got \(x.shape)", file: file, line: line)
        check(x.dtype.isFloatingPoint, "affine", "expected a floating-point image, got \(x.dtype) (convert it with ToTensor first)", file: file, line: line)
        check(scale > 0, "affine", "scale should be positive, got \(scale)", file: file, line: line)
        let m = inverseMatrix(angle: angle, translate: translate, scale: scale, shear: shear)
        let h = x.shape[x.dim - 2], w = x.shape[x.dim - 1]
        let src = x.to(.float64).contiguous()
        let out = Tensor(empty: x.shape, dtype: .float64)
        let planes = h * w == 0 ? 0 : x.numel / (h * w)
        let cx = Double(w - 1) / 2, cy = Double(h - 1) / 2
        // Where each output pixel reads, in input pixel coordinates (grid_sample, align_corners=false).
        var sx = [Double](repeating: 0, count: h * w), sy = sx
        for i in 0..<h {
            for j in 0..<w {
                let xb = Double(j) - cx, yb = Double(i) - cy
                sx[i * w + j] = m[0] * xb + m[1] * yb + m[2] + cx
                sy[i * w + j] = m[3] * xb + m[4] * yb + m[5] + cy
            }
        }
        let input = src.storage.data.assumingMemoryBound(to: Double.self) + src.offset
        let output = out.storage.data.assumingMemoryBound(to: Double.self)
        for p in 0..<planes {
            let a = input + p * h * w, o = output + p * h * w
            for k in 0..<(h * w) {
                o[k] = sample(a, w: w, h: h, x: sx[k], y: sy[k], interpolation, fill: fill)
            }
        }
        return out.to(x.dtype)
    }

    /// The plane `a` read at `(x, y)` with zero padding, then blended with `fill` by the
    /// share of the read that fell outside (torchvision's mask channel of ones).
    @inline(__always)
    private static func sample(_ a: UnsafePointer<Double>, w: Int, h: Int, x: Double, y: Double, _ mode: InterpolationMode, fill: Double) -> Double {
        switch mode {
        case .nearest:
            let ix = x.rounded(.toNearestOrEven), iy = y.rounded(.toNearestOrEven)
            guard ix >= 0, iy >= 0, ix <= Double(w - 1), iy <= Double(h - 1) else { return fill }
            return a[Int(iy) * w + Int(ix)]
        case .bilinear:
            let x0 = x.rounded(.down), y0 = y.rounded(.down)
            let fx = x - x0, fy = y - y0
            let j0 = Int(x0), i0 = Int(y0)
            var value = 0.0, covered = 0.0
            @inline(__always) func add(_ i: Int, _ j: Int, _ weight: Double) {
                if i < 0 || i >= h || j < 0 || j >= w { return }
                value += a[i * w + j] * weight
                covered += weight
            }
            add(i0, j0, (1 - fy) * (1 - fx))
            add(i0, j0 + 1, (1 - fy) * fx)
            add(i0 + 1, j0, fy * (1 - fx))
            add(i0 + 1, j0 + 1, fy * fx)
            return value * covered + (1 - covered) * fill
        }
    }

    /// The 2×3 matrix taking centred output coordinates to centred input coordinates
    /// (torchvision: `_get_inverse_affine_matrix` with centre 0, as its tensor path uses):
    /// the inverse of translate ∘ rotate-scale-shear.
    static func inverseMatrix(angle: Double, translate: (Double, Double), scale: Double, shear: (Double, Double)) -> [Double] {
        let rot = angle * .pi / 180, sx = shear.0 * .pi / 180, sy = shear.1 * .pi / 180
        let (tx, ty) = translate
        // Rotation with shear, without scale: [[a, b], [c, d]], determinant 1.
        let a = _cos(rot - sy) / _cos(sy)
        let b = -_cos(rot - sy) * _tan(sx) / _cos(sy) - _sin(rot)
        let c = _sin(rot - sy) / _cos(sy)
        let d = -_sin(rot - sy) * _tan(sx) / _cos(sy) + _cos(rot)
        var m = [d, -b, 0, -c, a, 0].map { $0 / scale }
        m[2] += m[0] * -tx + m[1] * -ty
        m[5] += m[3] * -tx + m[4] * -ty
        return m
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) private func _tan(_ x: Double) -> Double { Glibc.tan(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Darwin.sin(x) }
@inline(__always) private func _tan(_ x: Double) -> Double { Darwin.tan(x) }
#endif
