import Foundation
import Testing
@testable import EmberData

/// The real Fashion-MNIST from Debian's `dataset-fashion-mnist` (`make deps` installs it).
/// Expected values were checked with /usr/bin/python3 + gzip (`scripts/data_expectations.py`).
@Suite(.enabled(if: FashionFiles.available, "Fashion-MNIST is not installed: sudo apt-get install dataset-fashion-mnist"))
struct FashionMNISTTests {
    @Test func trainSplit() throws {
        let train = try #require(FashionFiles.train)
        #expect(train.count == 60000)
        #expect(train.data.shape == [60000, 28, 28] && train.data.dtype == .uint8)
        #expect(train.targets.shape == [60000] && train.targets.dtype == .int64)
        #expect((0..<10).map { train[$0].1 } == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
        let counts = train.targets.toArray(as: Int64.self).reduce(into: [Int](repeating: 0, count: 10)) { $0[Int($1)] += 1 }
        #expect(counts == [Int](repeating: 6000, count: 10))
        // Byte sums of the first and last images, and of all pixels.
        #expect(train.data.select(0, 0).toArray(as: Int64.self).reduce(0, +) == 76247)
        #expect(train.data.select(0, 59999).toArray(as: Int64.self).reduce(0, +) == 16684)
        #expect(train.data.toArray(as: Int64.self).reduce(0, +) == 3_431_114_169)
    }

    @Test func testSplit() throws {
        let test = try #require(FashionFiles.test)
        #expect(test.count == 10000)
        #expect((0..<5).map { test[$0].1 } == [9, 2, 1, 1, 6])
        #expect(test.data.select(0, 0).toArray(as: Int64.self).reduce(0, +) == 33456)
        #expect(test.data.select(0, 9999).toArray(as: Int64.self).reduce(0, +) == 24390)
        #expect(test.data.toArray(as: Int64.self).reduce(0, +) == 573_469_082)
        #expect(test.train == false && test.root == FashionFiles.root)
    }

    @Test func samplesAreFloatImagesLikeToTensor() throws {
        let test = try #require(FashionFiles.test)
        let (image, label) = test[0]
        #expect(label == 9)
        #expect(image.shape == [1, 28, 28] && image.dtype == .float32)
        let pixels = image.toArray()
        #expect(pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
        // torch.tensor(bytes).float().div(255): pixel [0, 14, 14] and the sum.
        #expect(pixels[14 * 28 + 14] == Float(110) / 255)
        #expect(pixels[14 * 28 + 14] == 0.4313725531101227)
        #expect(abs(pixels.reduce(0, +) - 131.20001220703125) < 1e-3)
        let bytes = test.data.select(0, 0).toArray(as: UInt8.self)
        #expect(zip(pixels, bytes).allSatisfy { $0 == Float($1) / 255 })
    }

    @Test func fastBatchEqualsStackedSamples() throws {
        let test = try #require(FashionFiles.test)
        let indices = [9999, 0, 17, 4242, 17]
        let (images, labels) = test.batch(at: indices)
        #expect(images.shape == [5, 1, 28, 28] && labels.dtype == .int64)
        let stacked = Collate.pairs(indices.map { test[$0] })
        #expect(identical(images, stacked.0) && identical(labels, stacked.1))
    }

    @Test func loaderOverTheTestSplit() throws {
        let test = try #require(FashionFiles.test)
        let loader = DataLoader(test, batchSize: 128, shuffle: true, numWorkers: 2, generator: Generator(seed: 0))
        #expect(loader.count == 79)
        var seen = 0
        var labelCounts = [Int](repeating: 0, count: 10)
        for (images, labels) in loader {
            #expect(images.shape[1...] == [1, 28, 28])
            seen += images.shape[0]
            for l in ints(labels) { labelCounts[l] += 1 }
        }
        #expect(seen == 10000)
        #expect(labelCounts == [Int](repeating: 1000, count: 10))
    }

    @Test func transformAppliesPerSampleAndInBatches() throws {
        let norm = Normalize(mean: [0.5], std: [0.25])
        let data = try FashionMNIST(root: FashionFiles.root, train: false, transform: norm)
        let plain = try #require(FashionFiles.test)
        assertCloseArrays(data[3].0.toArray(), plain[3].0.toArray().map { ($0 - 0.5) / 0.25 })
        let (images, _) = data.batch(at: [3, 4])
        #expect(identical(images.select(0, 0), data[3].0))
        // With a random transform, batches still do not depend on the number of workers.
        let augmented = try FashionMNIST(root: FashionFiles.root, train: false, transform: Compose([RandomCrop(size: 28, padding: 2), RandomHorizontalFlip()]))
        let sub = Subset(augmented, indices: Array(0..<300))
        let a = Array(DataLoader(sub, batchSize: 64, shuffle: true, numWorkers: 0, generator: Generator(seed: 5)))
        let b = Array(DataLoader(sub, batchSize: 64, shuffle: true, numWorkers: 3, generator: Generator(seed: 5)))
        #expect(a.count == 5 && b.count == 5)
        for (x, y) in zip(a, b) { #expect(identical(x.0, y.0) && identical(x.1, y.1)) }
    }

    @Test func plainIDXFilesAndEmberDataRoot() throws {
        // Uncompressed copies are found under the same names without .gz.
        let dir = TempDir()
        for name in ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            let gz = fileBytes(FashionFiles.root + "/" + name + ".gz")
            dir.write(name, try Gzip.decompress(gz, path: name))
        }
        let plain = try FashionMNIST(root: dir.path, train: false)
        let test = try #require(FashionFiles.test)
        #expect(identical(plain.data, test.data) && identical(plain.targets, test.targets))
        // MNIST reads the same file names from its root.
        let mnist = try MNIST(root: dir.path, train: false)
        #expect(mnist.count == 10000 && MNIST.classes.count == 10)
        #expect(environmentRoot("fashion-mnist") == nil || ProcessInfo.processInfo.environment["EMBER_DATA"] != nil)
    }

    @Test func truncatedCopiesOfTheRealFilesThrow() throws {
        let images = fileBytes(FashionFiles.root + "/t10k-images-idx3-ubyte.gz")
        let labels = fileBytes(FashionFiles.root + "/t10k-labels-idx1-ubyte.gz")
        // A download cut off halfway.
        let dir = TempDir()
        dir.write("t10k-images-idx3-ubyte.gz", Array(images.prefix(images.count / 2)))
        dir.write("t10k-labels-idx1-ubyte.gz", labels)
        let e = try #require(dataError { try FashionMNIST(root: dir.path, train: false) })
        #expect(e.path == dir.path + "/t10k-images-idx3-ubyte.gz")
        #expect(e.description.contains("corrupt gzip file: unexpected end of file"))
        // An uncompressed copy missing its last image.
        let raw = try Gzip.decompress(images, path: "images")
        let cut = TempDir()
        cut.write("t10k-images-idx3-ubyte", Array(raw.dropLast(784)))
        cut.write("t10k-labels-idx1-ubyte.gz", labels)
        let f = try #require(dataError { try FashionMNIST(root: cut.path, train: false) })
        #expect(f == .truncated(path: cut.path + "/t10k-images-idx3-ubyte",
                                detail: "the header declares 10000×28×28 values (7840000 bytes of data) but the file holds only 7839216 bytes after the header"))
        // The test images with the training labels.
        let mixed = TempDir()
        mixed.write("t10k-images-idx3-ubyte.gz", images)
        mixed.write("t10k-labels-idx1-ubyte.gz", fileBytes(FashionFiles.root + "/train-labels-idx1-ubyte.gz"))
        let g = try #require(dataError { try FashionMNIST(root: mixed.path, train: false) })
        #expect(g.description.hasSuffix("do not match: 10000 images but 60000 labels"))
    }

    @Test func missingFilesNameThePathAndTheInstallCommand() throws {
        let dir = TempDir()
        let error = try #require(dataError { try FashionMNIST(root: dir.path, train: true) })
        #expect(error == .fileNotFound(path: dir.path + "/train-images-idx3-ubyte.gz", hint: error.fileNotFoundHint))
        #expect(error.description.contains(dir.path + "/train-images-idx3-ubyte.gz: no such file"))
        #expect(error.description.contains("sudo apt-get install dataset-fashion-mnist"))
        #expect(error.description.contains(dir.path + "/train-images-idx3-ubyte)"))
        let mnist = try #require(dataError { try MNIST(root: dir.path, train: false) })
        #expect(mnist.path == dir.path + "/t10k-images-idx3-ubyte.gz")
        #expect(mnist.description.contains("MNIST has no Debian package"))
    }
}

extension DataError {
    var fileNotFoundHint: String { if case .fileNotFound(_, let h) = self { return h } else { return "" } }
}

func assertCloseArrays(_ a: [Float], _ b: [Float], tolerance: Float = 1e-6, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= tolerance, "max difference \(worst)", sourceLocation: sourceLocation)
}
