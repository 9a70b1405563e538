import Ember
@testable import EmberData
import Testing

@Suite struct RandomErasingTests {
    /// The bounding box `(top, left, height, width)` of the pixels where `a` and `b` differ
    /// in channel 0, and how many differ there.
    static func changed(_ a: Tensor, _ b: Tensor) -> (box: (Int, Int, Int, Int)?, count: Int) {
        let h = a.shape[a.dim - 2], w = a.shape[a.dim - 1]
        let x = a.toArray(as: Double.self), y = b.toArray(as: Double.self)
        var top = Int.max, left = Int.max, bottom = -1, right = -1, count = 0
        for i in 0..<h {
            for j in 0..<w where x[i * w + j] != y[i * w + j] {
                count += 1
                top = min(top, i); left = min(left, j); bottom = max(bottom, i); right = max(right, j)
            }
        }
        return count == 0 ? (nil, 0) : ((top, left, bottom - top + 1, right - left + 1), count)
    }

    /// p = 1 always erases one rectangle inside the image, filled with the value, whose
    /// size follows from an area in [0.02, 0.33]·H·W and a ratio in [0.3, 3.3] rounded to
    /// whole pixels: h = round(√(area·r)), w = round(√(area/r)).
    @Test func probabilityOneErasesARectangleWithinBounds() {
        let (h, w) = (40, 50)
        let x = Tensor.full([2, h, w], 1.0)
        let erase = RandomErasing(p: 1, value: .constant([0]))
        for seed in 0..<100 as Range<UInt64> {
            let out = TransformRandom.with(Generator(seed: seed)) { erase(x) }
            #expect(out.shape == x.shape)
            let (box, count) = Self.changed(x, out)
            guard let (top, left, bh, bw) = box else { Issue.record("seed \(seed): nothing erased"); continue }
            // A full rectangle of zeros, in both channels, inside the image.
            #expect(count == bh * bw, "seed \(seed): erased pixels do not form a rectangle")
            #expect(top >= 0 && left >= 0 && top + bh <= h && left + bw <= w && bh < h && bw < w)
            #expect(out.sum().item() == Double(2 * (h * w - count)))
            // Area and aspect ratio within range, allowing half a pixel of rounding per side.
            let area = Double(h * w)
            let minH: Double = ((0.02 * area * 0.3).squareRoot() - 0.5).rounded(.down)
            let minW: Double = ((0.02 * area / 3.3).squareRoot() - 0.5).rounded(.down)
            #expect(Double(bh) >= minH && Double(bw) >= minW)
            #expect(Double(bh) <= (0.33 * area * 3.3).squareRoot() + 0.5 && Double(bw) <= (0.33 * area * 3.3).squareRoot() + 0.5)
            let lo = (Double(bh) - 0.5) * (Double(bw) - 0.5), hi = (Double(bh) + 0.5) * (Double(bw) + 0.5)
            #expect(lo <= 0.33 * area && hi >= 0.02 * area, "seed \(seed): \(bh)×\(bw) cannot come from an area in range")
            #expect((Double(bh) - 0.5) / (Double(bw) + 0.5) <= 3.3 && (Double(bh) + 0.5) / (Double(bw) - 0.5) >= 0.3)
        }
    }

    /// The rectangle `rectangle(...)` draws is the one erased, and `h·w` stays within the
    /// bounds its rounding allows.
    @Test func drawnRectangleIsTheErasedOne() throws {
        let x = Tensor.rand([3, 32, 32], generator: Generator(seed: 5))
        let erase = RandomErasing(p: 1, value: .constant([0.5, -1, 2]))
        for seed in 0..<30 as Range<UInt64> {
            let g1 = Generator(seed: seed)
            _ = TransformRandom.uniform(g1)   // the p draw
            let r = try #require(erase.rectangle(channels: 3, height: 32, width: 32, g1))
            let out = TransformRandom.with(Generator(seed: seed)) { erase(x) }
            let expected = RandomErasing.erase(x, top: r.i, left: r.j, height: r.h, width: r.w, value: Tensor([0.5, -1, 2], shape: [3, 1, 1]))
            #expect(identical(out, expected))
            let patch = out.narrow(-2, start: r.i, length: r.h).narrow(-1, start: r.j, length: r.w)
            #expect(patch.select(0, 1).toArray(as: Float.self).allSatisfy { $0 == -1 })
        }
    }

    @Test func probabilityZeroIsTheIdentityAndSeedsReproduce() {
        let x = Tensor.rand([1, 28, 28], generator: Generator(seed: 2))
        #expect(identical(TransformRandom.with(Generator(seed: 1)) { RandomErasing(p: 0)(x) }, x))
        let random = RandomErasing(p: 1, value: .random)
        let a = TransformRandom.with(Generator(seed: 7)) { random(x) }
        let b = TransformRandom.with(Generator(seed: 7)) { random(x) }
        let c = TransformRandom.with(Generator(seed: 8)) { random(x) }
        #expect(identical(a, b))
        #expect(!identical(a, c))
        #expect(!identical(a, x))
        #expect(identical(RandomErasing(p: 1, generator: Generator(seed: 3))(x), RandomErasing(p: 1, generator: Generator(seed: 3))(x)))
    }

    /// When no try fits (an area of the whole image can never be strictly smaller than it),
    /// the image comes back unchanged, as in torchvision.
    @Test func noFittingTryLeavesTheImage() {
        let x = Tensor.rand([1, 6, 6], generator: Generator(seed: 4))
        let erase = RandomErasing(p: 1, scale: 1...1, ratio: 1...1)
        #expect(identical(TransformRandom.with(Generator(seed: 1)) { erase(x) }, x))
    }
}
