import Foundation
import Testing
@testable import EmberData

/// `DataLoader.state()` / `loadState(_:)`: a loader restored from a saved position hands out
/// exactly the batches an uninterrupted one would, for the rest of the epoch and after.
@Suite struct LoaderStateTests {
    typealias Batch = (Tensor, Tensor)

    /// 23 ramp images through random crop, flip and erasing (drawing from the loader's
    /// per-batch generators), batches of 4 (the last one 3).
    static func loader(workers: Int, seed: UInt64 = 11, sampler: (any Sampler)? = nil) -> DataLoader<Batch> {
        let augment = Compose([RandomCrop(size: 4, padding: 1), RandomHorizontalFlip(), RandomErasing(p: 0.5, value: .random)])
        let data = Ramps(count: 23).map { (augment($0.0), $0.1) }
        return DataLoader(data, batchSize: 4, shuffle: sampler == nil, sampler: sampler, numWorkers: workers, generator: Generator(seed: seed))
    }

    /// Every batch of `epochs` whole epochs.
    static func epochs(_ loader: DataLoader<Batch>, _ epochs: Int) -> [[Batch]] {
        (0..<epochs).map { _ in Array(loader) }
    }

    static func same(_ a: [Batch], _ b: [Batch]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { identical($0.0, $1.0) && identical($0.1, $1.1) }
    }

    /// The state through JSON, as a checkpoint would carry it.
    static func roundTrip(_ s: DataLoaderState) throws -> DataLoaderState {
        try JSONDecoder().decode(DataLoaderState.self, from: JSONEncoder().encode(s))
    }

    @Test(arguments: [(0, 0), (2, 2), (2, 0), (0, 2)])
    func resumedRunSeesTheSameBatches(saveWorkers: Int, resumeWorkers: Int) throws {
        let reference = Self.epochs(Self.loader(workers: 0), 3)
        #expect(reference.map(\.count) == [6, 6, 6])
        #expect(!Self.same(reference[0], reference[1]))

        for (epoch, stop) in [(0, 3), (1, 1), (1, 5), (0, 6)] {
            let first = Self.loader(workers: saveWorkers)
            for _ in 0..<epoch { _ = Array(first) }
            let it = first.makeIterator()
            var seen: [Batch] = []
            for _ in 0..<stop { seen.append(it.next()!) }
            let saved = try Self.roundTrip(first.state())
            #expect(Self.same(seen, Array(reference[epoch].prefix(stop))))
            if stop < 6 {
                #expect(saved.epoch == epoch && saved.batch == stop)
            } else {
                #expect(saved.epoch == epoch + 1 && saved.batch == 0, "after an epoch's last batch the state names the next epoch")
            }

            // A new loader, built the same way, restored: the rest of the epoch, then the next ones.
            let resumed = Self.loader(workers: resumeWorkers)
            try resumed.loadState(saved)
            #expect(resumed.state() == saved)
            var rest: [[Batch]] = []
            while rest.count < 3 - saved.epoch { rest.append(Array(resumed)) }
            let expected = [Array(reference[saved.epoch].dropFirst(saved.batch))] + reference[(saved.epoch + 1)...]
            #expect(rest.count == expected.count)
            for (k, (got, want)) in zip(rest, expected).enumerated() {
                #expect(Self.same(got, want), "saved at epoch \(epoch) batch \(stop): epoch \(saved.epoch + k) differs")
            }
            #expect(resumed.state().epoch == 3 && resumed.state().batch == 0)
        }
    }

    @Test func stateCountsEpochsAndBatches() {
        let loader = Self.loader(workers: 0)
        #expect(loader.state().epoch == 0 && loader.state().batch == 0)
        #expect(loader.state().generator == Generator(seed: 11).state)
        let it = loader.makeIterator()
        _ = it.next(); _ = it.next()
        #expect(loader.state().batch == 2 && loader.state().generator == Generator(seed: 11).state)
        while it.next() != nil {}
        #expect(loader.state().epoch == 1 && loader.state().batch == 0 && loader.state().generator == loader.generator.state)
        // An epoch left early counts as done when the next one starts.
        let left = loader.makeIterator()
        _ = left.next()
        _ = loader.makeIterator().next()
        #expect(loader.state().epoch == 2 && loader.state().batch == 1)
    }

    /// A sampler with its own generator: its state is saved and restored too.
    @Test func samplerGeneratorIsSavedToo() throws {
        func make() -> DataLoader<Batch> { Self.loader(workers: 0, sampler: RandomSampler(count: 23, generator: Generator(seed: 99))) }
        let reference = Self.epochs(make(), 2)
        let first = make()
        let it = first.makeIterator()
        _ = it.next(); _ = it.next()
        let saved = first.state()
        #expect(saved.samplerGenerator == Generator(seed: 99).state)
        let resumed = make()
        try resumed.loadState(saved)
        #expect(Self.same(Array(resumed), Array(reference[0].dropFirst(2))))
        #expect(Self.same(Array(resumed), reference[1]))

        var missing = saved
        missing.samplerGenerator = nil
        #expect(throws: DataLoaderStateError.self) { try make().loadState(missing) }
        #expect(throws: DataLoaderStateError.self) { try Self.loader(workers: 0).loadState(saved) }
    }

    @Test func statesThatDoNotFitThrow() {
        let loader = Self.loader(workers: 0)
        let tooFar = DataLoaderState(epoch: 0, batch: 7, generator: Generator(seed: 1).state)
        #expect(throws: DataLoaderStateError.mismatch(detail: "the state is at batch 7, but this loader has 6 batches per epoch")) {
            try loader.loadState(tooFar)
        }
        #expect(throws: DataLoaderStateError.self) { try loader.loadState(DataLoaderState(epoch: 0, batch: 1, generator: [1])) }
        #expect(throws: DataLoaderStateError.self) { try loader.loadState(DataLoaderState(epoch: -1, batch: 0, generator: [1, 1])) }
    }

    /// A stream resumes by reading past the batches already handed out.
    @Test(arguments: [0, 2]) func streamResumes(workers: Int) throws {
        struct Counter: IterableDataset {
            func makeIterator() -> IndexingIterator<[Int]> { Array(0..<10).makeIterator() }
        }
        func make() -> DataLoader<Tensor> { DataLoader(Counter(), batchSize: 3, numWorkers: workers, generator: Generator(seed: 1)) }
        let first = make()
        let it = first.makeIterator()
        _ = it.next()
        let resumed = make()
        try resumed.loadState(first.state())
        #expect(Array(resumed).map(ints) == [[3, 4, 5], [6, 7, 8], [9]])
        #expect(Array(resumed).map(ints) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]])
    }
}
