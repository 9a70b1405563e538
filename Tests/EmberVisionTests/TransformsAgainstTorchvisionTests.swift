import Ember
import EmberData
import EmberNN
import EmberTestSupport
import EmberVision
import Testing

// Image transforms (and torchvision.utils.make_grid) against torchvision 0.14's tensor path, on a 3×14×18 image as uint8 and as
// float32 (Tests/Fixtures/vision_transforms.safetensors, scripts/make_vision_fixtures.py).
//
// Tolerances: crops, pads, nearest resizing, grayscale and dtype conversion are exact in both
// dtypes except that uint8 grayscale and the colour adjustments may differ by 1 where float32
// rounding lands on the other side of a truncation; bilinear and bicubic resizing and rotation
// are within 1e-5 in float32 and 1 step in uint8 (both round a float32 result).

private let resample = 1e-5

private func tagged(_ tag: String) -> [OpCase] {
    let u8 = tag == "u8"
    let near: Double = u8 ? 1 : resample
    let trunc: Double = u8 ? 1 : resample
    var cases: [OpCase] = []
    for (name, mode) in [("bilinear", EmberNN.InterpolationMode.bilinear), ("bicubic", .bicubic)] {
        for aa in [false, true] {
            let a = aa ? "aa" : "noaa"
            cases.append(OpCase("resize.\(name).\(a).down.\(tag)", atol: near) { resize($0[0], size: [7, 9], interpolation: mode, antialias: aa) })
            cases.append(OpCase("resize.\(name).\(a).up.\(tag)", atol: near) { resize($0[0], size: [23, 29], interpolation: mode, antialias: aa) })
        }
        cases.append(OpCase("resize.\(name).aa.mixed.\(tag)", atol: near) { resize($0[0], size: [5, 30], interpolation: mode) })
    }
    cases += [
        OpCase("resize.nearest.down.\(tag)") { resize($0[0], size: [7, 9], interpolation: .nearest) },
        OpCase("resize.nearest.up.\(tag)") { resize($0[0], size: [23, 29], interpolation: .nearest) },
        OpCase("resize.short.\(tag)", atol: near) { Resize(10)($0[0]) },
        OpCase("resize.short.maxsize.\(tag)", atol: near) { Resize(10, maxSize: 12)($0[0]) },
        OpCase("center_crop.\(tag)") { CenterCrop(height: 9, width: 12)($0[0]) },
        OpCase("center_crop.pad.\(tag)") { centerCrop($0[0], height: 17, width: 20) },
        OpCase("pad.constant.\(tag)") { pad($0[0], padding: [2, 3, 4, 1]) },
        OpCase("pad.edge.\(tag)") { pad($0[0], padding: [2, 3, 4, 1], mode: .edge) },
        OpCase("pad.reflect.\(tag)") { Pad([2, 3, 4, 1], mode: .reflect)($0[0]) },
        OpCase("pad.symmetric.\(tag)") { pad($0[0], padding: [2, 3, 4, 1], mode: .symmetric) },
        OpCase("pad.fill.\(tag)") { Pad([3], fill: 7)($0[0]) },
        OpCase("grayscale1.\(tag)", atol: trunc) { Grayscale()($0[0]) },
        OpCase("grayscale3.\(tag)", atol: trunc) { Grayscale(outputChannels: 3)($0[0]) },
        OpCase("resized_crop.\(tag)", atol: near) { resizedCrop($0[0], top: 2, left: 3, height: 10, width: 12, size: [8, 8]) },
        OpCase("rotate.nearest.\(tag)", atol: near) { rotate($0[0], angle: 30) },
        OpCase("brightness.\(tag)", atol: trunc) { adjustBrightness($0[0], 1.3) },
        OpCase("contrast.\(tag)", atol: trunc) { adjustContrast($0[0], 0.6) },
        OpCase("saturation.\(tag)", atol: trunc) { adjustSaturation($0[0], 1.7) },
        OpCase("hue.\(tag)", atol: u8 ? 1 : 1e-5) { adjustHue($0[0], 0.21) },
        OpCase("hue.neg.\(tag)", atol: u8 ? 1 : 1e-5) { adjustHue($0[0], -0.4) },
        u8 ? OpCase("rotate.nearest.fill.u8", atol: 1) { rotate($0[0], angle: 37, fill: 9) }
           : OpCase("rotate.bilinear.f32", atol: resample) { rotate($0[0], angle: -17, interpolation: .bilinear) },
    ]
    return cases
}

let visionTransformCases: [OpCase] = tagged("u8") + tagged("f32") + [
    OpCase("resize.bilinear.aa.down.gray", atol: resample) { resize($0[0], size: [5, 4]) },
    OpCase("convert.u8_to_f32") { ConvertImageDtype(.float32)($0[0]) },
    OpCase("convert.f32_to_u8") { convertImageDtype($0[0], .uint8) },
    OpCase("convert.f32_to_f64") { convertImageDtype($0[0], .float64) },
    OpCase("make_grid.rgb") { makeGrid($0[0], nrow: 3, padding: 2, padValue: 0.25) },
    OpCase("make_grid.gray_normalize_each") { makeGrid($0[0], nrow: 2, padding: 1, normalize: true, scaleEach: true) },
    OpCase("make_grid.value_range") { makeGrid($0[0], nrow: 4, normalize: true, valueRange: -1...1) },
    OpCase("to_tensor") { ToTensor()($0[0].permute([1, 2, 0]).contiguous()) },
]

@Suite struct TransformsAgainstTorchvision {
    @Test(arguments: visionTransformCases) func transform(_ c: OpCase) { checkAgainstFixture("vision_transforms", c) }

    @Test func tableCoversFixture() { checkFixtureCoverage("vision_transforms", visionTransformCases) }
}
