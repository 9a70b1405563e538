import Testing
@testable import EmberData

@Suite struct SamplerTests {
    @Test func sequential() {
        #expect(Array(SequentialSampler(count: 5)) == [0, 1, 2, 3, 4])
        #expect(SequentialSampler(Ramps(count: 3)).count == 3)
    }

    @Test func randomWithoutReplacementIsAPermutationPerEpoch() {
        let s = RandomSampler(count: 20, generator: Generator(seed: 5))
        let a = s.indices(), b = s.indices()
        #expect(a.sorted() == Array(0..<20) && b.sorted() == Array(0..<20))
        #expect(a != b)
        #expect(a == ints(Tensor.randperm(20, generator: Generator(seed: 5))))
    }

    @Test func randomNumSamplesBeyondTheDatasetRepeatsWholePermutations() {
        let s = RandomSampler(count: 4, numSamples: 10, generator: Generator(seed: 1))
        let i = s.indices()
        #expect(s.count == 10 && i.count == 10)
        #expect(Array(i[0..<4]).sorted() == [0, 1, 2, 3])
        #expect(Array(i[4..<8]).sorted() == [0, 1, 2, 3])
        #expect(Set(i[8..<10]).count == 2)
    }

    @Test func randomWithReplacementIsUniform() {
        let n = 5, draws = 50_000
        let i = RandomSampler(count: n, replacement: true, numSamples: draws, generator: Generator(seed: 9)).indices()
        #expect(i.count == draws && i.allSatisfy { (0..<n).contains($0) })
        var counts = [Int](repeating: 0, count: n)
        for k in i { counts[k] += 1 }
        // Each count is Binomial(50000, 0.2): sd ≈ 89; allow 5 sd.
        for c in counts { #expect(abs(c - draws / n) < 450, "counts \(counts)") }
    }

    @Test func weightedWithReplacementFollowsTheWeights() {
        let weights = [1.0, 0.0, 3.0, 6.0]
        let draws = 100_000
        let i = WeightedRandomSampler(weights: weights, numSamples: draws, generator: Generator(seed: 2)).indices()
        var counts = [Int](repeating: 0, count: 4)
        for k in i { counts[k] += 1 }
        #expect(counts[1] == 0)
        // Expected 10000, 0, 30000, 60000; sd at most ~155.
        for (c, p) in zip(counts, [0.1, 0.0, 0.3, 0.6]) { #expect(abs(Double(c) - p * Double(draws)) < 800, "counts \(counts)") }
    }

    @Test func weightedWithoutReplacementNeverRepeatsAndFavoursHeavyIndices() {
        let weights = [1.0, 1.0, 1.0, 1.0, 100.0, 0.0]
        var firstIsHeavy = 0
        let s = WeightedRandomSampler(weights: weights, numSamples: 5, replacement: false, generator: Generator(seed: 4))
        for _ in 0..<2000 {
            let i = s.indices()
            #expect(Set(i).count == 5 && !i.contains(5))
            if i[0] == 4 { firstIsHeavy += 1 }
        }
        // P(first draw is index 4) = 100/104 ≈ 0.96.
        #expect(firstIsHeavy > 1850 && firstIsHeavy < 1990, "\(firstIsHeavy)")
    }

    @Test func weightedWithoutReplacementFirstDrawDistribution() {
        // The first of the draws is distributed as the weights: 1:2:3:4.
        let s = WeightedRandomSampler(weights: [1, 2, 3, 4], numSamples: 2, replacement: false, generator: Generator(seed: 8))
        var counts = [0, 0, 0, 0]
        let trials = 40_000
        for _ in 0..<trials { counts[s.indices()[0]] += 1 }
        for (c, p) in zip(counts, [0.1, 0.2, 0.3, 0.4]) { #expect(abs(Double(c) / Double(trials) - p) < 0.012, "counts \(counts)") }
    }

    @Test func samplersAreSequences() {
        var seen: [Int] = []
        for i in SequentialSampler(count: 3) { seen.append(i) }
        #expect(seen == [0, 1, 2])
    }

    @Test func batchSampler() {
        let b = BatchSampler(SequentialSampler(count: 7), batchSize: 3)
        #expect(b.count == 3 && b.batches() == [[0, 1, 2], [3, 4, 5], [6]])
        let d = BatchSampler(SequentialSampler(count: 7), batchSize: 3, dropLast: true)
        #expect(d.count == 2 && Array(d) == [[0, 1, 2], [3, 4, 5]])
    }
}
