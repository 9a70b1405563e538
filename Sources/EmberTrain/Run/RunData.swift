import Ember
import EmberData
import EmberVision

/// Which data set a run trains on, parsed from `--dataset`.
public enum DatasetSpec: Equatable, Sendable {
    /// Fashion-MNIST from `FashionMNIST.defaultRoot`.
    case fashionMNIST
    /// MNIST from `MNIST.defaultRoot`.
    case mnist
    /// A CSV file: features in every column but the last, an integer class in the last.
    case csv(path: String)
    /// A folder of PNG and JPEG images, one sub-folder per class (`ImageFolder`).
    case folder(path: String)

    /// Parses `fashion-mnist`, `mnist`, `csv:PATH` or `folder:PATH`.
    public init(_ text: String) throws {
        switch text.lowercased() {
        case "fashion-mnist", "fashionmnist", "fashion_mnist": self = .fashionMNIST
        case "mnist": self = .mnist
        default:
            if text.hasPrefix("folder:"), text.count > 7 {
                self = .folder(path: String(text.dropFirst(7)))
                return
            }
            guard text.hasPrefix("csv:"), text.count > 4 else {
                throw RunError.badConfig("unknown dataset '\(text)': expected fashion-mnist, mnist, csv:PATH or folder:PATH")
            }
            self = .csv(path: String(text.dropFirst(4)))
        }
    }

    /// Mean and standard deviation of the training images' pixels (torchvision's usual
    /// `Normalize` constants), which the image models subtract and divide by.
    var pixelStatistics: (mean: Double, std: Double) {
        switch self {
        case .fashionMNIST: return (0.2860, 0.3530)
        case .mnist: return (0.1307, 0.3081)
        case .csv, .folder: return (0, 1)
        }
    }
}

/// The loaders and facts a run needs about its data.
public struct RunData {
    /// Shuffled training batches (augmented when asked).
    public let train: ClassificationLoader
    /// Held-out validation batches, when `valSplit > 0`.
    public let validation: ClassificationLoader?
    /// The test set's batches, when the data set has one (MNIST-style data sets).
    public let test: ClassificationLoader?
    /// The features per sample (784 for 28×28 images).
    public let inputFeatures: Int
    /// The number of classes.
    public let numClasses: Int
    /// The class names, for reports and plots.
    public let classNames: [String]
    /// Normalization the image models apply to their input.
    public let pixelStatistics: (mean: Double, std: Double)
    /// The shape of one image, `[C, H, W]`, or nil for data that are not images (CSV).
    public let imageShape: [Int]?
    /// Where decoding errors of an image folder's loader workers are recorded, or nil.
    public let decodeErrors: DecodeErrorLog?

    /// Training samples per epoch.
    public let trainCount: Int
    /// The training loader's sampler in fixed-order mode (`gradShards` set): rank `rank`'s share
    /// of each epoch's permutation, whole global batches only.
    public let trainSampler: DistributedSampler?

    /// Loads the data set of `config` and builds its loaders, each with its own generator
    /// seeded from `config.seed`. Throws `DataError` (naming the file) when files are missing
    /// or corrupt.
    ///
    /// With `config.gradShards` set, the training batches are the rows `rank, rank + worldSize, ...`
    /// of global batches of `batchSize × worldSize` drawn by a `DistributedSampler` (the same
    /// global batches for every world size; an incomplete last global batch is dropped), and
    /// `config.batchSize` is the per-rank batch.
    public init(config: RunConfig, rank: Int = 0, worldSize: Int = 1) throws {
        let spec = try DatasetSpec(config.dataset)
        let fixedOrder = config.gradShards != nil
        var sampler: DistributedSampler?
        /// The training loader of a subset: shuffled, or a rank's share in fixed-order mode.
        func trainLoader<D: Dataset, L: Collatable>(_ data: Subset<D>, generator: Generator) -> ClassificationLoader
        where D.Sample == (Tensor, L), L.Batch == Tensor {
            if fixedOrder {
                let s = DistributedSampler(count: data.count, rank: rank, worldSize: worldSize, shuffle: true, seed: config.seed &+ 1, dropLast: true)
                sampler = s
                return DataLoader(data, batchSize: config.batchSize, sampler: s, dropLast: true, numWorkers: config.workers, generator: generator)
            }
            return DataLoader(data, batchSize: config.batchSize, shuffle: true, numWorkers: config.workers, generator: generator)
        }
        let seed = config.seed
        let workers = config.workers

        func loaders<D: BatchedDataset, A: Dataset>(plain: D, augmented: A?, test: D?) -> (ClassificationLoader, ClassificationLoader?, ClassificationLoader?, Int)
        where D.Sample == (Tensor, Int), D.Batch == (Tensor, Tensor), A.Sample == (Tensor, Int) {
            let (indices, valIndices) = Self.trainAndValidationIndices(plain, config: config, seed: seed)
            let trainGen = Generator(seed: seed &+ 1)
            let train: ClassificationLoader
            if let augmented {
                train = trainLoader(Subset(augmented, indices: indices), generator: trainGen)
            } else {
                train = trainLoader(Subset(plain, indices: indices), generator: trainGen)
            }
            let val: ClassificationLoader? = valIndices.isEmpty ? nil
                : DataLoader(Subset(plain, indices: valIndices), batchSize: 512, numWorkers: workers, generator: Generator(seed: seed &+ 2))
            let testLoader: ClassificationLoader? = test.map { DataLoader($0, batchSize: 512, numWorkers: workers, generator: Generator(seed: seed &+ 3)) }
            return (train, val, testLoader, indices.count)
        }

        /// The loaders of a data set without augmentation or a test split (an image folder, a CSV file).
        func splitLoaders<D: Dataset, L: Collatable>(_ data: D) -> (ClassificationLoader, ClassificationLoader?, Int)
        where D.Sample == (Tensor, L), L.Batch == Tensor {
            let (indices, valIndices) = Self.trainAndValidationIndices(data, config: config, seed: seed)
            let val: ClassificationLoader? = valIndices.isEmpty ? nil
                : DataLoader(Subset(data, indices: valIndices), batchSize: 512, numWorkers: workers, generator: Generator(seed: seed &+ 2))
            return (trainLoader(Subset(data, indices: indices), generator: Generator(seed: seed &+ 1)), val, indices.count)
        }

        switch spec {
        case .fashionMNIST, .mnist:
            pixelStatistics = spec.pixelStatistics
            imageShape = [1, 28, 28]
            decodeErrors = nil
            let isFashion = spec == .fashionMNIST
            var steps: [any Transform] = !config.augment ? []
                : isFashion ? [RandomCrop(size: 28, padding: 2), RandomHorizontalFlip()] : [RandomCrop(size: 28, padding: 2)]
            if let p = config.randomErasing { steps.append(RandomErasing(p: p)) }
            let augmentation: (any Transform)? = steps.isEmpty ? nil : Compose(steps)
            if isFashion {
                let plain = try FashionMNIST(train: true), test = try FashionMNIST(train: false)
                try Self.checkImages(plain.data, root: plain.root, train: true)
                try Self.checkImages(test.data, root: test.root, train: false)
                let augmented = try augmentation.map { try FashionMNIST(train: true, transform: $0) }
                (train, validation, self.test, trainCount) = loaders(plain: plain, augmented: augmented, test: test)
                classNames = FashionMNIST.classes
            } else {
                let plain = try MNIST(train: true), test = try MNIST(train: false)
                try Self.checkImages(plain.data, root: plain.root, train: true)
                try Self.checkImages(test.data, root: test.root, train: false)
                let augmented = try augmentation.map { try MNIST(train: true, transform: $0) }
                (train, validation, self.test, trainCount) = loaders(plain: plain, augmented: augmented, test: test)
                classNames = MNIST.classes
            }
            inputFeatures = 28 * 28
            numClasses = 10
        case .folder(let path):
            let folder = try FolderData(root: path, imageSize: config.imageSize)
            imageShape = folder.imageShape
            pixelStatistics = folder.statistics
            decodeErrors = folder.images.errors
            classNames = folder.images.classes
            numClasses = folder.images.classes.count
            inputFeatures = folder.imageShape.reduce(1, *)
            let data = folder.images
            (train, validation, trainCount) = splitLoaders(data)
            test = nil
        case .csv(let path):
            pixelStatistics = spec.pixelStatistics
            imageShape = nil
            decodeErrors = nil
            let csv = try CSVDataset(path: path)
            let classes = try Self.checkedClassCount(csv)
            // Standardize each feature over the file, so raw units do not matter.
            let x = csv.features
            let mean = x.mean(dim: 0, keepDim: true)
            let std = (x.std(dim: 0, correction: 0, keepDim: true) + 1e-8)
            let data = TensorDataset((x - mean) / std, csv.targets.to(.int64))
            numClasses = classes
            classNames = csv.classes.count == numClasses ? csv.classes : (0..<numClasses).map { "class \($0)" }
            inputFeatures = x.shape[1]
            (train, validation, trainCount) = splitLoaders(data)
            test = nil
        }
        trainSampler = sampler
        if trainCount == 0 {
            throw RunError.badConfig("\(config.dataset): no training samples are left after holding out --val-split \(config.valSplit)")
        }
    }

    /// The image models take 28×28 images, and training needs at least one.
    static func checkImages(_ data: Tensor, root: String, train: Bool) throws {
        let name = (train ? "train" : "t10k") + "-images-idx3-ubyte"
        let gz = root + "/" + name + ".gz"
        let path = FileIO.exists(gz) ? gz : root + "/" + name
        if data.shape[1] != 28 || data.shape[2] != 28 {
            throw DataError.badFormat(path: path, detail: "images are \(data.shape[1])×\(data.shape[2]); the models take 28×28 images")
        }
        if train && data.shape[0] == 0 { throw DataError.badFormat(path: path, detail: "holds no images") }
    }

    /// The most classes a CSV data set may have: a class index past it is far more likely a
    /// wrong column (an id, a price) than a class, and would make a layer of that many outputs.
    public static let maxClasses = 100_000

    /// The number of classes of a CSV data set, after checking it has at least one feature
    /// column and that every class index is in `0..<maxClasses`; throws `DataError` naming
    /// the file, line and column otherwise.
    static func checkedClassCount(_ csv: CSVDataset) throws -> Int {
        if csv.featureNames.isEmpty {
            throw DataError.badFormat(path: csv.path, detail: "no feature columns: a CSV data set needs at least one feature column before the class column (\(csv.targetColumn))")
        }
        let labels = csv.targets.to(.int64).toArray(as: Int64.self)
        var maxLabel: Int64 = -1
        for (r, v) in labels.enumerated() {
            if v < 0 || v >= Int64(maxClasses) {
                let why = v < 0 ? "class indices must be 0, 1, 2, ..." : "at most \(maxClasses) classes are supported (is this column a class?)"
                throw DataError.badCell(path: csv.path, line: csv.lines[r], column: csv.targetColumn, detail: "class index \(v) is out of range: \(why)")
            }
            maxLabel = max(maxLabel, v)
        }
        return max(Int(maxLabel) + 1, csv.classes.count)
    }
}

extension RunData {
    /// The positions of `data` a run trains and validates on: the first `--train-limit`
    /// samples, of which `--val-split` are held out by a split seeded from the run's seed.
    static func trainAndValidationIndices<D: Dataset>(_ data: D, config: RunConfig, seed: UInt64) -> (train: [Int], validation: [Int]) {
        let indices = Array(0..<min(data.count, config.trainLimit ?? data.count))
        guard config.valSplit > 0 else { return (indices, []) }
        let parts = randomSplit(Subset(data, indices: indices), lengths: [1 - config.valSplit, config.valSplit],
                                generator: Generator(seed: seed &+ 4))
        return (parts[0].indices.map { indices[$0] }, parts[1].indices.map { indices[$0] })
    }
}
