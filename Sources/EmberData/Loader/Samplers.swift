#if canImport(Glibc)
import Glibc
#endif

/// An order in which to visit a dataset's indices for one epoch (PyTorch:
/// `torch.utils.data.Sampler`). Each iteration is a new epoch: random samplers draw a new
/// order every time.
///
/// ```swift
/// for i in RandomSampler(count: 5, generator: Generator(seed: 1)) { print(i) }
/// ```
public protocol Sampler: Sequence, Sendable where Element == Int {
    /// The number of indices one epoch yields (PyTorch: `len(sampler)`).
    var count: Int { get }
    /// One epoch's indices, drawing new randomness if the sampler is random (PyTorch:
    /// `list(iter(sampler))`).
    func indices() -> [Int]
    /// The generator a random sampler draws its orders from, or nil; a `DataLoader` saves
    /// and restores its state with the loader's (`DataLoader.state()`).
    var randomSource: Ember.Generator? { get }
}

extension Sampler {
    /// None: the sampler draws no randomness of its own.
    public var randomSource: Ember.Generator? { nil }

    /// Iterates one epoch's `indices()`.
    public func makeIterator() -> IndexingIterator<[Int]> { indices().makeIterator() }
}

/// `0, 1, ..., count - 1` every epoch (PyTorch: `torch.utils.data.SequentialSampler`).
public struct SequentialSampler: Sampler {
    /// The number of indices.
    public let count: Int
    /// Visits `0..<count`.
    public init(count: Int) { self.count = count }
    /// Visits every index of `dataset` in order.
    public init<D: Dataset>(_ dataset: D) { count = dataset.count }
    /// `Array(0..<count)`.
    public func indices() -> [Int] { Array(0..<count) }
}

/// Indices in random order (PyTorch: `torch.utils.data.RandomSampler(data_source,
/// replacement, num_samples, generator)`).
///
/// Without replacement each epoch is a permutation of `0..<datasetCount` (when
/// `numSamples` exceeds the dataset, whole permutations follow one another, then part of
/// one, as PyTorch does); with replacement, `numSamples` independent uniform draws.
public struct RandomSampler: Sampler {
    /// The size of the dataset sampled from.
    public let datasetCount: Int
    /// Whether an index may repeat within an epoch.
    public let replacement: Bool
    /// The number of indices per epoch (the dataset size unless given).
    public let count: Int
    /// The source of randomness; each epoch advances it.
    public let generator: Generator

    /// A random sampler over `count` indices.
    public init(count datasetCount: Int, replacement: Bool = false, numSamples: Int? = nil, generator: Generator = .default,
                file: StaticString = #fileID, line: UInt = #line) {
        check(datasetCount >= 0, "RandomSampler", "dataset size must be non-negative, got \(datasetCount)", file: file, line: line)
        let n = numSamples ?? datasetCount
        check(n >= 0, "RandomSampler", "numSamples should be a non-negative integer value, but got numSamples=\(n)", file: file, line: line)
        check(n == 0 || datasetCount > 0, "RandomSampler", "cannot draw \(n) samples from an empty dataset", file: file, line: line)
        self.datasetCount = datasetCount
        self.replacement = replacement
        self.count = n
        self.generator = generator
    }

    /// A random sampler over the indices of `dataset`.
    public init<D: Dataset>(_ dataset: D, replacement: Bool = false, numSamples: Int? = nil, generator: Generator = .default,
                            file: StaticString = #fileID, line: UInt = #line) {
        self.init(count: dataset.count, replacement: replacement, numSamples: numSamples, generator: generator, file: file, line: line)
    }

    /// `generator`.
    public var randomSource: Ember.Generator? { generator }

    /// One epoch's random indices.
    public func indices() -> [Int] {
        if count == 0 { return [] }
        if replacement {
            return Tensor.randint(0, datasetCount, [count], generator: generator).toArray(as: Int64.self).map { Int($0) }
        }
        var out: [Int] = []
        out.reserveCapacity(count)
        for _ in 0..<(count / datasetCount) {
            out += Tensor.randperm(datasetCount, generator: generator).toArray(as: Int64.self).map { Int($0) }
        }
        let rest = count % datasetCount
        if rest > 0 {
            out += Tensor.randperm(datasetCount, generator: generator).toArray(as: Int64.self).prefix(rest).map { Int($0) }
        }
        return out
    }
}

/// Indices drawn with probability proportional to `weights` (PyTorch:
/// `torch.utils.data.WeightedRandomSampler(weights, num_samples, replacement, generator)`,
/// which calls `torch.multinomial`), e.g. to rebalance classes.
///
/// With replacement each draw is independent; without, an index is drawn at most once,
/// each next one with probability proportional to its weight among those left.
///
/// ```swift
/// let sampler = WeightedRandomSampler(weights: [0.1, 0.9], numSamples: 100)
/// ```
public struct WeightedRandomSampler: Sampler {
    /// The (unnormalized, non-negative) weight of each index.
    public let weights: [Double]
    /// Whether an index may repeat within an epoch.
    public let replacement: Bool
    /// The number of indices per epoch.
    public let count: Int
    /// The source of randomness; each epoch advances it.
    public let generator: Generator

    /// A sampler over `weights.count` indices.
    public init(weights: [Double], numSamples: Int, replacement: Bool = true, generator: Generator = .default,
                file: StaticString = #fileID, line: UInt = #line) {
        check(numSamples >= 0, "WeightedRandomSampler", "numSamples should be a non-negative integer value, but got numSamples=\(numSamples)", file: file, line: line)
        check(weights.allSatisfy { $0.isFinite && $0 >= 0 }, "WeightedRandomSampler",
                  "weights must be finite and non-negative, got \(weights.prefix(10))\(weights.count > 10 ? "..." : "")", file: file, line: line)
        let positive = weights.filter { $0 > 0 }.count
        check(numSamples == 0 || positive > 0, "WeightedRandomSampler", "invalid multinomial distribution (sum of weights <= 0)", file: file, line: line)
        check(replacement || numSamples <= positive, "WeightedRandomSampler",
                  "cannot draw \(numSamples) samples without replacement from \(positive) indices with non-zero weight", file: file, line: line)
        self.weights = weights
        self.replacement = replacement
        self.count = numSamples
        self.generator = generator
    }

    /// `generator`.
    public var randomSource: Ember.Generator? { generator }

    /// One epoch's weighted random indices.
    public func indices() -> [Int] {
        if count == 0 { return [] }
        let u = Tensor.rand([replacement ? count : weights.count], dtype: .float64, generator: generator).toArray(as: Double.self)
        if replacement {
            // Inverse CDF: the first index whose running total exceeds u * total.
            var cumulative = [Double](repeating: 0, count: weights.count)
            var total = 0.0
            for (i, w) in weights.enumerated() { total += w; cumulative[i] = total }
            return u.map { x in
                let target = x * total
                var lo = 0, hi = cumulative.count - 1
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
                }
                // Never land on a zero-weight index through rounding at the top end.
                while weights[lo] == 0 && lo > 0 { lo -= 1 }
                return lo
            }
        }
        // Without replacement: the `count` smallest keys Exp(1) / w (Efraimidis-Spirakis,
        // as PyTorch's multinomial does); their order is the order of sequential draws.
        var keyed: [(key: Double, index: Int)] = []
        keyed.reserveCapacity(weights.count)
        for (i, w) in weights.enumerated() where w > 0 {
            keyed.append((-log1p(-u[i]) / w, i))
        }
        keyed.sort { $0.key < $1.key || ($0.key == $1.key && $0.index < $1.index) }
        return keyed.prefix(count).map(\.index)
    }
}

/// Groups another sampler's indices into batches (PyTorch:
/// `torch.utils.data.BatchSampler(sampler, batch_size, drop_last)`); a `DataLoader` uses it.
public struct BatchSampler: Sequence, Sendable {
    /// The sampler whose indices are grouped.
    public let sampler: any Sampler
    /// Indices per batch.
    public let batchSize: Int
    /// Whether a last, smaller batch is dropped.
    public let dropLast: Bool

    /// Batches of `batchSize` indices from `sampler`.
    public init(_ sampler: any Sampler, batchSize: Int, dropLast: Bool = false, file: StaticString = #fileID, line: UInt = #line) {
        check(batchSize > 0, "BatchSampler", "batchSize should be a positive integer value, but got batchSize=\(batchSize)", file: file, line: line)
        self.sampler = sampler
        self.batchSize = batchSize
        self.dropLast = dropLast
    }

    /// The number of batches per epoch (PyTorch: `len(batch_sampler)`).
    public var count: Int { dropLast ? sampler.count / batchSize : (sampler.count + batchSize - 1) / batchSize }

    /// One epoch's batches of indices.
    public func batches() -> [[Int]] {
        let all = sampler.indices()
        var out: [[Int]] = []
        out.reserveCapacity(all.count / batchSize + 1)
        var start = 0
        while start < all.count {
            let end = Swift.min(start + batchSize, all.count)
            if end - start < batchSize && dropLast { break }
            out.append(Array(all[start..<end]))
            start = end
        }
        return out
    }

    /// Iterates one epoch's `batches()`.
    public func makeIterator() -> IndexingIterator<[[Int]]> { batches().makeIterator() }
}
