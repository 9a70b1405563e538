import Synchronization

/// The share of a dataset that one of `worldSize` processes visits (PyTorch:
/// `torch.utils.data.distributed.DistributedSampler(dataset, num_replicas, rank, shuffle,
/// seed, drop_last)`), with PyTorch's exact semantics:
///
/// - Each rank gets `ceil(n / worldSize)` indices; the list is padded by repeating its
///   start (so some samples are seen twice) to `worldSize` times that, or with
///   `dropLast` cut to a multiple of `worldSize`, each rank getting `floor(n / worldSize)`.
/// - Rank `r` takes every `worldSize`-th index starting at `r`.
/// - With `shuffle`, the order is `torch.randperm(n)` from a generator seeded with
///   `seed + epoch`: the same permutation PyTorch 1.13 computes (its MT19937 and
///   algorithm are reproduced here), so Ember and PyTorch ranks agree on the partition.
///
/// Call `setEpoch` at the start of each epoch, or every epoch uses the same order.
///
/// ```swift
/// let sampler = DistributedSampler(count: train.count, rank: rank, worldSize: 4, seed: 0)
/// let loader = DataLoader(train, batchSize: 32, sampler: sampler)
/// for epoch in 0..<10 { sampler.setEpoch(epoch); for (x, y) in loader { ... } }
/// ```
public final class DistributedSampler: Sampler {
    /// The dataset size.
    public let datasetCount: Int
    /// The number of processes (PyTorch: `num_replicas`).
    public let worldSize: Int
    /// This process's index in `0..<worldSize`.
    public let rank: Int
    /// Whether each epoch is a new permutation.
    public let shuffle: Bool
    /// The base seed; epoch `e` uses `seed + e`. Must be the same on every rank.
    public let seed: UInt64
    /// Whether to drop the tail rather than pad.
    public let dropLast: Bool
    /// Indices per rank per epoch (PyTorch: `num_samples`).
    public let count: Int
    /// `count * worldSize` (PyTorch: `total_size`).
    public let totalSize: Int
    private let epochValue = Locked<Int>(0)

    /// A sampler for `rank` of `worldSize` over a dataset of `count` samples.
    public init(count datasetCount: Int, rank: Int, worldSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false,
                file: StaticString = #fileID, line: UInt = #line) {
        dataCheck(worldSize > 0, "DistributedSampler", "worldSize must be positive, got \(worldSize)", file: file, line: line)
        dataCheck(rank >= 0 && rank < worldSize, "DistributedSampler", "invalid rank \(rank), rank should be in the interval [0, \(worldSize - 1)]", file: file, line: line)
        dataCheck(datasetCount >= 0, "DistributedSampler", "dataset size must be non-negative, got \(datasetCount)", file: file, line: line)
        self.datasetCount = datasetCount
        self.worldSize = worldSize
        self.rank = rank
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        if dropLast && datasetCount % worldSize != 0 {
            count = (datasetCount - worldSize + worldSize - 1) / worldSize   // ceil((n - w) / w)
        } else {
            count = (datasetCount + worldSize - 1) / worldSize
        }
        totalSize = count * worldSize
    }

    /// A sampler for `rank` of `worldSize` over the indices of `dataset`.
    public convenience init<D: Dataset>(_ dataset: D, rank: Int, worldSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false,
                                        file: StaticString = #fileID, line: UInt = #line) {
        self.init(count: dataset.count, rank: rank, worldSize: worldSize, shuffle: shuffle, seed: seed, dropLast: dropLast, file: file, line: line)
    }

    /// The current epoch.
    public var epoch: Int { epochValue.withLock { $0 } }

    /// Sets the epoch, which picks the permutation when shuffling; call it before each
    /// epoch with the same value on every rank (PyTorch: `sampler.set_epoch(epoch)`).
    public func setEpoch(_ epoch: Int) { epochValue.withLock { $0 = epoch } }

    /// This rank's indices for the current epoch.
    public func indices() -> [Int] {
        var all = shuffle ? TorchRandperm.permutation(datasetCount, seed: seed &+ UInt64(bitPattern: Int64(epoch))) : Array(0..<datasetCount)
        if !dropLast {
            let padding = totalSize - all.count
            if padding > 0 && !all.isEmpty {
                let base = all
                while all.count < totalSize { all += base.prefix(totalSize - all.count) }
            }
        } else {
            all.removeLast(all.count - totalSize)
        }
        return Array(stride(from: rank, to: totalSize, by: worldSize).map { all[$0] })
    }
}

/// `torch.randperm(n, generator=torch.Generator().manual_seed(seed))` of PyTorch 1.13 on the
/// CPU, bit for bit: its MT19937 seeded with the low 32 bits of the seed, and a forward
/// Fisher-Yates shuffle taking `random() % (n - i)` (or `random64()` for n of 2^32/20 and up).
/// Checked against PyTorch in `DistributedSamplerTests`.
enum TorchRandperm {
    struct MT19937 {
        var state = [UInt32](repeating: 0, count: 624)
        var index = 624

        init(seed: UInt64) {
            state[0] = UInt32(truncatingIfNeeded: seed)
            for i in 1..<624 {
                state[i] = 1812433253 &* (state[i - 1] ^ (state[i - 1] >> 30)) &+ UInt32(i)
            }
        }

        mutating func next() -> UInt32 {
            if index >= 624 {
                for k in 0..<624 {
                    let y = (state[k] & 0x8000_0000) | (state[(k + 1) % 624] & 0x7fff_ffff)
                    state[k] = state[(k + 397) % 624] ^ (y >> 1) ^ ((y & 1) != 0 ? 0x9908_b0df : 0)
                }
                index = 0
            }
            var y = state[index]
            index += 1
            y ^= y >> 11
            y ^= (y << 7) & 0x9d2c_5680
            y ^= (y << 15) & 0xefc6_0000
            y ^= y >> 18
            return y
        }
    }

    static func permutation(_ n: Int, seed: UInt64) -> [Int] {
        var r = Array(0..<n)
        if n < 2 { return r }
        var mt = MT19937(seed: seed)
        let small = n < Int(UInt32.max) / 20
        for i in 0..<(n - 1) {
            let z: Int
            if small {
                z = Int(mt.next() % UInt32(n - i))
            } else {
                let hi = UInt64(mt.next()), lo = UInt64(mt.next())
                z = Int((hi << 32 | lo) % UInt64(n - i))
            }
            r.swapAt(i, i + z)
        }
        return r
    }
}
