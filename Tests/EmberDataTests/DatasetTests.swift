import Testing
@testable import EmberData

@Suite struct DatasetTests {
    @Test func tensorDatasetRowsAndBatches() {
        let x = Tensor.arange(0, 12, dtype: .float32).reshape([4, 3]), y = Tensor([7, 8, 9, 10])
        let data = TensorDataset(x, y)
        #expect(data.count == 4)
        let (row, label) = data[2]
        #expect(row.toArray() == [6, 7, 8] && label.item() == 9 && label.shape == [])
        let (bx, by) = data.batch(at: [3, 0])
        #expect(bx.shape == [2, 3] && bx.toArray() == [9, 10, 11, 0, 1, 2] && ints(by) == [10, 7])
    }

    @Test func subsetAndItsFastBatch() {
        let data = TensorDataset(Tensor.arange(0, 10, dtype: .float32).reshape([10, 1]), Tensor.arange(10))
        let sub = Subset(data, indices: [8, 2, 5])
        #expect(sub.count == 3)
        #expect(sub[0].1.item() == 8 && sub[2].1.item() == 5)
        #expect(ints(sub.batch(at: [1, 2]).1) == [2, 5])
        // Subset of a plain dataset: no fast path, same result through the loader.
        let ramps = Subset(Ramps(count: 10), indices: [4, 5])
        #expect(Array(DataLoader(ramps, batchSize: 2)).flatMap { ints($0.1) } == [1, 2])
    }

    @Test func concatDatasetFindsTheRightPart() {
        let a = Subset(Ramps(count: 10), indices: [0, 1, 2])
        let b = Subset(Ramps(count: 10), indices: [])
        let c = Subset(Ramps(count: 10), indices: [5, 4])
        let all = ConcatDataset<(Tensor, Int)>([a, b, c])
        #expect(all.count == 5)
        #expect(all.cumulativeSizes == [3, 3, 5])
        #expect((0..<5).map { all[$0].1 } == [0, 1, 2, 2, 1])
        #expect(all[3].0.toArray().first == 500)
        #expect(Array(DataLoader(all, batchSize: 5)).flatMap { ints($0.1) } == [0, 1, 2, 2, 1])
    }

    @Test func mapTransformsSamplesLazily() {
        let doubled = Ramps(count: 3).map { (x, y) in (x * 2, y + 10) }
        #expect(doubled.count == 3)
        #expect(doubled[1].1 == 11 && doubled[1].0.toArray().first == 200)
    }

    @Test func randomSplitCountsIsADisjointCover() {
        let parts = randomSplit(Ramps(count: 100), lengths: [60, 30, 10], generator: Generator(seed: 3))
        #expect(parts.map(\.count) == [60, 30, 10])
        let all = parts.flatMap(\.indices)
        #expect(all.sorted() == Array(0..<100))
        #expect(all != Array(0..<100))
        // The same seed gives the same split; it is the generator's randperm, cut in order.
        let again = randomSplit(Ramps(count: 100), lengths: [60, 30, 10], generator: Generator(seed: 3))
        #expect(again.map(\.indices) == parts.map(\.indices))
        #expect(all == ints(Tensor.randperm(100, generator: Generator(seed: 3))))
    }

    /// PyTorch's lengths for fractions, from `torch.utils.data.random_split` (printed by
    /// scripts/data_expectations.py).
    @Test(arguments: [
        (10, [0.5, 0.5], [5, 5]),
        (10, [0.33, 0.33, 0.34], [4, 3, 3]),
        (150, [0.7, 0.3], [105, 45]),
        (7, [0.1, 0.2, 0.3, 0.4], [1, 2, 2, 2]),
        (3, [0.2, 0.2, 0.2, 0.2, 0.2], [1, 1, 1, 0, 0]),
    ])
    func randomSplitFractionsRoundLikePyTorch(count: Int, fractions: [Double], expected: [Int]) {
        let parts = randomSplit(Ramps(count: count), lengths: fractions, generator: Generator(seed: 0))
        #expect(parts.map(\.count) == expected)
        #expect(parts.flatMap(\.indices).sorted() == Array(0..<count))
    }
}
