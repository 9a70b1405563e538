import Testing
@testable import EmberData

/// Expected values come from PyTorch 1.13 (`scripts/data_expectations.py` prints them):
/// `DistributedSampler(range(n), num_replicas, rank, shuffle, seed, drop_last)` after
/// `set_epoch(epoch)`, for every rank.
@Suite struct DistributedSamplerTests {
    static let cases: [(Int, Int, Bool, UInt64, Bool, Int, [[Int]])] = [
        (10, 3, false, 0, false, 0, [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]),
        (10, 3, false, 0, true, 0, [[0, 3, 6], [1, 4, 7], [2, 5, 8]]),
        (10, 4, true, 0, false, 0, [[4, 3, 6], [1, 9, 2], [7, 0, 4], [5, 8, 1]]),
        (10, 4, true, 0, false, 1, [[5, 0, 7], [6, 8, 4], [1, 9, 5], [2, 3, 6]]),
        (11, 3, true, 42, true, 0, [[6, 2, 0], [8, 1, 7], [9, 10, 3]]),
        (2, 4, false, 0, false, 0, [[0], [1], [0], [1]]),
        (2, 5, true, 7, false, 3, [[1], [0], [1], [0], [1]]),
        (7, 2, true, 123, true, 5, [[0, 3, 4], [6, 5, 2]]),
        (1, 3, false, 0, true, 0, [[], [], []]),
    ]

    @Test(arguments: 0..<cases.count)
    func partitionsExactlyAsPyTorch(caseIndex: Int) {
        let (n, world, shuffle, seed, dropLast, epoch, expected) = Self.cases[caseIndex]
        for rank in 0..<world {
            let s = DistributedSampler(count: n, rank: rank, worldSize: world, shuffle: shuffle, seed: seed, dropLast: dropLast)
            s.setEpoch(epoch)
            #expect(s.indices() == expected[rank], "n \(n), world \(world), rank \(rank)")
            #expect(s.count == expected[rank].count)
            #expect(s.totalSize == expected[rank].count * world)
        }
    }

    /// `torch.randperm(n, generator=torch.Generator().manual_seed(seed))`.
    @Test(arguments: [
        (10, UInt64(0), [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]),
        (10, UInt64(42), [2, 6, 1, 8, 4, 5, 0, 9, 3, 7]),
        (16, UInt64(4294967299), [10, 9, 5, 6, 8, 11, 3, 1, 13, 7, 14, 12, 4, 15, 0, 2]),
    ])
    func randpermMatchesPyTorch(n: Int, seed: UInt64, expected: [Int]) {
        #expect(TorchRandperm.permutation(n, seed: seed) == expected)
    }

    @Test func randpermOf100MatchesPyTorch() {
        let expected = [11, 22, 39, 23, 42, 30, 78, 81, 64, 20, 29, 79, 15, 69, 86, 63, 55, 53, 73, 68, 89, 67, 58, 97, 96, 92, 37, 14, 75, 51,
                        54, 7, 3, 6, 50, 40, 45, 4, 83, 98, 27, 12, 8, 99, 60, 87, 28, 5, 84, 34, 82, 16, 72, 49, 59, 31, 71, 35, 66, 76,
                        61, 17, 36, 62, 13, 2, 38, 94, 80, 19, 25, 18, 0, 1, 46, 74, 85, 91, 52, 77, 21, 33, 32, 88, 93, 70, 44, 47, 26, 57,
                        90, 95, 48, 65, 43, 10, 9, 56, 24, 41]
        #expect(TorchRandperm.permutation(100, seed: 5) == expected)
    }

    @Test func ranksCoverTheDatasetEachEpoch() {
        let n = 1001, world = 8
        for epoch in 0..<3 {
            var all: [Int] = []
            for rank in 0..<world {
                let s = DistributedSampler(count: n, rank: rank, worldSize: world, seed: 17)
                s.setEpoch(epoch)
                all += s.indices()
            }
            #expect(all.count == 1008)
            #expect(Set(all) == Set(0..<n))
        }
    }

    @Test func setEpochChangesTheOrderAndReachesTheLoader() {
        let s = DistributedSampler(Ramps(count: 40), rank: 1, worldSize: 2, seed: 3)
        let loader = DataLoader(Ramps(count: 40), batchSize: 5, sampler: s)
        #expect(loader.count == 4)
        let e0 = Array(loader).flatMap { ints($0.1) }
        #expect(Array(loader).flatMap { ints($0.1) } == e0)   // same epoch, same order
        s.setEpoch(1)
        #expect(s.epoch == 1)
        let e1 = Array(loader).flatMap { ints($0.1) }
        #expect(e1 != e0)
        #expect(e1.count == 20)
    }
}
