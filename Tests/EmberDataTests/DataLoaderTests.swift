import Foundation
import Synchronization
import Testing
@testable import EmberData

@Suite struct DataLoaderTests {
    @Test func countAndShapesWithDefaultCollate() {
        let loader = DataLoader(Ramps(count: 10), batchSize: 4)
        #expect(loader.count == 3)
        let batches = Array(loader)
        #expect(batches.count == 3)
        #expect(batches.map { $0.0.shape } == [[4, 1, 4, 6], [4, 1, 4, 6], [2, 1, 4, 6]])
        #expect(batches.map { $0.1.dtype } == [.int64, .int64, .int64])
        #expect(batches.flatMap { ints($0.1) } == (0..<10).map { $0 % 3 })
        // Sample 9's image is the ramp + 900: the last row of the last batch.
        #expect(batches[2].0.select(0, 1).toArray().first == 900)
    }

    @Test func dropLast() {
        let loader = DataLoader(Ramps(count: 10), batchSize: 4, dropLast: true)
        #expect(loader.count == 2)
        #expect(Array(loader).count == 2)
        #expect(DataLoader(Ramps(count: 8), batchSize: 4, dropLast: true).count == 2)
    }

    @Test func forInDestructuresPairs() {
        var seen = 0
        for (images, labels) in DataLoader(Ramps(count: 7), batchSize: 3) {
            #expect(images.shape[0] == labels.shape[0])
            seen += labels.shape[0]
        }
        #expect(seen == 7)
    }

    @Test func collatesTensorPairsTriplesArraysAndNumbers() {
        let pairs = TensorDataset(Tensor.arange(0, 12, dtype: .float32).reshape([6, 2]), Tensor.arange(6))
        let b = Array(DataLoader(pairs, batchSize: 4))
        #expect(b[0].0.shape == [4, 2] && b[0].1.shape == [4] && b[1].0.shape == [2, 2])
        #expect(b[1].0.toArray() == [8, 9, 10, 11])

        struct Triples: Dataset {
            var count: Int { 5 }
            subscript(i: Int) -> (Tensor, Double, [Int]) { (Tensor([Double(i)]), Double(i) / 2, [i, -i]) }
        }
        let t = Array(DataLoader(Triples(), batchSize: 5))[0]
        #expect(t.0.shape == [5, 1])
        #expect(t.1.dtype == .float64 && t.1.toArray(as: Double.self) == [0, 0.5, 1, 1.5, 2])
        #expect(t.2.count == 2 && ints(t.2[1]) == [0, -1, -2, -3, -4])

        struct Numbers: Dataset {
            var count: Int { 3 }
            subscript(i: Int) -> Int { i * 10 }
        }
        #expect(Array(DataLoader(Numbers(), batchSize: 2)).map(ints) == [[0, 10], [20]])
    }

    @Test func customCollate() {
        struct Words: Dataset {
            let words = ["a", "bb", "ccc", "dddd", "e"]
            var count: Int { words.count }
            subscript(i: Int) -> String { words[i] }
        }
        let loader = DataLoader(Words(), batchSize: 2, collate: { (samples: [String]) in samples.joined(separator: "+") })
        #expect(Array(loader) == ["a+bb", "ccc+dddd", "e"])
    }

    @Test func fastPathEqualsPerSampleCollate() {
        let x = Tensor.randn([20, 3], generator: Generator(seed: 1)), y = Tensor.randint(0, 5, [20], generator: Generator(seed: 2))
        let data = TensorDataset(x, y)
        let fast = Array(DataLoader(data, batchSize: 6, shuffle: true, generator: Generator(seed: 3)))
        let slow = Array(DataLoader(data, batchSize: 6, shuffle: true, collate: { Collate.pairs($0) }, generator: Generator(seed: 3)))
        #expect(fast.count == slow.count)
        for (a, b) in zip(fast, slow) { #expect(identical(a.0, b.0) && identical(a.1, b.1)) }
    }

    @Test func shuffleVisitsEverySampleOncePerEpochAndEpochsDiffer() {
        let loader = DataLoader(Ramps(count: 50), batchSize: 8, shuffle: true, generator: Generator(seed: 7))
        func epochOrder() -> [Int] { Array(loader).flatMap { b in b.0.select(1, 0).select(1, 0).select(1, 0).toArray().map { Int($0) / 100 } } }
        let e1 = epochOrder(), e2 = epochOrder()
        #expect(e1.sorted() == Array(0..<50))
        #expect(e2.sorted() == Array(0..<50))
        #expect(e1 != e2)
        #expect(e1 != Array(0..<50))
        // The same seed replays the same epochs.
        let again = DataLoader(Ramps(count: 50), batchSize: 8, shuffle: true, generator: Generator(seed: 7))
        let r1 = Array(again).flatMap { ints($0.1) }
        #expect(r1 == e1.map { $0 % 3 })
    }

    /// Shuffled, randomly augmented batches are bit-identical for 0, 1, 2 and 4 workers.
    @Test(arguments: [1, 2, 4])
    func batchesDoNotDependOnWorkerCount(workers: Int) {
        let augment = Compose([RandomCrop(size: 4, padding: 2), RandomHorizontalFlip()])
        let data = Ramps(count: 37).map { (image, label) in (augment(image), label) }
        func epochs(_ n: Int) -> [[(Tensor, Tensor)]] {
            let loader = DataLoader(data, batchSize: 5, shuffle: true, numWorkers: n, prefetch: 2, generator: Generator(seed: 11))
            return (0..<2).map { _ in Array(loader) }
        }
        let reference = epochs(0), other = epochs(workers)
        #expect(reference.map(\.count) == [8, 8])
        for (re, oe) in zip(reference, other) {
            #expect(re.count == oe.count)
            for (a, b) in zip(re, oe) { #expect(identical(a.0, b.0) && identical(a.1, b.1)) }
        }
        // The augmentation really is random: two epochs' first batches differ.
        #expect(!identical(reference[0][0].0, reference[1][0].0))
    }

    @Test func samplerOption() {
        let loader = DataLoader(Ramps(count: 10), batchSize: 3, sampler: SequentialSampler(count: 4))
        #expect(loader.count == 2)
        #expect(Array(loader).flatMap { ints($0.1) } == [0, 1, 2, 0])
        let sub = Subset(Ramps(count: 10), indices: [9, 3])
        #expect(Array(DataLoader(sub, batchSize: 5)).flatMap { ints($0.1) } == [0, 0])
    }

    @Test func workersDeliverInOrder() {
        // Batches that take longer the earlier they are still arrive in order.
        struct Slow: Dataset {
            var count: Int { 24 }
            subscript(i: Int) -> Int {
                usleep(UInt32((24 - i) * 300))
                return i
            }
        }
        let loader = DataLoader(Slow(), batchSize: 2, numWorkers: 4, prefetch: 3)
        #expect(Array(loader).flatMap(ints) == Array(0..<24))
    }

    @Test func prefetchBoundsWorkAhead() {
        // Workers stay at most prefetch × numWorkers batches ahead of the consumer.
        final class Probe: Sendable { let loaded = Atomic<Int>(0) }
        struct Counting: Dataset {
            let probe: Probe
            var count: Int { 200 }
            subscript(i: Int) -> Int { probe.loaded.add(1, ordering: .relaxed); return i }
        }
        let probe = Probe()
        let loader = DataLoader(Counting(probe: probe), batchSize: 1, numWorkers: 2, prefetch: 3)
        var consumed = 0
        var worstLead = 0
        for _ in loader {
            consumed += 1
            usleep(200)
            worstLead = max(worstLead, probe.loaded.load(ordering: .relaxed) - consumed)
        }
        #expect(consumed == 200)
        #expect(worstLead <= 6)
    }

    @Test func stoppingEarlyJoinsEveryWorker() {
        let loader = DataLoader(Ramps(count: 1000), batchSize: 2, numWorkers: 4, prefetch: 2)
        var counter: ThreadCounter?
        do {
            let it = loader.makeIterator()
            counter = it.liveWorkers
            #expect(it.next() != nil)
            #expect(it.next() != nil)
            #expect(counter!.count == 4)   // workers are blocked on the prefetch bound
        }
        // The iterator is gone: its deinit stopped and joined all four threads.
        #expect(counter?.count == 0)
    }

    @Test func breakingOutOfForLoopEndsWorkerThreads() {
        // Record the kernel thread id of every thread that loads a sample, then check that
        // none of them exists once the loop is left.
        final class Tids: Sendable { let seen = Mutex<Set<String>>([]) }
        struct Recording: Dataset {
            let tids: Tids
            var count: Int { 400 }
            subscript(i: Int) -> Int {
                let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
                _ = tids.seen.withLock { $0.insert(me) }
                return i
            }
        }
        let tids = Tids()
        let mainThread = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
        var n = 0
        for _ in DataLoader(Recording(tids: tids), batchSize: 4, numWorkers: 3) {
            n += 1
            if n == 3 { break }
        }
        let workers = tids.seen.withLock { $0 }.subtracting([mainThread, ""])
        #expect(!workers.isEmpty)
        for t in workers { #expect(!FileManager.default.fileExists(atPath: "/proc/" + t), "worker thread \(t) is still alive") }
    }

    @Test func finishingAnEpochJoinsWorkers() {
        let it = DataLoader(Ramps(count: 9), batchSize: 4, numWorkers: 2).makeIterator()
        var batches = 0
        while it.next() != nil { batches += 1 }
        #expect(batches == 3)
        #expect(it.liveWorkers?.count == 0)
        #expect(it.next() == nil)
    }

    @Test func zeroWorkersStartsNoThreads() {
        let it = DataLoader(Ramps(count: 9), batchSize: 4).makeIterator()
        #expect(it.liveWorkers == nil)
    }

    @Test func emptyDataset() {
        let loader = DataLoader(Ramps(count: 0), batchSize: 4, numWorkers: 2)
        #expect(loader.count == 0)
        #expect(Array(loader).isEmpty)
    }

    struct Lines: IterableDataset {
        let n: Int
        func makeIterator() -> some IteratorProtocol<(Tensor, Int)> {
            (0..<n).lazy.map { i in (Tensor([Double(i), Double(-i)]), i) }.makeIterator()
        }
    }

    @Test(arguments: [0, 1, 3])
    func streamsBatchInOrder(workers: Int) {
        let loader = DataLoader(Lines(n: 23), batchSize: 5, numWorkers: workers)
        let batches = Array(loader)
        #expect(batches.map { $0.1.shape[0] } == [5, 5, 5, 5, 3])
        #expect(batches.flatMap { ints($0.1) } == Array(0..<23))
        #expect(batches[4].0.toArray() == [20, -20, 21, -21, 22, -22])
        let dropped = Array(DataLoader(Lines(n: 23), batchSize: 5, dropLast: true, numWorkers: workers))
        #expect(dropped.count == 4)
        // A second epoch restarts the stream.
        #expect(Array(loader).count == 5)
    }

    @Test func streamCustomCollate() {
        struct Numbers: IterableDataset {
            func makeIterator() -> some IteratorProtocol<Int> { (1...10).makeIterator() }
        }
        let sums = Array(DataLoader(Numbers(), batchSize: 4, collate: { $0.reduce(0, +) }, numWorkers: 2))
        #expect(sums == [10, 26, 19])
    }
}
