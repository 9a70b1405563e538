import Ember
import EmberData
import EmberVision
import Foundation
import Testing

@Suite struct ImageFolderTests {
    /// root/a_cat/{1,2}.png (gray 6×8), root/a_cat/more/x.jpg (RGB 24×40), root/b_dog/0.png (RGB),
    /// plus things ImageFolder skips: a hidden folder, a file at the top, a text file.
    func makeFolder() throws -> TempFolder {
        let t = TempFolder()
        let fm = FileManager.default
        for dir in ["a_cat/more", "b_dog", ".hidden"] { try fm.createDirectory(atPath: t.file(dir), withIntermediateDirectories: true) }
        try writePNG(randomImage(1, 6, 8, seed: 1), to: t.file("a_cat/2.png"))
        try writePNG(randomImage(1, 6, 8, seed: 2), to: t.file("a_cat/1.png"))
        try fm.copyItem(atPath: visionFixture("baseline.jpg"), toPath: t.file("a_cat/more/x.jpg"))
        try writePNG(randomImage(3, 6, 8, seed: 3), to: t.file("b_dog/0.png"))
        try writePNG(randomImage(3, 6, 8, seed: 4), to: t.file(".hidden/h.png"))
        _ = t.write(Array("notes".utf8), "a_cat/readme.txt")
        try writePNG(randomImage(1, 2, 2, seed: 5), to: t.file("top.png"))
        return t
    }

    @Test func listsClassesAndSamplesAsTorchvision() throws {
        let t = try makeFolder()
        defer { t.remove() }
        let data = try ImageFolder(root: t.path)
        #expect(data.classes == ["a_cat", "b_dog"])
        #expect(data.classToIndex == ["a_cat": 0, "b_dog": 1])
        #expect(data.samples.map(\.path) == ["a_cat/1.png", "a_cat/2.png", "a_cat/more/x.jpg", "b_dog/0.png"].map(t.file))
        #expect(data.targets == [0, 0, 0, 1])
        #expect(data.hasColor)
        let (image, label) = data[0]
        #expect(image.shape == [3, 6, 8] && image.dtype == .uint8 && label == 0)
        #expect(image[1].equal(try readImage(t.file("a_cat/1.png"))[0]))
    }

    @Test func decodesInTheLoadersWorkers() throws {
        let t = try makeFolder()
        defer { t.remove() }
        let data = try ImageFolder(root: t.path, mode: .gray, transform: Compose([Resize(height: 5, width: 5), ConvertImageDtype(.float32)]))
        let loader = DataLoader(data, batchSize: 3, numWorkers: 2)
        let batches = Array(loader)
        #expect(batches.map { $0.0.shape } == [[3, 1, 5, 5], [1, 1, 5, 5]])
        #expect(batches[0].1.toArray(as: Int64.self) == [0, 0, 0])
        #expect(data.errors.error == nil)
    }

    @Test func badFoldersAndFilesThrowNamingThem() throws {
        let t = try makeFolder()
        defer { t.remove() }
        #expect(throws: DataError.fileNotFound(path: t.file("nope"), hint: "ImageFolder needs a folder holding one sub-folder of images per class")) {
            try ImageFolder(root: t.file("nope"))
        }
        try FileManager.default.createDirectory(atPath: t.file("c_empty"), withIntermediateDirectories: false)
        do { _ = try ImageFolder(root: t.path); Issue.record("an empty class was accepted") } catch { #expect(error.path == t.file("c_empty")) }
        try FileManager.default.removeItem(atPath: t.file("c_empty"))
        let bad = t.write(Array("not an image".utf8), "b_dog/bad.png")
        do { _ = try ImageFolder(root: t.path); Issue.record("a bad file was accepted") } catch { #expect(error.path == bad) }
    }

    @Test func aFileBrokenPastItsHeaderIsRecordedNotTrapped() throws {
        let t = try makeFolder()
        defer { t.remove() }
        let whole = bytes(of: t.file("b_dog/0.png"))
        let cut = t.write(Array(whole.prefix(whole.count - 20)), "b_dog/1.png")
        let data = try ImageFolder(root: t.path)
        let index = data.samples.firstIndex { $0.path == cut }!
        #expect(throws: DataError.self) { try data.load(index) }
        let (image, label) = data[index]
        #expect(image.shape == [3, 6, 8] && label == 1 && image.sum().item() == 0)
        #expect(data.errors.error?.path == cut)
    }
}

@Suite struct RandomImageTransforms {
    let image = randomImage(3, 20, 30, seed: 7)

    @Test func randomResizedCropIsSeededAndInBounds() {
        let t = RandomResizedCrop(8, scale: 0.3...1)
        let a = t(image), b = RandomResizedCrop(8, scale: 0.3...1, generator: Generator(seed: 1))(image)
        #expect(a.shape == [3, 8, 8] && b.shape == [3, 8, 8] && a.dtype == .uint8)
        #expect(RandomResizedCrop(8, generator: Generator(seed: 1))(image).equal(RandomResizedCrop(8, generator: Generator(seed: 1))(image)))
        let g = Generator(seed: 3)
        for _ in 0..<200 {
            let p = t.parameters(h: 20, w: 30, generator: g)
            #expect(p.top >= 0 && p.left >= 0 && p.top + p.height <= 20 && p.left + p.width <= 30)
            let area = Double(p.height * p.width) / 600
            #expect(area >= 0.25 && area <= 1.05)
        }
        // No window can have a ratio of 10: the fallback is the central crop at the nearest ratio.
        let fallback = RandomResizedCrop(8, scale: 0.9...1, ratio: 10...11).parameters(h: 20, w: 30, generator: g)
        #expect(fallback == (top: 8, left: 0, height: 3, width: 30))
    }

    @Test func randomRotationOfAFixedAngleIsRotate() {
        let x = convertImageDtype(image, .float32)
        #expect(RandomRotation(range: 90...90)(x).equal(rotate(x, angle: 90)))
        // A quarter turn counter-clockwise moves the top-right corner to the top-left.
        let square = randomImage(1, 5, 5, seed: 2)
        #expect(rotate(square, angle: 90)[0, 0, 0].item() == square[0, 0, 4].item())
    }

    @Test func colorJitterStaysInRangeAndIsSeeded() {
        let x = convertImageDtype(image, .float32) * 0.5
        let bright = ColorJitter(brightness: 0.5, generator: Generator(seed: 4))(x)
        let ratio = (bright / (x + 1e-6)).mean().item()
        #expect(ratio >= 0.5 && ratio <= 1.5)
        let all = ColorJitter(brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, generator: Generator(seed: 5))
        let y = all(x)
        #expect(y.shape == x.shape && y.min().item() >= 0.0 && y.max().item() <= 1.0)
        #expect(ColorJitter(brightness: 0.4, hue: 0.2, generator: Generator(seed: 6))(image)
            .equal(ColorJitter(brightness: 0.4, hue: 0.2, generator: Generator(seed: 6))(image)))
    }
}

@Suite struct GridAndText {
    @Test func makeGridLaysOutAsTorchvision() {
        let images = Tensor.arange(5).to(.float32).reshape([5, 1, 1, 1]).expand([5, 1, 4, 4]).contiguous()
        let grid = makeGrid(images, nrow: 2, padding: 1, padValue: 9)
        #expect(grid.shape == [3, 16, 11])
        #expect(grid[0, 0, 0].item() == 9 && grid[2, 1, 1].item() == 0 && grid[0, 1, 6].item() == 1 && grid[1, 11, 1].item() == 4)
        #expect(grid[0, 11, 6].item() == 9)   // the empty sixth cell
        #expect(makeGrid(Tensor.ones([1, 4, 4])).shape == [3, 4, 4])
        let normalized = makeGrid(images, normalize: true)
        #expect(normalized.max().item() == 1)
    }

    @Test func saveImageWritesTheGridAsBytes() throws {
        let t = TempFolder()
        defer { t.remove() }
        let images = Tensor.rand([3, 3, 5, 6], generator: Generator(seed: 1))
        try saveImage(images, to: t.file("g.png"), nrow: 3, padding: 0)
        let back = try readImage(t.file("g.png"))
        let expected = (makeGrid(images, nrow: 3, padding: 0) * 255 + 0.5).clamp(min: 0, max: 255).to(.uint8)
        #expect(back.equal(expected))
    }

    @Test func drawTextPaintsTheGlyphs() {
        let canvas = Tensor.zeros([3, 9, 20], dtype: .uint8)
        let out = drawText(canvas, "T1", x: 1, y: 1, color: (255, 0, 0))
        #expect(textWidth("T1") == 11)
        #expect(out[0].to(.int64).sum().item() == 255 * 21)   // T has 11 pixels, 1 has 10
        #expect(out[1].to(.int64).sum().item() == 0)
        #expect(out[0, 1, 1].item() == 255 && out[0, 2, 1].item() == 0)
    }
}
