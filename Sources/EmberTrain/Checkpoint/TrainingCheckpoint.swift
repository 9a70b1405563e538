import Ember
import Foundation

/// Everything needed to continue a run exactly where it stopped (PyTorch: the dict a
/// training script passes to `torch.save` — `model.state_dict()`, `optimizer.state_dict()`,
/// `scheduler.state_dict()`, `torch.get_rng_state()`, epoch and step — here one safetensors
/// file).
///
/// Layout of `checkpoint.safetensors`:
///
/// ```
/// model.<name>        the model's state dict (parameters and buffers)
/// best.<name>         the best weights so far, when the trainer keeps them
/// optimizer.<key>     the optimizer's state dict
/// scheduler.<key>     the LR scheduler's state dict, when there is one
/// rng.<name>          generator states, int64 [2] (the bits of Generator.state)
/// __metadata__        "ember.trainer_state": TrainerState as JSON; "ember.config": the run's configuration JSON
/// ```
///
/// The file is self-contained and written atomically; `checkpoint.json` beside it repeats the
/// JSON parts for people and tools, and is never needed to resume.
public struct TrainingCheckpoint: Sendable {
    /// The model's state dict.
    public var model: TensorDict
    /// The best weights so far, if kept.
    public var bestModel: TensorDict?
    /// The optimizer's state dict.
    public var optimizer: TensorDict
    /// The LR scheduler's state dict, if there is a scheduler.
    public var scheduler: TensorDict?
    /// Generator states by name (`default`, `train_loader`, ...).
    public var rng: [String: [UInt64]]
    /// Loop position, running metrics and history.
    public var state: TrainerState
    /// The run's configuration as JSON text, if the caller gave one.
    public var configuration: String?

    /// A checkpoint from its parts.
    public init(model: TensorDict, bestModel: TensorDict?, optimizer: TensorDict, scheduler: TensorDict?,
                rng: [String: [UInt64]], state: TrainerState, configuration: String?) {
        self.model = model
        self.bestModel = bestModel
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.rng = rng
        self.state = state
        self.configuration = configuration
    }

    /// The path of the JSON sidecar of a checkpoint file: `x.safetensors` → `x.json`.
    public static func sidecarPath(for path: String) -> String {
        path.hasSuffix(".safetensors") ? String(path.dropLast(".safetensors".count)) + ".json" : path + ".json"
    }

    /// Writes the checkpoint to `path` and its sidecar beside it, each atomically.
    public func write(to path: String) throws {
        var all = TensorDict()
        for (k, v) in model { all["model." + k] = v }
        if let bestModel { for (k, v) in bestModel { all["best." + k] = v } }
        for (k, v) in optimizer { all["optimizer." + k] = v }
        if let scheduler { for (k, v) in scheduler { all["scheduler." + k] = v } }
        for name in rng.keys.sorted() {
            all["rng." + name] = Tensor(rng[name]!.map { Int64(bitPattern: $0) }, dtype: .int64)
        }
        let stateJSON = try Self.encode(state, pretty: false)
        var metadata = ["format": "pt", "ember.trainer_state": stateJSON]
        if let configuration { metadata["ember.config"] = configuration }
        try save(all, to: path, metadata: metadata)
        let sidecar = "{\n\"checkpoint\": \(Self.jsonString(path)),\n\"config\": \(configuration ?? "null"),\n\"state\": \(try Self.encode(state, pretty: true))\n}\n"
        try FileIO.writeAtomically(sidecar, to: Self.sidecarPath(for: path))
    }

    /// Reads and checks a checkpoint written by `write(to:)`.
    public static func read(from path: String) throws -> TrainingCheckpoint {
        let tensors: TensorDict, metadata: [String: String]
        do {
            (tensors, metadata) = try loadWithMetadata(path)
        } catch let e as SafetensorsError {
            if case .fileNotFound = e { throw CheckpointError.fileNotFound(path: path) }
            throw CheckpointError.invalid(path: path, detail: "\(e)")
        }
        guard let stateText = metadata["ember.trainer_state"] else {
            throw CheckpointError.invalid(path: path, detail: "no 'ember.trainer_state' metadata (is this a model file rather than a checkpoint?)")
        }
        let state: TrainerState
        do {
            state = try Self.decoder().decode(TrainerState.self, from: Data(stateText.utf8))
        } catch {
            throw CheckpointError.invalid(path: path, detail: "cannot read the trainer state: \(error)")
        }
        guard state.formatVersion == TrainerState.currentFormatVersion else {
            throw CheckpointError.invalid(path: path, detail: "format version \(state.formatVersion), this Ember reads \(TrainerState.currentFormatVersion)")
        }
        if let problem = state.problem {
            throw CheckpointError.invalid(path: path, detail: "trainer state: \(problem)")
        }
        var model = TensorDict(), best = TensorDict(), optimizer = TensorDict(), scheduler = TensorDict()
        var rng: [String: [UInt64]] = [:]
        for (k, v) in tensors {
            if k.hasPrefix("model.") { model[String(k.dropFirst(6))] = v }
            else if k.hasPrefix("best.") { best[String(k.dropFirst(5))] = v }
            else if k.hasPrefix("optimizer.") { optimizer[String(k.dropFirst(10))] = v }
            else if k.hasPrefix("scheduler.") { scheduler[String(k.dropFirst(10))] = v }
            else if k.hasPrefix("rng.") {
                guard v.dtype == .int64, v.shape == [2] else {
                    throw CheckpointError.invalid(path: path, detail: "tensor '\(k)' should be int64 [2], is \(v.dtype.rawValue) \(v.shape)")
                }
                rng[String(k.dropFirst(4))] = v.toArray(as: Int64.self).map { UInt64(bitPattern: $0) }
            } else {
                throw CheckpointError.invalid(path: path, detail: "unexpected tensor '\(k)'")
            }
        }
        if model.isEmpty { throw CheckpointError.invalid(path: path, detail: "no model.* tensors") }
        return TrainingCheckpoint(model: model, bestModel: best.isEmpty ? nil : best, optimizer: optimizer,
                                  scheduler: scheduler.isEmpty ? nil : scheduler, rng: rng, state: state,
                                  configuration: metadata["ember.config"])
    }

    /// JSON text of `value`. Non-finite numbers (a diverged loss) are written as the strings
    /// `"nan"`, `"inf"` and `"-inf"`, so the JSON stays valid and `decoder()` reads them back.
    static func encode<T: Encodable>(_ value: T, pretty: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A decoder for JSON written by `encode`.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }

    static func jsonString(_ s: String) -> String {
        String(decoding: (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8), as: UTF8.self)
    }
}

/// The trainer's own state in a checkpoint: where the loop is, the running metrics of the
/// epoch in progress, the history so far, and early-stopping and best-model bookkeeping.
public struct TrainerState: Sendable, Equatable, Codable {
    /// The layout version this Ember writes.
    public static let currentFormatVersion = 1
    /// The layout version of this state.
    public var formatVersion = TrainerState.currentFormatVersion
    /// The epoch in progress (from 0); equals the number of finished epochs at an epoch boundary.
    public var epoch = 0
    /// Batches of `epoch` finished.
    public var batch = 0
    /// Optimizer steps since training began.
    public var step = 0
    /// Running training metrics of the epoch in progress (classification).
    public var meter = ClassificationMeter()
    /// Running loss and metrics of the epoch in progress for a trainer with pluggable
    /// `metrics` (nil for classification).
    public var running: RunningMetrics?
    /// One record per finished epoch.
    public var history: [EpochRecord] = []
    /// Early-stopping bookkeeping, if early stopping is on.
    public var earlyStopping: EarlyStopping?
    /// The best monitored value so far, and its epoch (from 1).
    public var best: Double?
    /// The epoch (from 1) of `best`, 0 before any.
    public var bestEpoch = 0
    /// Seconds spent in the epoch in progress before this checkpoint.
    public var epochSeconds = 0.0
    /// Training samples of the epoch in progress before this checkpoint.
    public var epochSamples = 0
    /// Whether training has finished (all epochs, or stopped early).
    public var finished = false
    /// Whether early stopping ended training.
    public var stoppedEarly = false

    /// A state at the very start of training.
    public init() {}

    /// What is out of range in a state read from a file, or nil: counters must be
    /// non-negative and below 2^53 (so that `step + 1` and friends cannot overflow).
    var problem: String? {
        let limit = 1 << 53
        let counters = [("epoch", epoch), ("batch", batch), ("step", step), ("bestEpoch", bestEpoch),
                        ("epochSamples", epochSamples), ("meter.count", meter.count), ("meter.correct", meter.correct),
                        ("meter.topKCorrect", meter.topKCorrect), ("meter.batches", meter.batches), ("meter.topK", meter.topK - 1)]
        for (name, v) in counters where v < 0 || v >= limit { return "\(name) is \(name == "meter.topK" ? v + 1 : v), out of range" }
        if let r = running {
            for (name, v) in [("running.count", r.count), ("running.batches", r.batches)] where v < 0 || v >= limit {
                return "\(name) is \(v), out of range"
            }
            if r.states.count > 1024 || r.states.contains(where: { $0.count > 1024 }) { return "running metric states are too large" }
        }
        for r in history where r.epoch < 0 || r.epoch >= limit || r.step < 0 || r.step >= limit || r.topK < 1 || r.topK >= limit {
            return "history record of epoch \(r.epoch) has counters out of range"
        }
        return nil
    }
}
