import Ember
import EmberData
import EmberDistributed
import EmberNN
import EmberOptim

/// Batches of `(input, target)` tensors, for any task: `([N, ...] inputs, [N] int64
/// labels)` for classification, `([N, F], [N])` floats for regression, `([N, T], [N, T])`
/// token ids for a language model, `([N, 2] user and item ids, [N] ratings)` for
/// recommendation.
public typealias TrainingLoader = DataLoader<(Tensor, Tensor)>

/// Batches of a classification data set: `([N, ...] inputs, [N] int64 labels)`.
public typealias ClassificationLoader = TrainingLoader

/// Runs the epochs of a training loop — forward, loss, backward, clip, step, schedule —
/// with validation, metrics, early stopping, checkpoints and exact resume, for any model and
/// loss (the loop a PyTorch script writes by hand; Keras: `model.fit`; PyTorch Lightning:
/// `Trainer.fit`).
///
/// By default it trains a classifier (cross-entropy; accuracy, top-k accuracy and the
/// confusion matrix). Setting `metrics` makes it task-generic: the loss is whatever
/// `lossFunction` computes, and the records carry `train_<name>` and `val_<name>` for each
/// `Metric` (mean squared error and R² for regression, perplexity for a language model, HR@10
/// for recommendation), any of which early stopping or the best-weights monitor can watch.
///
/// ```swift
/// let trainer = Trainer(model: model, optimizer: Adam(model.parameters(), lr: 1e-3),
///                       lossFunction: { mseLoss($0.squeeze(1), $1) })
/// trainer.metrics = [MeanSquaredError(), MeanAbsoluteError(), R2Score()]
/// trainer.earlyStopping = EarlyStopping(monitor: Monitor("val_r2"), patience: 10)
/// try trainer.fit(trainLoader, validation: valLoader, epochs: 100)
/// ```
///
/// ```swift
/// let model = Sequential(Flatten(), Linear(784, 128), ReLU(), Linear(128, 10))
/// let optimizer = Adam(model.parameters(), lr: 1e-3)
/// let trainer = Trainer(model: model, optimizer: optimizer)
/// trainer.schedule = .perEpoch(CosineAnnealingLR(optimizer, tMax: 5))
/// trainer.checkpointPath = "runs/mlp/checkpoint.safetensors"
/// trainer.callbacks.append(ProgressReporter())
/// let history = try trainer.fit(trainLoader, validation: valLoader, epochs: 5)
/// ```
///
/// **Exact resume.** A checkpoint holds the model, the optimizer and scheduler state, the
/// generators' states (`Generator.default`, which Dropout uses, and each loader's), the loop
/// position, the running metrics of the epoch in progress and the history. A run resumed
/// with `resume(from:)` — built the same way, with loaders of the same data, batch size and
/// seeds — goes on to the same weights, bit for bit, as a run never interrupted: the epoch in
/// progress resumes through `DataLoader.loadState`: the loader redraws the epoch's order
/// from its state at the epoch's start and goes on after the batches done, without loading them.
///
/// **Non-finite loss.** A NaN or infinite loss stops training with
/// `TrainingError.nonFiniteLoss` before the step is taken; the last checkpoint is kept. With
/// `divergenceFactor` set, an epoch whose mean loss is not finite or has grown past that
/// factor of the first epoch's stops training with `TrainingError.diverged`.
public final class Trainer {
    /// The model being trained.
    public let model: Module
    /// The optimizer updating `model`'s parameters.
    public let optimizer: any Optimizer
    /// The loss of a batch: `(logits, targets) -> scalar` (default: cross-entropy).
    public var lossFunction: (Tensor, Tensor) -> Tensor
    /// When the learning-rate scheduler steps.
    public var schedule: LRSchedule = .none
    /// Clips the total gradient norm to this value before each step, when set
    /// (PyTorch: `clip_grad_norm_`). A non-finite norm stops training.
    public var gradientClipNorm: Double?
    /// Stops training with `TrainingError.diverged` when an epoch's mean training loss is not
    /// finite or exceeds this factor times the first epoch's (say `1e3`), before that epoch is
    /// validated, recorded or checkpointed; nil (the default) never stops for it. A batch
    /// whose own loss is not finite always stops training (`nonFiniteLoss`).
    public var divergenceFactor: Double?
    /// The metric that picks the best weights (validation falls back to training metrics).
    public var monitor: Monitor = .valLoss
    /// Early stopping, when set; its monitor replaces `monitor`.
    public var earlyStopping: EarlyStopping? {
        get { state.earlyStopping }
        set { state.earlyStopping = newValue }
    }
    /// The `k` of the top-k accuracy recorded for validation.
    public var topK = 5
    /// Pluggable metrics, fresh (nothing added): when set, the trainer is task-generic and
    /// records these instead of classification accuracy. Nil (the default) is classification.
    public var metrics: [any Metric]?
    /// Metrics for validation only, when they differ from `metrics` (ranking metrics over
    /// candidate lists, say); nil uses `metrics`.
    public var validationMetrics: [any Metric]?
    /// The validation loss, when it differs from `lossFunction`; nil uses `lossFunction`.
    public var validationLossFunction: ((Tensor, Tensor) -> Tensor)?
    /// The number of items a batch's mean loss is averaged over, from its target: the batch
    /// size by default; `{ $0.numel }` weights a language model's loss per token, and makes the
    /// throughput tokens per second.
    public var itemCount: (Tensor) -> Int = { $0.dim == 0 ? 1 : $0.shape[0] }
    /// Where the last checkpoint is written (atomically, with a `.json` sidecar), or nil for
    /// none; a missing folder is created.
    public var checkpointPath: String?
    /// Also checkpoint every this many optimizer steps (besides each epoch's end), when set.
    public var checkpointEverySteps: Int?
    /// Where the best weights are written as a plain state dict PyTorch can load, or nil; a
    /// missing folder is created.
    public var bestModelPath: String?
    /// The run's configuration as JSON text, stored in every checkpoint.
    public var configuration: String?
    /// Called as training proceeds, in order.
    public var callbacks: [any TrainingCallback] = []
    /// Polled after every step; when it returns true the trainer checkpoints and throws
    /// `TrainingError.interrupted` (wire it to a SIGINT flag).
    public var stopRequested: () -> Bool = { false }
    /// Data-parallel training: the wrapper whose forward and backward average the gradients
    /// over its process group. Every rank runs `fit` with its own share of each batch; the
    /// ranks agree every step on the loss and on stopping, metrics are summed over the ranks,
    /// and checkpoints hold the whole job's state (set `checkpointPath` on rank 0 only).
    public var distributed: DistributedDataParallel?
    /// Computes each batch's gradient as fixed shards in a fixed order, so that the weights do
    /// not depend on the number of processes (see `GradientShards`); nil is the plain step.
    public var gradientShards: GradientShards?
    /// The training loader's sampler when it is a `DistributedSampler`: its epoch is set at the
    /// start of every epoch.
    public var distributedSampler: DistributedSampler?

    /// Loop position, running metrics and history.
    public private(set) var state = TrainerState()
    /// The last checkpoint written or resumed from.
    public private(set) var lastCheckpoint: String?
    /// The best weights so far (copies), when known.
    public private(set) var bestWeights: TensorDict?
    private var pendingRNG: [String: [UInt64]]?

    /// A trainer for `model` with `optimizer`; the loss defaults to `CrossEntropyLoss()`.
    public init(model: Module, optimizer: any Optimizer, lossFunction: ((Tensor, Tensor) -> Tensor)? = nil) {
        self.model = model
        self.optimizer = optimizer
        let ce = CrossEntropyLoss()
        self.lossFunction = lossFunction ?? { ce($0, $1) }
    }

    /// The records of the finished epochs.
    public var history: [EpochRecord] { state.history }

    // MARK: Resume

    /// Loads a checkpoint written by a trainer built the same way: model, optimizer,
    /// scheduler, generator states, position and history. Call `fit` next with the same
    /// loaders and number of epochs. Throws `CheckpointError` (naming the file) when the file
    /// is missing, corrupt, or belongs to another model, optimizer or scheduler; nothing is
    /// changed then.
    public func resume(from path: String) throws {
        let ckpt = try TrainingCheckpoint.read(from: path)
        let modelBefore = model.stateDict().map { entry in (entry.key, withNoGrad { entry.value.clone() }) }
        do {
            try model.loadStateDict(ckpt.model)
        } catch {
            throw CheckpointError.mismatch(path: path, detail: "model: \(error)")
        }
        func undoModel() {
            var d = TensorDict()
            for (k, v) in modelBefore { d[k] = v }
            _ = try? model.loadStateDict(d)
        }
        let optimizerBefore = optimizer.stateDict()
        do {
            try optimizer.loadStateDict(ckpt.optimizer)
        } catch {
            undoModel()
            throw CheckpointError.mismatch(path: path, detail: "optimizer: \(error)")
        }
        switch (schedule.stateDict(), ckpt.scheduler) {
        case (nil, nil): break
        case (.some, .some(let saved)):
            do { try schedule.loadStateDict(saved) } catch {
                undoModel()
                try? optimizer.loadStateDict(optimizerBefore)
                throw CheckpointError.mismatch(path: path, detail: "scheduler: \(error)")
            }
        case (.some, nil), (nil, .some):
            undoModel()
            try? optimizer.loadStateDict(optimizerBefore)
            let saved = ckpt.scheduler == nil ? "has no scheduler state" : "has scheduler state"
            throw CheckpointError.mismatch(path: path, detail: "the checkpoint \(saved) but this run \(ckpt.scheduler == nil ? "uses" : "has no") LR scheduler")
        }
        state = ckpt.state
        if let group = distributed?.processGroup, group.rank != 0 {
            // The checkpoint's running metrics are the whole job's: one rank carries them on.
            state.meter = ClassificationMeter(topK: state.meter.topK)
        }
        bestWeights = ckpt.bestModel
        pendingRNG = ckpt.rng
        lastCheckpoint = path
    }

    // MARK: Fit

    /// Trains for `epochs` epochs in total (counting those before a resume), validating
    /// after each when `validation` is given; returns the history. The loaders should have
    /// their own generators (`DataLoader(..., generator:)`) so that their randomness is
    /// saved and replayed on resume.
    @discardableResult
    public func fit(_ train: ClassificationLoader, validation: ClassificationLoader? = nil, epochs: Int) throws -> [EpochRecord] {
        check(epochs >= 0, "Trainer.fit", "epochs must be >= 0, got \(epochs)")
        if state.finished { return state.history }
        let batches = train.count
        check(batches > 0, "Trainer.fit", "the training loader has no batches")
        for c in callbacks { c.trainingWillStart(startEpoch: state.epoch, epochs: epochs, batchesPerEpoch: batches) }
        while state.epoch < epochs && !state.stoppedEarly {
            try runEpoch(train, validation: validation, epochs: epochs)
        }
        state.finished = true
        if state.stoppedEarly, earlyStopping?.restoreBestWeights == true, let best = bestWeights {
            try model.loadStateDict(best)
        }
        try saveCheckpoint(epochStart: train.generator.state, samplerStart: train.state().samplerGenerator, train: train, validation: validation)
        for c in callbacks { c.trainingDidEnd(history: state.history, stoppedEarly: state.stoppedEarly) }
        return state.history
    }

    /// The generators whose states a checkpoint keeps.
    private func generators(_ train: ClassificationLoader, _ validation: ClassificationLoader?) -> [(String, Generator)] {
        var out: [(String, Generator)] = [("default", Generator.default), ("train_loader", train.generator)]
        if let validation { out.append(("val_loader", validation.generator)) }
        return out
    }

    private func restoreGenerators(_ saved: [String: [UInt64]], _ train: ClassificationLoader, _ validation: ClassificationLoader?) {
        for (name, g) in generators(train, validation) { if let s = saved[name] { g.setState(s) } }
    }

    private func runEpoch(_ train: ClassificationLoader, validation: ClassificationLoader?, epochs: Int) throws {
        let epoch = state.epoch
        let batches = train.count
        let epochStart: [UInt64]
        let samplerStart: [UInt64]?
        let iterator: ClassificationLoader.Iterator
        let pending = pendingRNG
        pendingRNG = nil
        distributedSampler?.setEpoch(epoch)
        if let pending, state.batch > 0, let start = pending["train_loader_epoch_start"] {
            // Mid-epoch: the loader redraws the epoch's order from its state at the epoch's
            // start and goes on after the batches done; then every generator is put back.
            do {
                try train.loadState(DataLoaderState(epoch: epoch, batch: state.batch, generator: start,
                                                    samplerGenerator: pending["train_loader_sampler_epoch_start"]))
            } catch {
                throw CheckpointError.mismatch(path: lastCheckpoint ?? "checkpoint", detail: "training loader: \(error)")
            }
            epochStart = start
            samplerStart = pending["train_loader_sampler_epoch_start"]
            iterator = train.makeIterator()
            restoreGenerators(pending, train, validation)
        } else {
            if let pending {
                restoreGenerators(pending, train, validation)
                if let sampler = pending["train_loader_sampler_epoch_start"] {
                    do {
                        try train.loadState(DataLoaderState(epoch: epoch, batch: 0, generator: train.generator.state, samplerGenerator: sampler))
                    } catch {
                        throw CheckpointError.mismatch(path: lastCheckpoint ?? "checkpoint", detail: "training loader: \(error)")
                    }
                }
            }
            state.batch = 0
            state.meter = ClassificationMeter(topK: topK)
            state.running = metrics.map { RunningMetrics(fresh: $0) }
            state.epochSeconds = 0
            state.epochSamples = 0
            epochStart = train.generator.state
            samplerStart = train.state().samplerGenerator
            iterator = train.makeIterator()
        }
        for c in callbacks { c.epochWillStart(epoch: epoch, epochs: epochs, batches: batches, firstBatch: state.batch) }

        var results = try runningResults()
        model.train()
        let params = model.parameters()
        let started = monotonicSeconds()
        let secondsBefore = state.epochSeconds
        var samples = 0, done = 0
        while let (x, y) = iterator.next() {
            optimizer.zeroGrad()
            let out: Tensor, targets: Tensor, localValue: Double
            if let shards = gradientShards {
                let r = try shards.backward(inputs: x, targets: y, parameters: params, ddp: distributed, module: model,
                                            forward: { [model] in model($0) }, loss: lossFunction)
                (out, targets, localValue) = (r.logits, r.targets, r.loss)
            } else {
                out = model(x)
                let loss = lossFunction(out, y)
                localValue = loss.item()
                if localValue.isFinite { loss.backward() }
                targets = y
            }
            // The ranks agree on the loss (their mean), so they take the same path.
            let value = try agreeOnStep(localValue, stop: false).loss
            guard value.isFinite else {
                throw TrainingError.nonFiniteLoss(value: value, epoch: epoch + 1, batch: state.batch + 1, step: state.step + 1, lastCheckpoint: lastCheckpoint)
            }
            if let maxNorm = gradientClipNorm {
                do {
                    try clipGradNorm_(params, maxNorm: maxNorm, errorIfNonfinite: true)
                } catch {
                    throw TrainingError.nonFiniteGradient(norm: error.totalNorm, epoch: epoch + 1, batch: state.batch + 1, step: state.step + 1, lastCheckpoint: lastCheckpoint)
                }
            }
            optimizer.step()
            if case .perBatch(let s) = schedule { s.step() }
            // Items of the global batch (samples, tokens, ratings): every rank's share.
            let localItems = itemCount(targets)
            let items = localItems * (distributed?.processGroup.worldSize ?? 1)
            if results != nil {
                results!.add(loss: value, count: localItems, output: out, target: targets)
                state.running = results!.running
            } else {
                state.meter.add(loss: value, logits: out, targets: targets)
            }
            state.batch += 1
            state.step += 1
            samples += items
            done += 1
            state.epochSamples += items
            let elapsed = monotonicSeconds() - started
            state.epochSeconds = secondsBefore + elapsed
            if !callbacks.isEmpty {
                let event = BatchEvent(epoch: epoch, epochs: epochs, batch: state.batch, batches: batches, step: state.step, loss: value,
                                       meter: state.meter, lr: optimizer.paramGroups[0].lr, samplesSinceStart: samples,
                                       batchesSinceStart: done, secondsSinceStart: elapsed,
                                       epochLoss: results?.loss ?? state.meter.loss,
                                       metricValues: results?.values ?? [("acc", state.meter.accuracy)])
                for c in callbacks { c.batchDidEnd(event) }
            }
            let stop = try agreeOnStep(0, stop: stopRequested()).stop
            if stop || (checkpointEverySteps.map { state.step % $0 == 0 } ?? false) {
                try saveCheckpoint(epochStart: epochStart, samplerStart: samplerStart, train: train, validation: validation)
            }
            if stop {
                throw TrainingError.interrupted(epoch: epoch + 1, batch: state.batch, checkpoint: checkpointPath)
            }
        }
        try finishEpoch(train, validation: validation, epochs: epochs)
        if try agreeOnStep(0, stop: stopRequested()).stop {
            throw TrainingError.interrupted(epoch: epoch + 1, batch: batches, checkpoint: checkpointPath)
        }
    }

    /// Validation, the epoch's record, scheduler and early stopping, best weights, checkpoint.
    private func finishEpoch(_ train: ClassificationLoader, validation: ClassificationLoader?, epochs: Int) throws {
        let epoch = state.epoch
        state.meter = try aggregated(state.meter)
        if let factor = divergenceFactor {
            let loss = state.running?.loss ?? state.meter.loss
            let first = state.history.first?.trainLoss
            let grew = first.map { $0.isFinite && $0 > 0 && loss > factor * $0 } ?? false
            if !loss.isFinite || grew {
                throw TrainingError.diverged(loss: loss, firstEpochLoss: first, factor: factor, epoch: epoch + 1,
                                             step: state.step, lastCheckpoint: lastCheckpoint)
            }
        }
        let lr = optimizer.paramGroups[0].lr
        var val: ClassificationMeter?
        var valResults: MetricResults?
        let validationStarted = monotonicSeconds()
        if let validation {
            for c in callbacks { c.validationWillStart(epoch: epoch) }
            if metrics != nil { valResults = evaluateMetrics(validation) } else { val = evaluate(validation) }
        }
        let seconds = state.epochSeconds + (monotonicSeconds() - validationStarted)
        let rate = state.epochSeconds > 0 ? Double(state.epochSamples) / state.epochSeconds : 0
        let record: EpochRecord
        if let train = try runningResults() {
            var columns: [String: Double] = [:]
            for (name, v) in train.values { columns["train_" + name] = v }
            for (name, v) in valResults?.values ?? [] { columns["val_" + name] = v }
            record = EpochRecord(epoch: epoch + 1, step: state.step, trainLoss: train.loss, trainAccuracy: nil,
                                 valLoss: valResults?.loss, valAccuracy: nil, valTopKAccuracy: nil, topK: topK, lr: lr,
                                 seconds: seconds, samplesPerSecond: rate, metrics: columns)
        } else {
            record = EpochRecord(
                epoch: epoch + 1, step: state.step, trainLoss: state.meter.loss, trainAccuracy: state.meter.accuracy,
                valLoss: val?.loss, valAccuracy: val?.accuracy, valTopKAccuracy: val?.topKAccuracy, topK: topK, lr: lr,
                seconds: seconds, samplesPerSecond: rate)
        }

        switch schedule {
        case .perEpoch(let s): s.step()
        case .onPlateau(let s, let metric):
            if let v = record.value(of: metric) ?? record.value(of: metric.trainingFallback) { s.step(metric: v) }
        case .none, .perBatch: break
        }
        // The best epoch: early stopping's judgement when it is on, else the monitor's.
        var isBest = false
        if var es = state.earlyStopping {
            isBest = es.update(record)
            state.earlyStopping = es
            if es.shouldStop { state.stoppedEarly = true }
            if isBest { (state.best, state.bestEpoch) = (es.best, es.bestEpoch) }
        } else if let v = record.value(of: monitor) ?? record.value(of: monitor.trainingFallback),
                  isImprovement(v, over: state.best, higherIsBetter: monitor.higherIsBetter, minDelta: 0) {
            (state.best, state.bestEpoch) = (v, record.epoch)
            isBest = true
        }
        if isBest {
            var copy = TensorDict()
            for (k, t) in model.stateDict() { copy[k] = withNoGrad { t.clone() } }
            bestWeights = copy
            if let bestModelPath {
                try FileIO.makeParentDirectories(of: bestModelPath)
                try save(copy, to: bestModelPath, metadata: ["format": "pt"])
            }
        }
        state.history.append(record)
        state.epoch += 1
        state.batch = 0
        state.meter = ClassificationMeter(topK: topK)
        state.running = metrics.map { RunningMetrics(fresh: $0) }
        state.epochSeconds = 0
        state.epochSamples = 0
        for c in callbacks { c.epochDidEnd(record, isBest: isBest) }
        try saveCheckpoint(epochStart: train.generator.state, samplerStart: train.state().samplerGenerator, train: train, validation: validation)
    }

    /// Writes the checkpoint (if a path is set). `epochStart` is the training loader's
    /// generator state when the epoch in progress began (its current state at a boundary).
    /// `samplerStart` is the same for the loader's sampler's own generator, if it has one.
    private func saveCheckpoint(epochStart: [UInt64], samplerStart: [UInt64]?, train: ClassificationLoader, validation: ClassificationLoader?) throws {
        // Every rank takes part in summing the running metrics; rank 0 writes them.
        var state = self.state
        state.meter = try aggregated(state.meter)
        guard let path = checkpointPath else { return }
        var rng: [String: [UInt64]] = ["train_loader_epoch_start": epochStart]
        if let samplerStart { rng["train_loader_sampler_epoch_start"] = samplerStart }
        for (name, g) in generators(train, validation) { rng[name] = g.state }
        let ckpt = TrainingCheckpoint(model: model.stateDict(), bestModel: bestWeights, optimizer: optimizer.stateDict(),
                                      scheduler: schedule.stateDict(), rng: rng, state: state, configuration: configuration)
        try FileIO.makeParentDirectories(of: path)
        try ckpt.write(to: path)
        lastCheckpoint = path
        for c in callbacks { c.checkpointDidSave(path: path, epoch: state.epoch, batch: state.batch) }
    }

    // MARK: Evaluate

    /// Loss, accuracy, top-k accuracy and confusion matrix of the model on `loader`, in eval
    /// mode and without gradients; the model's training mode is put back afterwards.
    public func evaluate(_ loader: ClassificationLoader) -> ClassificationMeter {
        evaluateClassifier(model, on: loader, topK: topK, lossFunction: lossFunction)
    }

    /// The loss and the validation metrics (`validationMetrics ?? metrics`) of the model on
    /// `loader`, in eval mode and without gradients.
    public func evaluateMetrics(_ loader: TrainingLoader) -> MetricResults {
        EmberTrain.evaluate(model, on: loader, lossFunction: validationLossFunction ?? lossFunction,
                            metrics: validationMetrics ?? metrics ?? [], itemCount: itemCount)
    }

    /// The running metrics of the epoch in progress (nil for classification), continuing
    /// the state a checkpoint restored.
    private func runningResults() throws -> MetricResults? {
        guard let metrics else { return nil }
        let running = state.running ?? RunningMetrics(fresh: metrics)
        guard let results = MetricResults(metrics, running: running) else {
            throw CheckpointError.mismatch(path: lastCheckpoint ?? "checkpoint",
                                           detail: "the running metrics do not fit this trainer's metrics (\(metrics.map(\.name)))")
        }
        return results
    }
}

/// The mean loss and `metrics` of `model` on `loader`, in eval mode and without gradients
/// (PyTorch: the `model.eval(); with torch.no_grad(): ...` loop with torchmetrics). The
/// model's training mode is put back afterwards.
///
/// ```swift
/// let r = evaluate(model, on: valLoader, lossFunction: { mseLoss($0, $1) }, metrics: [R2Score()])
/// print(r.loss, r["r2"]!)
/// ```
public func evaluate(_ model: Module, on loader: TrainingLoader, lossFunction: (Tensor, Tensor) -> Tensor,
                     metrics: [any Metric], itemCount: (Tensor) -> Int = { $0.dim == 0 ? 1 : $0.shape[0] }) -> MetricResults {
    let wasTraining = model.training
    _ = model.eval()
    defer { _ = model.train(wasTraining) }
    var results = MetricResults(metrics)
    withNoGrad {
        for (x, y) in loader {
            let out = model(x)
            results.add(loss: lossFunction(out, y).item(), count: itemCount(y), output: out, target: y)
        }
    }
    return results
}

/// Loss, accuracy, top-k accuracy and the confusion matrix of `model` on `loader`, in eval
/// mode and without gradients (PyTorch: the `model.eval(); with torch.no_grad(): ...` loop).
/// The model's training mode is put back afterwards.
///
/// ```swift
/// let result = evaluateClassifier(model, on: testLoader)
/// print(result.accuracy, result.confusion!.report(classNames: FashionMNIST.classes))
/// ```
public func evaluateClassifier(_ model: Module, on loader: ClassificationLoader, topK: Int = 5,
                               lossFunction: ((Tensor, Tensor) -> Tensor)? = nil) -> ClassificationMeter {
    let wasTraining = model.training
    _ = model.eval()
    defer { _ = model.train(wasTraining) }
    let ce = CrossEntropyLoss()
    let loss = lossFunction ?? { ce($0, $1) }
    var meter = ClassificationMeter(topK: topK, confusion: true)
    withNoGrad {
        for (x, y) in loader {
            let out = model(x)
            meter.add(loss: loss(out, y).item(), logits: out, targets: y)
        }
    }
    return meter
}
