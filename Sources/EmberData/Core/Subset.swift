/// The samples of a dataset at a list of indices, in that order (PyTorch:
/// `torch.utils.data.Subset`). `randomSplit` returns these.
///
/// ```swift
/// let firstHundred = Subset(train, indices: Array(0..<100))
/// ```
public struct Subset<Base: Dataset>: Dataset {
    /// The whole dataset.
    public let dataset: Base
    /// The indices into `dataset` that this subset holds.
    public let indices: [Int]

    /// The samples of `dataset` at `indices`; every index must be in `0..<dataset.count`.
    public init(_ dataset: Base, indices: [Int], file: StaticString = #fileID, line: UInt = #line) {
        let n = dataset.count
        for i in indices {
            check(i >= 0 && i < n, "Subset", "index \(i) is out of range for a dataset of \(n) samples", file: file, line: line)
        }
        self.dataset = dataset
        self.indices = indices
    }

    /// The number of indices.
    public var count: Int { indices.count }

    /// `dataset[indices[index]]`.
    public subscript(index: Int) -> Base.Sample {
        check(index >= 0 && index < indices.count, "Subset", "index \(index) is out of range for a subset of \(indices.count) samples", file: #fileID, line: #line)
        return dataset[indices[index]]
    }
}

extension Subset: BatchedDataset where Base: BatchedDataset {
    /// The base dataset's fast batch at the mapped indices.
    public func batch(at indices: [Int]) -> Base.Batch {
        dataset.batch(at: indices.map { i in
            check(i >= 0 && i < self.indices.count, "Subset", "index \(i) is out of range for a subset of \(self.indices.count) samples", file: #fileID, line: #line)
            return self.indices[i]
        })
    }
}

/// Several datasets with the same sample type, one after another (PyTorch:
/// `torch.utils.data.ConcatDataset`).
///
/// ```swift
/// let all = ConcatDataset([train, test])   // 70000 Fashion-MNIST samples
/// ```
public struct ConcatDataset<Sample>: Dataset {
    /// The parts, in order.
    public let datasets: [any Dataset<Sample>]
    /// Running totals of the parts' counts (PyTorch: `cumulative_sizes`).
    public let cumulativeSizes: [Int]

    /// Joins `datasets`; there must be at least one.
    public init(_ datasets: [any Dataset<Sample>], file: StaticString = #fileID, line: UInt = #line) {
        check(!datasets.isEmpty, "ConcatDataset", "datasets should not be an empty list", file: file, line: line)
        self.datasets = datasets
        var total = 0
        cumulativeSizes = datasets.map { total += $0.count; return total }
    }

    /// The total number of samples.
    public var count: Int { cumulativeSizes.last ?? 0 }

    /// The sample at `index` of the concatenation.
    public subscript(index: Int) -> Sample {
        check(index >= 0 && index < count, "ConcatDataset", "index \(index) is out of range for a dataset of \(count) samples", file: #fileID, line: #line)
        // The first part whose running total exceeds index (PyTorch: bisect_right).
        var lo = 0, hi = cumulativeSizes.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulativeSizes[mid] > index { hi = mid } else { lo = mid + 1 }
        }
        let start = lo == 0 ? 0 : cumulativeSizes[lo - 1]
        return datasets[lo][index - start]
    }
}
