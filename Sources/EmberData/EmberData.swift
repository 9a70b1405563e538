/// EmberData: `torch.utils.data` and torchvision's datasets for Swift.
///
/// - Datasets: `Dataset` (map-style) and `IterableDataset` (streams); `TensorDataset`,
///   `Subset`, `ConcatDataset`, `randomSplit`, `Dataset.map`; `MNIST` and `FashionMNIST`
///   (IDX files, gzip'd or not), `CSVDataset`/`CSVTable`, `TextDataset` with `Vocabulary`.
/// - Loading: `DataLoader` with the default collate (`Collatable`) or a custom one, worker
///   threads that load ahead in order, and samplers (`SequentialSampler`, `RandomSampler`,
///   `WeightedRandomSampler`, `DistributedSampler`, `BatchSampler`); the loader's position
///   (`DataLoader.state()`, `loadState(_:)`, a `Codable` `DataLoaderState`) for exact resume.
/// - Transforms: `ToTensor`, `Normalize`, `RandomHorizontalFlip`, `RandomVerticalFlip`,
///   `RandomCrop`, `RandomAffine`, `RandomErasing`, `Compose`, `Lambda`.
/// - Errors: files that are missing, truncated or corrupt throw `DataError` naming the file;
///   bad arguments trap with a message naming the op.
///
/// ```swift
/// import EmberData
/// let train = try FashionMNIST(train: true)
/// for (images, labels) in DataLoader(train, batchSize: 128, shuffle: true, numWorkers: 2) { ... }
/// ```
@_exported import Ember
