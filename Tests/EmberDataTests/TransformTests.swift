import Testing
@testable import EmberData

@Suite struct TransformTests {
    let image = Tensor((0..<24).map { Double($0) }, shape: [2, 3, 4])

    @Test func normalizePerChannel() {
        let out = Normalize(mean: [1, 13], std: [2, 0.5])(image)
        #expect(out.shape == [2, 3, 4])
        #expect(out.select(0, 0).toArray() == (0..<12).map { (Float($0) - 1) / 2 })
        #expect(out.select(0, 1).toArray() == (12..<24).map { (Float($0) - 13) / 0.5 })
        // Batches [N, C, H, W] too.
        let batch = Tensor.stack([image, image])
        #expect(identical(Normalize(mean: [1, 13], std: [2, 0.5])(batch).select(0, 1), out))
    }

    @Test func horizontalFlip() {
        let always = RandomHorizontalFlip(p: 1)(image)
        #expect(always.select(0, 0).select(0, 0).toArray() == [3, 2, 1, 0])
        #expect(identical(RandomHorizontalFlip(p: 0)(image), image))
        // p = 0.5 flips about half the time, reproducibly from a seeded generator.
        let flip = RandomHorizontalFlip(generator: Generator(seed: 3))
        let flips = (0..<2000).filter { _ in flip(image).select(0, 0).select(0, 0).toArray()[0] == 3 }.count
        #expect(flips > 900 && flips < 1100)
        let a = RandomHorizontalFlip(generator: Generator(seed: 4)), b = RandomHorizontalFlip(generator: Generator(seed: 4))
        #expect((0..<50).map { _ in a(image).toArray()[0] } == (0..<50).map { _ in b(image).toArray()[0] })
    }

    @Test func randomCropWithPadding() {
        let crop = RandomCrop(size: 3, padding: 1, generator: Generator(seed: 0))
        var positions = Set<[Float]>()
        for _ in 0..<300 {
            let out = crop(image)
            #expect(out.shape == [2, 3, 3])
            positions.insert(out.select(0, 0).toArray())
        }
        // Padded to 5×6, a 3×3 window has 3 × 4 = 12 positions.
        #expect(positions.count == 12)
        // The top-left position sees the zero padding, then the image.
        #expect(positions.contains([0, 0, 0, 0, 0, 1, 0, 4, 5]))
        // Without padding and at full size, the image itself.
        #expect(identical(RandomCrop(height: 3, width: 4)(image), image))
        // padIfNeeded grows a small image to the crop size.
        let grown = RandomCrop(size: 5, padIfNeeded: true, fill: -1, generator: Generator(seed: 1))(image)
        #expect(grown.shape == [2, 5, 5] && grown.toArray().contains(-1))
    }

    @Test func composeAndLambda() {
        let t = Compose([Lambda { $0 * 2 }, Normalize(mean: [0], std: [4]), Lambda { $0.flatten() }])
        #expect(t(image).toArray() == (0..<24).map { Float($0) / 2 })
    }

    @Test func transformsUseTheLoaderBatchGeneratorWhenGivenNone() {
        // Inside TransformRandom.with, a transform without a generator draws from the bound one.
        let flip = RandomHorizontalFlip()
        let a = TransformRandom.with(Generator(seed: 9)) { (0..<20).map { _ in flip(image).toArray()[0] } }
        let b = TransformRandom.with(Generator(seed: 9)) { (0..<20).map { _ in flip(image).toArray()[0] } }
        #expect(a == b && Set(a).count == 2)
        #expect(TransformRandom.current === Generator.default)
    }
}
