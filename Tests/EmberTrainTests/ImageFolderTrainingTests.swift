import Ember
import EmberData
import EmberNN
import EmberOptim
import EmberTrain
import EmberVision
import Foundation
import Testing

/// Fashion-MNIST's test images written as PNG files into class folders, then trained on through
/// `ImageFolder`: the same samples in the same order as the IDX files give bit-identical
/// training, so the same accuracy for the same seed.
@Suite struct FashionMNISTAsPNG {
    /// The class folder names: `0-T-shirt-top`, `1-Trouser`, ... (sorted in class order).
    static let folders = FashionMNIST.classes.enumerated().map { "\($0)-" + $1.replacingOccurrences(of: "/", with: "-") }

    /// Writes every test image to `root/<class>/<index>.png`, as a user's conversion script would.
    static func writeFolder(_ test: FashionMNIST, to root: String) throws {
        for name in folders { try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true) }
        let labels = test.targets.toArray(as: Int64.self)
        for i in 0..<test.count {
            let name = String(repeating: "0", count: 5 - String(i).count) + String(i)
            try writePNG(test.data[i].unsqueeze(0), to: root + "/" + folders[Int(labels[i])] + "/" + name + ".png", compressionLevel: 1)
        }
    }

    /// Accuracy on the last 1000 of `indices` after one epoch of an MLP on the rest, from the
    /// weights `initial`. (Not from `manualSeed(0)`: tests run in parallel and may draw from
    /// the default generator between the seed and the model's initialization.)
    static func trainAndScore<D: Dataset>(_ data: D, initial: TensorDict) throws -> Double where D.Sample == (Tensor, Int) {
        let perm = Tensor.randperm(data.count, generator: Generator(seed: 4)).toArray(as: Int64.self).map(Int.init)
        let train = DataLoader(Subset(data, indices: Array(perm.dropLast(1000))), batchSize: 128, shuffle: true, numWorkers: 2, generator: Generator(seed: 1))
        let val = DataLoader(Subset(data, indices: Array(perm.suffix(1000))), batchSize: 500, numWorkers: 2, generator: Generator(seed: 2))
        let model = MLP(inputs: 784, classes: 10, inputMean: 0.2860, inputStd: 0.3530)
        _ = try model.loadStateDict(initial)
        let trainer = Trainer(model: model, optimizer: Adam(model.parameters(), lr: 2e-3))
        _ = try trainer.fit(train, validation: nil, epochs: 1)
        return evaluateClassifier(model, on: val).accuracy
    }

    @Test func trainsToTheSameAccuracyAsTheIDXFiles() throws {
        let test = try FashionMNIST(train: false)
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.writeFolder(test, to: root)
        let folder = try ImageFolder(root: root, mode: .gray, transform: ConvertImageDtype(.float32))
        #expect(folder.classes == Self.folders && folder.count == 10_000 && !folder.hasColor)
        // ImageFolder lists class by class; take the IDX samples in that order.
        let order = folder.samples.map { Int(($0.path as NSString).lastPathComponent.dropLast(4))! }
        let idx = Subset(test, indices: order)
        for k in [0, 1, 4999, 9999] {
            #expect(folder[k].0.equal(idx[k].0) && folder[k].1 == idx[k].1)
        }
        let initial = MLP(inputs: 784, classes: 10, inputMean: 0.2860, inputStd: 0.3530).stateDict()
        let fromPNG = try Self.trainAndScore(folder, initial: initial)
        let fromIDX = try Self.trainAndScore(idx, initial: initial)
        #expect(folder.errors.error == nil)
        #expect(fromPNG == fromIDX, "PNG \(fromPNG), IDX \(fromIDX)")
        #expect(fromPNG > 0.75)
    }
}

/// `ember train --dataset folder:PATH` on mixed PNG and JPEG files, gray and RGB, of two sizes.
@Suite(.serialized) struct FolderCommandTests {
    let ember = emberExecutable()

    /// Three classes told apart by which third of the image is bright; every other image gray,
    /// some 12×12 and some 10×14, and a JPEG in each class.
    static func writeShapes(to root: String) throws {
        let names = ["circle", "square", "triangle"]
        let g = Generator(seed: 9)
        for (c, name) in names.enumerated() {
            try FileManager.default.createDirectory(atPath: root + "/" + name, withIntermediateDirectories: true)
            for i in 0..<24 {
                let (h, w) = i % 3 == 0 ? (10, 14) : (12, 12)
                let channels = i % 2 == 0 ? 1 : 3
                let noise = Tensor.rand([channels, h, w], generator: g) * 60
                let band = Tensor.zeros([channels, h, w])
                band.narrow(2, start: c * w / 3, length: w / 3).fill_(180)
                try writePNG((noise + band).to(.uint8), to: root + "/\(name)/\(i < 10 ? "0" : "")\(i).png")
            }
            try FileManager.default.copyItem(atPath: fixtureImage(c == 0 ? "gray.jpg" : "baseline.jpg"), toPath: root + "/\(name)/photo.jpg")
        }
    }

    static func fixtureImage(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/vision/" + name).path
    }

    @Test func trainsAndEvaluatesAFolderOfImages() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeShapes(to: dir + "/shapes")
        let run = try runProcess(ember, ["train", "--dataset", "folder:" + dir + "/shapes", "--model", "cnn", "--epochs", "6",
                                         "--batch-size", "8", "--val-split", "0.25", "--lr", "0.01", "--seed", "3",
                                         "--workers", "2", "--out", dir + "/run"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Validation accuracy"), "\(run.stdout)")
        let config = try String(contentsOfFile: dir + "/run/config.json", encoding: .utf8)
        #expect(config.contains("folder:"))
        let eval = try runProcess(ember, ["eval", dir + "/run"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("validation split") && eval.stdout.contains("triangle"), "\(eval.stdout)")
        if eval.stdout.contains("misclassified.png") {
            let grid = try readImage(dir + "/run/misclassified.png")
            #expect(grid.shape[0] == 3 && grid.shape[1] > 20)
        }
        // --image-size resizes everything; a model of another size does not load those weights.
        let sized = try runProcess(ember, ["train", "--dataset", "folder:" + dir + "/shapes", "--model", "mlp", "--epochs", "1",
                                           "--image-size", "8", "--batch-size", "16", "--quiet", "--out", dir + "/run8"])
        #expect(sized.status == 0, "\(sized.stderr)")
        // The default batch of 128 is more than the 65 training images: an epoch drops its last
        // incomplete batch, so none would be left.
        let tooFew = try runProcess(ember, ["train", "--dataset", "folder:" + dir + "/shapes", "--model", "mlp", "--epochs", "1",
                                            "--quiet", "--out", dir + "/run128"])
        #expect(tooFew.status != 0 && tooFew.stderr.contains("training samples do not fill one batch of 128: lower --batch-size"), "\(tooFew.stderr)")
        let bad = try runProcess(ember, ["train", "--dataset", "mnist", "--image-size", "8", "--out", dir + "/x"])
        #expect(bad.status != 0 && bad.stderr.contains("--image-size goes with --dataset folder:PATH"), "\(bad.stderr)")
    }

    @Test func aBrokenImageIsNamed() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.writeShapes(to: dir + "/shapes")
        let broken = dir + "/shapes/square/zz.png"
        _ = FileManager.default.createFile(atPath: broken, contents: Data("not a png".utf8))
        let run = try runProcess(ember, ["train", "--dataset", "folder:" + dir + "/shapes", "--epochs", "1", "--out", dir + "/run"])
        #expect(run.status != 0 && run.stderr.contains(broken) && run.stderr.contains("not a PNG or JPEG"), "\(run.stderr)")
    }
}

@Suite struct MistakesGridTests {
    @Test func tilesEnlargedImagesUnderTheirLabels() {
        let images = (0..<5).map { Tensor.full([1, 28, 28], Double($0) / 4) }
        let mistakes = images.enumerated().map { Mistake(image: $1, truth: $0 % 2, predicted: 2, confidence: 0.9 - Double($0) / 10) }
        let grid = mistakesGrid(mistakes, classNames: ["cat", "dog", "bird"], columns: 4)
        // 28 px enlarged 3× to 84, a 20-pixel caption, 2 rows of 4 with 2-pixel padding.
        let expectedShape = [3, 2 * (84 + 20 + 2) + 2, 4 * (84 + 2) + 2]
        #expect(grid.dtype == DType.uint8)
        #expect(grid.shape == expectedShape)
        // The second image (value 0.25 → 64) fills its tile's picture area.
        let inside: Double = grid[1, 62, 128].item()
        #expect(inside == 64)
        // Captions: green "T: ..." on the first line, red "P: ..." on the second.
        let caption = grid.narrow(1, start: 2, length: 20).narrow(2, start: 2, length: 84)
        #expect(caption[1].narrow(0, start: 0, length: 10).max().item() == 220.0)
        #expect(caption[0].narrow(0, start: 10, length: 10).max().item() == 255.0)
    }

    @Test func mostConfidentMistakesComeFirst() throws {
        // A "model" that always predicts class 0 with softmax confidence rising with the input.
        final class Constant: Module, @unchecked Sendable {
            override func forward(_ x: Tensor) -> Tensor {
                let s = x.flatten(startDim: 1).mean(dim: 1, keepDim: true) * 10
                return Tensor.cat([s, Tensor.zerosLike(s), Tensor.zerosLike(s)], dim: 1)
            }
        }
        let x = Tensor.arange(6).to(.float32).reshape([6, 1, 1, 1]).expand([6, 1, 2, 2]).contiguous() / 5
        let y = Tensor([0, 1, 2, 1, 0, 2] as [Int])
        let loader = DataLoader(TensorDataset(x, y), batchSize: 4)
        let worst = mostConfidentMistakes(Constant(), on: loader, count: 3)
        #expect(worst.map(\.truth) == [2, 1, 2] && worst.allSatisfy { $0.predicted == 0 })
        #expect(worst[0].confidence > worst[1].confidence && worst[1].confidence > worst[2].confidence)
    }
}
