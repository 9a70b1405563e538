/// Batches a dataset for training: picks indices (in order, shuffled, or from a sampler),
/// loads and collates each batch, optionally on worker threads that work ahead while the
/// model trains (PyTorch: `torch.utils.data.DataLoader`).
///
/// ```swift
/// let train = try FashionMNIST(train: true)
/// let loader = DataLoader(train, batchSize: 128, shuffle: true, numWorkers: 2, generator: Generator(seed: 0))
/// for epoch in 0..<10 {
///     for (images, labels) in loader { ... }   // [128, 1, 28, 28] float32, [128] int64
/// }
/// ```
///
/// - Samples that are tensors, numbers, arrays or 2-/3-tuples of them are batched by the
///   default collate (see `Collatable`): `(Tensor, Int)` samples give `(Tensor, Tensor)`
///   batches. Anything else needs `collate:`.
/// - Each iteration is an epoch. The batches of an epoch depend only on the generator's
///   state when it starts, never on `numWorkers` or timing: shuffling draws from
///   `generator`, and random transforms draw from a per-batch generator seeded from it
///   (see `TransformRandom`). Each epoch draws that seed even without shuffling, as PyTorch
///   draws its workers' base seed, so without `generator:` it advances `Generator.default`.
/// - `state()` is the loader's position (epoch, batch, generator states) and
///   `loadState(_:)` puts a loader built the same way back there, so a resumed run sees
///   the batches it would have seen (see `DataLoaderState`).
/// - With `numWorkers > 0`, that many threads load batches in order, at most
///   `prefetch × numWorkers` ahead of the consumer (PyTorch: `prefetch_factor`). Leaving the
///   loop early (or dropping the iterator) stops and joins them.
public struct DataLoader<Batch: Sendable>: Sequence, Sendable {
    enum Source: Sendable {
        case indexed(BatchSampler, @Sendable ([Int]) -> Batch)
        case stream(@Sendable () -> StreamBatcher<Batch>)
    }

    let source: Source
    /// Samples per batch.
    public let batchSize: Int
    /// Whether a last, smaller batch is dropped (PyTorch: `drop_last`).
    public let dropLast: Bool
    /// Threads loading batches; 0 loads on the iterating thread (PyTorch: `num_workers`).
    public let numWorkers: Int
    /// Batches each worker loads ahead (PyTorch: `prefetch_factor`).
    public let prefetch: Int
    /// The generator shuffling and per-batch transform seeds come from.
    public let generator: Generator
    /// The position `state()` reports, shared by copies of this loader.
    let progress = LoaderProgress()

    /// The number of batches per epoch (PyTorch: `len(loader)`). A stream (an
    /// `IterableDataset`) has no length: asking traps, as `len()` raises in PyTorch.
    public var count: Int {
        switch source {
        case .indexed(let batches, _): return batches.count
        case .stream: emberFailure("DataLoader", "count: the dataset is a stream (IterableDataset), which has no length", file: #fileID, line: #line)
        }
    }

    /// `count` for a map-style dataset, less the batches a resumed epoch skips
    /// (`loadState`); 0 for a stream.
    public var underestimatedCount: Int {
        guard case .indexed(let batches, _) = source else { return 0 }
        let skipped = progress.position.withLock { $0.resumeAt ?? 0 }
        return Swift.max(0, batches.count - skipped)
    }

    // MARK: Map-style datasets

    /// A loader over a map-style dataset with a custom collate: `collate` turns the list of
    /// a batch's samples into the batch (PyTorch: `DataLoader(dataset, ..., collate_fn=)`).
    ///
    /// ```swift
    /// let loader = DataLoader(words, batchSize: 16, collate: { samples in padAndStack(samples) })
    /// ```
    public init<D: Dataset>(
        _ dataset: D, batchSize: Int = 1, shuffle: Bool = false, sampler: (any Sampler)? = nil, dropLast: Bool = false,
        collate: @escaping @Sendable ([D.Sample]) -> Batch, numWorkers: Int = 0, prefetch: Int = 2, generator: Generator? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init(dataset, batchSize: batchSize, shuffle: shuffle, sampler: sampler, dropLast: dropLast,
                  fetch: { indices in collate(indices.map { dataset[$0] }) },
                  numWorkers: numWorkers, prefetch: prefetch, generator: generator, file: file, line: line)
    }

    /// A loader over a dataset of tensors, numbers or arrays, batched by the default collate
    /// (PyTorch: `DataLoader(dataset, batch_size, shuffle, sampler, drop_last, num_workers,
    /// prefetch_factor, generator)`).
    public init<D: Dataset>(
        _ dataset: D, batchSize: Int = 1, shuffle: Bool = false, sampler: (any Sampler)? = nil, dropLast: Bool = false,
        numWorkers: Int = 0, prefetch: Int = 2, generator: Generator? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) where D.Sample: Collatable, Batch == D.Sample.Batch {
        self.init(dataset, batchSize: batchSize, shuffle: shuffle, sampler: sampler, dropLast: dropLast,
                  fetch: Self.fastFetch(dataset) ?? { indices in D.Sample.collate(indices.map { dataset[$0] }) },
                  numWorkers: numWorkers, prefetch: prefetch, generator: generator, file: file, line: line)
    }

    /// A loader over a dataset of pairs, each position batched by the default collate:
    /// `(Tensor, Int)` or `(Tensor, Tensor)` samples give `(Tensor, Tensor)` batches.
    public init<D: Dataset, A: Collatable, B: Collatable>(
        _ dataset: D, batchSize: Int = 1, shuffle: Bool = false, sampler: (any Sampler)? = nil, dropLast: Bool = false,
        numWorkers: Int = 0, prefetch: Int = 2, generator: Generator? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) where D.Sample == (A, B), Batch == (A.Batch, B.Batch) {
        self.init(dataset, batchSize: batchSize, shuffle: shuffle, sampler: sampler, dropLast: dropLast,
                  fetch: Self.fastFetch(dataset) ?? { indices in Collate.pairs(indices.map { dataset[$0] }) },
                  numWorkers: numWorkers, prefetch: prefetch, generator: generator, file: file, line: line)
    }

    /// A loader over a dataset of triples, each position batched by the default collate.
    public init<D: Dataset, A: Collatable, B: Collatable, C: Collatable>(
        _ dataset: D, batchSize: Int = 1, shuffle: Bool = false, sampler: (any Sampler)? = nil, dropLast: Bool = false,
        numWorkers: Int = 0, prefetch: Int = 2, generator: Generator? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) where D.Sample == (A, B, C), Batch == (A.Batch, B.Batch, C.Batch) {
        self.init(dataset, batchSize: batchSize, shuffle: shuffle, sampler: sampler, dropLast: dropLast,
                  fetch: Self.fastFetch(dataset) ?? { indices in Collate.triples(indices.map { dataset[$0] }) },
                  numWorkers: numWorkers, prefetch: prefetch, generator: generator, file: file, line: line)
    }

    init<D: Dataset>(
        _ dataset: D, batchSize: Int, shuffle: Bool, sampler: (any Sampler)?, dropLast: Bool,
        fetch: @escaping @Sendable ([Int]) -> Batch, numWorkers: Int, prefetch: Int, generator: Generator?,
        file: StaticString, line: UInt
    ) {
        check(batchSize > 0, "DataLoader", "batchSize should be a positive integer value, but got batchSize=\(batchSize)", file: file, line: line)
        check(!(shuffle && sampler != nil), "DataLoader", "sampler option is mutually exclusive with shuffle", file: file, line: line)
        Self.checkWorkers(numWorkers, prefetch, file: file, line: line)
        let generator = generator ?? .default
        let order: any Sampler = sampler ?? (shuffle ? RandomSampler(count: dataset.count, generator: generator) : SequentialSampler(count: dataset.count))
        source = .indexed(BatchSampler(order, batchSize: batchSize, dropLast: dropLast, file: file, line: line), fetch)
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.numWorkers = numWorkers
        self.prefetch = prefetch
        self.generator = generator
    }

    /// The dataset's own `batch(at:)` when it is a `BatchedDataset` whose batch type is this
    /// loader's (it then equals the default collate, by `BatchedDataset`'s contract).
    static func fastFetch<D: Dataset>(_ dataset: D) -> (@Sendable ([Int]) -> Batch)? {
        guard let batched = dataset as? any BatchedDataset else { return nil }
        return batchedFetch(batched)
    }

    private static func batchedFetch<B: BatchedDataset>(_ dataset: B) -> (@Sendable ([Int]) -> Batch)? {
        guard B.Batch.self == Batch.self else { return nil }
        return { indices in unsafeBitCast(dataset.batch(at: indices), to: Batch.self) }
    }

    // MARK: Streams

    /// A loader over a stream with a custom collate: consecutive samples, `batchSize` at a
    /// time, in stream order (PyTorch: `DataLoader(iterable_dataset, ..., collate_fn=)`).
    ///
    /// Workers take turns reading the next `batchSize` samples from the one stream and
    /// collate them in parallel, so every sample is delivered once, in order (PyTorch
    /// instead runs a copy of the stream in each worker, which the dataset must shard).
    public init<S: IterableDataset>(
        _ stream: S, batchSize: Int = 1, dropLast: Bool = false, collate: @escaping @Sendable ([S.Element]) -> Batch,
        numWorkers: Int = 0, prefetch: Int = 2, generator: Generator? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        check(batchSize > 0, "DataLoader", "batchSize should be a positive integer value, but got batchSize=\(batchSize)", file: file, line: line)
        Self.checkWorkers(numWorkers, prefetch, file: file, line: line)
        source = .stream { StreamBatcher(stream, batchSize: batchSize, dropLast: dropLast, collate: collate) }
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.numWorkers = numWorkers
        self.prefetch = prefetch
        self.generator = generator ?? .default
    }

    /// A loader over a stream of tensors, numbers or arrays, batched by the default collate.
    public init<S: IterableDataset>(
        _ stream: S, batchSize: Int = 1, dropLast: Bool = false,
        numWorkers: Int = 0, prefetch: Int = 2, generator: Generator? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) where S.Element: Collatable, Batch == S.Element.Batch {
        self.init(stream, batchSize: batchSize, dropLast: dropLast, collate: { S.Element.collate($0) },
                  numWorkers: numWorkers, prefetch: prefetch, generator: generator, file: file, line: line)
    }

    /// A loader over a stream of pairs, each position batched by the default collate.
    public init<S: IterableDataset, A: Collatable, B: Collatable>(
        _ stream: S, batchSize: Int = 1, dropLast: Bool = false,
        numWorkers: Int = 0, prefetch: Int = 2, generator: Generator? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) where S.Element == (A, B), Batch == (A.Batch, B.Batch) {
        self.init(stream, batchSize: batchSize, dropLast: dropLast, collate: { Collate.pairs($0) },
                  numWorkers: numWorkers, prefetch: prefetch, generator: generator, file: file, line: line)
    }

    static func checkWorkers(_ numWorkers: Int, _ prefetch: Int, file: StaticString, line: UInt) {
        check(numWorkers >= 0, "DataLoader", "numWorkers option should be non-negative, got \(numWorkers)", file: file, line: line)
        check(prefetch > 0, "DataLoader", "prefetch should be positive, got \(prefetch)", file: file, line: line)
    }

    // MARK: Iteration

    /// Starts an epoch: draws the order and the per-batch seeds, and starts the workers.
    /// After `loadState`, the epoch starts at the saved batch instead of the first.
    public func makeIterator() -> Iterator {
        let claim: BatchPipeline<Batch>.Claim
        let (first, token) = progress.begin(generator, ownSamplerGenerator)
        switch source {
        case .indexed(let sampler, let fetch):
            let batches = sampler.batches()
            let seeds = BatchSeeds(generator)
            progress.setEpochBatches(batches.count, token: token)
            claim = { i in
                guard i < batches.count else { return nil }
                let indices = batches[i]
                return { TransformRandom.with(seeds.generator(forBatch: i)) { fetch(indices) } }
            }
        case .stream(let make):
            let batcher = make()
            let seeds = BatchSeeds(generator)
            // Resuming: read past the batches already handed out (a stream cannot seek).
            for _ in 0..<first { _ = batcher.next() }
            claim = { i in
                guard let work = batcher.next() else { return nil }
                return { TransformRandom.with(seeds.generator(forBatch: i)) { work() } }
            }
        }
        return Iterator(claim: claim, first: first, workers: numWorkers, window: prefetch * numWorkers, progress: progress, token: token)
    }

    /// One epoch of batches, in order. Dropping it before the end stops and joins the
    /// loader's worker threads.
    public final class Iterator: IteratorProtocol {
        private let claim: BatchPipeline<Batch>.Claim
        private let pipeline: BatchPipeline<Batch>?
        private let progress: LoaderProgress
        private let token: Int
        private var index: Int
        private var finished = false

        init(claim: @escaping BatchPipeline<Batch>.Claim, first: Int, workers: Int, window: Int, progress: LoaderProgress, token: Int) {
            self.claim = claim
            self.progress = progress
            self.token = token
            index = first
            pipeline = workers > 0 ? BatchPipeline(workers: workers, window: window, first: first, claim: claim) : nil
        }

        deinit { pipeline?.stop() }

        /// This epoch's worker threads still running (nil with `numWorkers == 0`), for tests.
        var liveWorkers: ThreadCounter? { pipeline?.liveWorkers }

        /// The next batch, or nil at the end of the epoch.
        public func next() -> Batch? {
            if finished { return nil }
            let batch: Batch?
            if let pipeline {
                batch = pipeline.next()
            } else {
                batch = claim(index).map { $0() }
                index += 1
            }
            if batch == nil {
                finished = true
                pipeline?.stop()
                progress.ended(token: token)
            } else {
                progress.delivered(token: token)
            }
            return batch
        }
    }
}

/// The per-batch generators of one epoch: batch `i` gets a generator seeded from a base seed
/// drawn from the loader's generator when the epoch starts, mixed with `i` (SplitMix64).
struct BatchSeeds: Sendable {
    let base: UInt64

    init(_ generator: Generator) {
        base = UInt64(Tensor.randint(0, Int(Int64.max), [1], generator: generator).item(as: Int64.self))
    }

    func generator(forBatch i: Int) -> Generator {
        var z = base &+ UInt64(i + 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Generator(seed: z ^ (z >> 31))
    }
}

/// Cuts a stream into batches of consecutive samples, each collated later on a worker.
/// `next()` is called under the pipeline's claim lock, one caller at a time.
final class StreamBatcher<Batch: Sendable>: @unchecked Sendable {
    private let pull: () -> (@Sendable () -> Batch)?
    private var exhausted = false

    init<S: IterableDataset>(_ stream: S, batchSize: Int, dropLast: Bool, collate: @escaping @Sendable ([S.Element]) -> Batch) {
        var iterator = stream.makeIterator()
        pull = {
            var samples: [S.Element] = []
            samples.reserveCapacity(batchSize)
            while samples.count < batchSize, let s = iterator.next() { samples.append(s) }
            if samples.isEmpty || (dropLast && samples.count < batchSize) { return nil }
            let chunk = UncheckedBox(samples)
            return { collate(chunk.value) }
        }
    }

    /// The work for the next batch, or nil once the stream has ended.
    func next() -> (@Sendable () -> Batch)? {
        if exhausted { return nil }
        let work = pull()
        if work == nil { exhausted = true }
        return work
    }
}

/// Moves a value to the worker that will use it; the pipeline's ordering makes the hand-off safe.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
