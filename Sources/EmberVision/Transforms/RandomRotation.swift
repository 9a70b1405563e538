import Ember
import EmberData

/// An image rotated `angle` degrees counter-clockwise about its centre, same size, corners
/// filled with `fill` (torchvision: `transforms.functional.rotate(img, angle, interpolation,
/// fill=[fill])` on a tensor). Runs `RandomAffine.apply`; uint8 images are rotated in float and
/// rounded back.
///
/// ```swift
/// let turned = rotate(image, angle: 30)
/// ```
public func rotate(_ image: Tensor, angle: Double, interpolation: EmberData.InterpolationMode = .nearest, fill: Double = 0,
                   file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    ImageTensor.check(image, "rotate", minDims: 2, file: file, line: line)
    let y = RandomAffine.apply(ImageTensor.floating(image), angle: -angle, interpolation: interpolation, fill: fill, file: file, line: line)
    return ImageTensor.restore(y, image.dtype)
}

/// Rotates each image by an angle drawn uniformly from `degrees` (torchvision:
/// `transforms.RandomRotation(degrees, interpolation, fill=fill)`, without `expand` or `center`).
///
/// ```swift
/// let augment = RandomRotation(15)          // -15...15 degrees
/// ```
public struct RandomRotation: Transform {
    /// The range of angles, degrees counter-clockwise.
    public let degrees: ClosedRange<Double>
    /// How pixels are read.
    public let interpolation: EmberData.InterpolationMode
    /// The value of the corners that come from outside the image.
    public let fill: Double
    /// The generator to draw from, or nil for `TransformRandom.current`.
    public let generator: Generator?

    /// Angles uniform in `-degrees...degrees`.
    public init(_ degrees: Double, interpolation: EmberData.InterpolationMode = .nearest, fill: Double = 0, generator: Generator? = nil,
                file: StaticString = #fileID, line: UInt = #line) {
        check(degrees >= 0, "RandomRotation", "If degrees is a single number, it must be positive, got \(degrees)", file: file, line: line)
        self.init(range: -degrees...degrees, interpolation: interpolation, fill: fill, generator: generator)
    }

    /// Angles uniform in `range`.
    public init(range: ClosedRange<Double>, interpolation: EmberData.InterpolationMode = .nearest, fill: Double = 0, generator: Generator? = nil) {
        degrees = range
        self.interpolation = interpolation
        self.fill = fill
        self.generator = generator
    }

    /// The rotated image.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let g = generator ?? TransformRandom.current
        let angle = degrees.lowerBound + (degrees.upperBound - degrees.lowerBound) * uniform(g)
        return rotate(x, angle: angle, interpolation: interpolation, fill: fill)
    }
}
