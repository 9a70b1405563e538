import Ember
@testable import EmberData
import EmberTestSupport
import Foundation
import Testing

@Suite struct RandomAffineTests {
    /// A `[1, n, n]` image whose pixel (i, j) is `10·i + j`.
    static func grid(_ n: Int, _ m: Int? = nil) -> Tensor {
        let w = m ?? n
        return Tensor((0..<(n * w)).map { Double(10 * ($0 / w) + $0 % w) }, shape: [1, n, w])
    }

    @Test func zeroDegreesNoTranslationIsTheIdentity() {
        let x = Tensor.rand([3, 9, 11], generator: Generator(seed: 1))
        for mode in [InterpolationMode.nearest, .bilinear] {
            #expect(identical(RandomAffine(degrees: 0, interpolation: mode)(x), x))
            #expect(identical(RandomAffine(degrees: 0, translate: (0, 0), scale: 1...1, interpolation: mode)(x), x))
        }
    }

    /// A 90° turn (clockwise, as torchvision's `affine`) of a square image: out[i][j] =
    /// in[n-1-j][i], which is the transpose of the image flipped top to bottom.
    @Test(arguments: [4, 5]) func quarterTurnIsFlipThenTranspose(n: Int) {
        let x = Self.grid(n)
        let expected = x.flip([-2]).transpose(-2, -1).contiguous()
        for mode in [InterpolationMode.nearest, .bilinear] {
            let out = RandomAffine.apply(x, angle: 90, interpolation: mode)
            #expect(out.shape == x.shape)
            let diff = (out - expected).abs().max().item()
            #expect(diff < 1e-9, "mode \(mode): max difference \(diff)")
        }
        // A random affine whose angle range is the single value 90 does the same.
        #expect(identical(RandomAffine(degreesRange: 90...90)(x), RandomAffine.apply(x, angle: 90)))
        // 180°: both axes reversed.
        #expect((RandomAffine.apply(x, angle: 180) - x.flip([-2, -1])).abs().max().item() < 1e-9)
    }

    /// Translating by whole pixels shifts the image: out[i][j] = in[i - ty][j - tx], `fill` elsewhere.
    @Test func wholePixelTranslationShifts() {
        let x = Self.grid(5, 6)
        let (tx, ty) = (2, -1)
        let out = RandomAffine.apply(x, angle: 0, translate: (Double(tx), Double(ty)), fill: -7).toArray(as: Double.self)
        let input = x.toArray(as: Double.self)
        for i in 0..<5 {
            for j in 0..<6 {
                let si = i - ty, sj = j - tx
                let expected = (0..<5).contains(si) && (0..<6).contains(sj) ? input[si * 6 + sj] : -7
                #expect(out[i * 6 + j] == expected, "pixel (\(i), \(j))")
            }
        }
    }

    /// Scaling by 2 about the centre of an odd-sized image: out(i, j) reads in at
    /// centre + (offset / 2), exactly on pixels when the offset is even.
    @Test func scaleAboutTheCentre() {
        let x = Self.grid(9)
        let out = RandomAffine.apply(x, angle: 0, scale: 2, interpolation: .bilinear).toArray(as: Double.self)
        let input = x.toArray(as: Double.self)
        for i in stride(from: 0, to: 9, by: 2) {
            for j in stride(from: 0, to: 9, by: 2) {
                let si = 4 + (i - 4) / 2, sj = 4 + (j - 4) / 2
                #expect(abs(out[i * 9 + j] - input[si * 9 + sj]) < 1e-9)
            }
        }
        // Between pixels, bilinear reads average their neighbours: (4 + 0.5, 4) → mean of rows 4 and 5.
        #expect(abs(out[5 * 9 + 4] - (input[4 * 9 + 4] + input[5 * 9 + 4]) / 2) < 1e-9)
    }

    @Test func randomDrawsAreReproducibleAndInRange() {
        let x = Tensor.rand([1, 28, 28], generator: Generator(seed: 3))
        let t = RandomAffine(degrees: 20, translate: (0.1, 0.2), scale: 0.8...1.2, shear: 10)
        let a = TransformRandom.with(Generator(seed: 9)) { t(x) }
        let b = TransformRandom.with(Generator(seed: 9)) { t(x) }
        let c = TransformRandom.with(Generator(seed: 10)) { t(x) }
        #expect(identical(a, b))
        #expect(!identical(a, c))
        for seed in 0..<50 as Range<UInt64> {
            let g = Generator(seed: seed)
            let p = RandomAffine(degreesRange: -20...20, translate: (0.1, 0.2), scale: 0.8...1.2, shearX: -10...10, shearY: 2...3)(x)
            #expect(p.shape == x.shape)
            let params = t.parameters(width: 28, height: 28, g)
            #expect(abs(params.angle) <= 20)
            #expect(abs(params.translate.0) <= 3 && abs(params.translate.1) <= 6)   // round(U(-2.8, 2.8)), round(U(-5.6, 5.6))
            #expect(params.translate.0 == params.translate.0.rounded() && params.translate.1 == params.translate.1.rounded())
            #expect((0.8...1.2).contains(params.scale))
            #expect(abs(params.shear.0) <= 10 && params.shear.1 == 0)
        }
    }

    /// torchvision 0.14's `transforms.functional.affine` on the same images and parameters
    /// (Tests/Fixtures/data_affine.safetensors, from scripts/make_data_fixtures.py).
    @Test func matchesTorchvisionAffine() throws {
        let fixture = try readFixture("data_affine")
        let text = try #require(fixture.metadata["affine_cases"])
        let cases = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
        #expect(cases.count == 5)
        for c in cases {
            let name = c["name"] as! String
            let x = try #require(fixture.tensors["\(name).input"]), expected = try #require(fixture.tensors["\(name).output"])
            func number(_ v: Any?) -> Double { (v as! NSNumber).doubleValue }
            let translate = (c["translate"] as! [Any]).map(number), shear = (c["shear"] as! [Any]).map(number)
            let out = RandomAffine.apply(x, angle: number(c["angle"]), translate: (translate[0], translate[1]), scale: number(c["scale"]),
                                         shear: (shear[0], shear[1]), interpolation: c["interpolation"] as! String == "nearest" ? .nearest : .bilinear,
                                         fill: number(c["fill"]))
            #expect(out.shape == expected.shape && out.dtype == expected.dtype, "\(name)")
            let tolerance = x.dtype == .float32 ? 1e-5 : 1e-9
            let diff = (out.double() - expected.double()).abs().max().item()
            #expect(diff < tolerance, "\(name): max difference \(diff) from torchvision")
        }
        let erased = RandomErasing.erase(try #require(fixture.tensors["erase.input"]), top: 2, left: 3, height: 5, width: 4,
                                         value: Tensor([0.25, -1.0, 2.0], shape: [3, 1, 1], dtype: .float64))
        #expect(identical(erased, try #require(fixture.tensors["erase.output"])))
    }
}
