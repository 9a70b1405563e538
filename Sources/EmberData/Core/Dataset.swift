/// A map-style dataset: `count` samples, each reachable by index (PyTorch:
/// `torch.utils.data.Dataset`, with `__len__` and `__getitem__`).
///
/// The sample can be any type; a `DataLoader` batches tensors, numbers and tuples of them
/// without help, and anything else with a `collate:` closure. Datasets are read from the
/// loader's worker threads at the same time, so they must be `Sendable` and their
/// subscript must not mutate shared state.
///
/// ```swift
/// struct Squares: Dataset {
///     var count: Int { 100 }
///     subscript(index: Int) -> (Tensor, Int) { (Tensor([Double(index)]), index * index) }
/// }
/// ```
public protocol Dataset<Sample>: Sendable {
    /// What one index yields, e.g. `(Tensor, Int)` for image classification.
    associatedtype Sample
    /// The number of samples (PyTorch: `len(dataset)`).
    var count: Int { get }
    /// The sample at `index`, in `0..<count` (PyTorch: `dataset[index]`).
    subscript(index: Int) -> Sample { get }
}

/// A dataset that builds a whole collated batch in one call, faster than collating `count`
/// separate samples (PyTorch: `Dataset.__getitems__`, which a `DataLoader` calls instead of
/// `__getitem__` when the dataset has it).
///
/// `batch(at:)` must return exactly what the default collate of `indices.map { self[$0] }`
/// would: the `DataLoader` uses it whenever it would otherwise apply the default collate.
public protocol BatchedDataset: Dataset {
    /// The collated batch, e.g. `(Tensor, Tensor)`.
    associatedtype Batch: Sendable
    /// The samples at `indices`, collated (PyTorch: `dataset.__getitems__(indices)` followed
    /// by `default_collate`).
    func batch(at indices: [Int]) -> Batch
}

/// A stream of samples with no random access, such as lines read from a socket or a file
/// too large for memory (PyTorch: `torch.utils.data.IterableDataset`).
///
/// A `DataLoader` over a stream batches consecutive samples in order; it cannot shuffle.
/// Iterating must start the stream from its beginning each time (each epoch).
///
/// ```swift
/// struct Counter: IterableDataset {
///     func makeIterator() -> some IteratorProtocol<Int> { (0..<10).makeIterator() }
/// }
/// ```
public protocol IterableDataset: Sequence, Sendable {}

/// A dataset whose samples are another dataset's samples passed through a function
/// (torchvision: the `transform=` argument; torchdata: `.map`). Made by `Dataset.map`.
public struct MapDataset<Base: Dataset, Sample>: Dataset {
    /// The dataset being transformed.
    public let base: Base
    /// The function applied to each sample when it is read.
    public let transform: @Sendable (Base.Sample) -> Sample

    /// The base dataset's count.
    public var count: Int { base.count }
    /// `transform(base[index])`.
    public subscript(index: Int) -> Sample { transform(base[index]) }
}

extension Dataset {
    /// A lazy view of this dataset with `transform` applied to each sample as it is read
    /// (torchvision: a dataset's `transform=`; torchdata: `dataset.map(fn)`).
    ///
    /// ```swift
    /// let flipped = train.map { (image, label) in (flip(image), label) }
    /// ```
    public func map<T>(_ transform: @escaping @Sendable (Sample) -> T) -> MapDataset<Self, T> {
        MapDataset(base: self, transform: transform)
    }
}
