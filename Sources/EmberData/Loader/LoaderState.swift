import Synchronization

/// Where a `DataLoader` is in a run: the epoch, the batches already handed out in it, and
/// the generator state its order and per-batch seeds come from (torchdata:
/// `StatefulDataLoader.state_dict()`). Save it with a checkpoint (it is `Codable`) and give it
/// to `DataLoader.loadState` of a loader built the same way, and the resumed loader hands
/// out exactly the batches the saved one would have, the rest of that epoch first.
///
/// ```swift
/// let saved = try JSONEncoder().encode(loader.state())
/// // ... later, in a new process:
/// try loader.loadState(JSONDecoder().decode(DataLoaderState.self, from: saved))
/// for (x, y) in loader { ... }   // the rest of the interrupted epoch
/// ```
public struct DataLoaderState: Codable, Equatable, Sendable {
    /// Epochs started before the one in progress (or the next one, between epochs).
    public var epoch: Int
    /// Batches of the epoch in progress already handed out; 0 between epochs.
    public var batch: Int
    /// The loader generator's state (`Generator.state`) when the epoch in progress began,
    /// or its current state between epochs: the epoch's order and seeds are drawn from it.
    public var generator: [UInt64]
    /// The same for a sampler's own generator (`Sampler.randomSource`) when it is not the
    /// loader's, else nil.
    public var samplerGenerator: [UInt64]?

    /// A state from its parts (as read back from a checkpoint).
    public init(epoch: Int, batch: Int, generator: [UInt64], samplerGenerator: [UInt64]? = nil) {
        self.epoch = epoch
        self.batch = batch
        self.generator = generator
        self.samplerGenerator = samplerGenerator
    }
}

/// A saved `DataLoaderState` that does not fit the loader it is loaded into.
public enum DataLoaderStateError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The state cannot belong to a loader built like this one; `detail` says why.
    case mismatch(detail: String)

    /// What is wrong, for people.
    public var description: String {
        switch self {
        case .mismatch(let d): return "DataLoader.loadState: \(d)"
        }
    }
}

/// The position bookkeeping a `DataLoader` shares among its copies and iterators. The
/// iterator started last is the one tracked.
final class LoaderProgress: Sendable {
    struct Position {
        var epoch = 0
        var batch = 0                    // handed out in the current epoch
        var inEpoch = false              // an iterator was started and has not ended
        var epochBatches: Int?           // the current epoch's batch count, when known
        var epochStart: [UInt64] = []
        var samplerEpochStart: [UInt64]?
        var resumeAt: Int?               // set by loadState, taken by the next iterator
        var token = 0                    // which iterator is current
    }

    let position = Locked(Position())

    /// Starts an epoch (called by `makeIterator`): returns the first batch to load and the
    /// iterator's token.
    func begin(_ generator: Generator, _ samplerGenerator: Generator?) -> (first: Int, token: Int) {
        position.withLock { p in
            if let resume = p.resumeAt {
                p.batch = resume
                p.resumeAt = nil
            } else {
                if p.inEpoch { p.epoch += 1 }   // the previous epoch was left early
                p.batch = 0
            }
            p.inEpoch = true
            p.epochBatches = nil
            p.epochStart = generator.state
            p.samplerEpochStart = samplerGenerator?.state
            p.token += 1
            return (first: p.batch, token: p.token)
        }
    }

    /// Records the epoch's batch count once it is known.
    func setEpochBatches(_ n: Int, token: Int) {
        position.withLock { p in if p.token == token { p.epochBatches = n } }
    }

    /// A batch was handed out by iterator `token`.
    func delivered(token: Int) {
        position.withLock { p in if p.token == token { p.batch += 1 } }
    }

    /// Iterator `token` reached the end of its epoch.
    func ended(token: Int) {
        position.withLock { p in
            if p.token == token && p.inEpoch {
                p.epoch += 1
                p.batch = 0
                p.inEpoch = false
            }
        }
    }
}

extension DataLoader {
    /// The loader's position: the epoch, the batches handed out in it, and the generator
    /// states to replay it from (torchdata: `StatefulDataLoader.state_dict()`). After the
    /// last batch of an epoch it already names the next epoch.
    ///
    /// ```swift
    /// for (i, (x, y)) in loader.enumerated() {
    ///     step(x, y)
    ///     if i == 99 { checkpoint["loader"] = loader.state(); break }
    /// }
    /// ```
    public func state() -> DataLoaderState {
        let samplerGenerator = ownSamplerGenerator
        return progress.position.withLock { p in
            if let resume = p.resumeAt {
                return DataLoaderState(epoch: p.epoch, batch: resume, generator: p.epochStart, samplerGenerator: p.samplerEpochStart)
            }
            if p.inEpoch && p.batch < (p.epochBatches ?? Int.max) {
                return DataLoaderState(epoch: p.epoch, batch: p.batch, generator: p.epochStart, samplerGenerator: p.samplerEpochStart)
            }
            // Between epochs (or after an epoch's last batch): the next one draws from now.
            return DataLoaderState(epoch: p.epoch + (p.inEpoch ? 1 : 0), batch: 0, generator: generator.state, samplerGenerator: samplerGenerator?.state)
        }
    }

    /// Puts the loader back at `state`, saved by `state()` from a loader built the same way
    /// (dataset, batch size, sampler, drop-last): the next iteration resumes the saved
    /// epoch at its next batch without loading the batches before it, and later epochs
    /// follow as they would have (torchdata: `StatefulDataLoader.load_state_dict`). Sets the
    /// loader's generator (and the sampler's own) to the saved states. Throws
    /// `DataLoaderStateError` when the state cannot belong to this loader.
    public func loadState(_ state: DataLoaderState) throws(DataLoaderStateError) {
        guard state.epoch >= 0, state.batch >= 0 else {
            throw .mismatch(detail: "epoch and batch must be non-negative, got epoch \(state.epoch), batch \(state.batch)")
        }
        if case .indexed(let batches, _) = source, state.batch > batches.count {
            throw .mismatch(detail: "the state is at batch \(state.batch), but this loader has \(batches.count) batches per epoch")
        }
        guard state.generator.count == 2 else {
            throw .mismatch(detail: "expected 2 words of generator state, got \(state.generator.count)")
        }
        let samplerGenerator = ownSamplerGenerator
        switch (samplerGenerator, state.samplerGenerator) {
        case (nil, nil): break
        case (.some, .some(let s)) where s.count == 2: break
        case (.some, .some(let s)):
            throw .mismatch(detail: "expected 2 words of sampler generator state, got \(s.count)")
        case (.some, nil):
            throw .mismatch(detail: "this loader's sampler has its own generator, but the state has no sampler generator state")
        case (nil, .some):
            throw .mismatch(detail: "the state has a sampler generator state, but this loader's sampler has no generator of its own")
        }
        generator.setState(state.generator)
        if let s = state.samplerGenerator { samplerGenerator?.setState(s) }
        progress.position.withLock { p in
            p.epoch = state.epoch
            p.batch = 0
            p.inEpoch = false
            p.epochBatches = nil
            p.epochStart = state.generator
            p.samplerEpochStart = state.samplerGenerator
            p.resumeAt = state.batch > 0 ? state.batch : nil
            p.token += 1   // an iterator still running no longer moves the position
        }
    }

    /// The sampler's generator when it has one that is not the loader's.
    var ownSamplerGenerator: Generator? {
        guard case .indexed(let batches, _) = source, let g = batches.sampler.randomSource, g !== generator else { return nil }
        return g
    }
}
