import Ember
import EmberData
import EmberDistributed
import EmberNN
import EmberOptim

/// One `ember train` run from its configuration: builds the data, model, optimizer and
/// schedule, trains with progress, checkpoints and metric files in the run folder, then
/// evaluates the best weights on the test set.
///
/// Files in the run folder:
///
/// | file | what |
/// |---|---|
/// | `config.json` | the `RunConfig` |
/// | `metrics.csv`, `metrics.jsonl` | one record per epoch |
/// | `loss.svg`, `accuracy.svg` | curves per epoch |
/// | `model.safetensors` | the best weights (a plain state dict PyTorch loads) |
/// | `checkpoint.safetensors` + `checkpoint.json` | the last checkpoint, for `--resume` |
/// | `confusion.svg`, `test.json` | the test-set evaluation of the best weights |
///
/// ```swift
/// var config = RunConfig()
/// config.out = "runs/cnn"
/// let summary = try TrainingRun(config: config).run()
/// print(summary.testAccuracy!)
/// ```
public final class TrainingRun {
    /// The run's settings.
    public let config: RunConfig
    /// Whether this run continues the checkpoint in its folder.
    public let resuming: Bool
    /// Where progress goes.
    public var console: Console
    /// Polled after every step; true checkpoints and stops (Ctrl-C).
    public var stopRequested: () -> Bool = { false }
    /// Loader threads to use instead of the configuration's (results do not depend on it).
    public var workersOverride: Int?
    /// Stop when an epoch's training loss is not finite or grows past this factor of the first
    /// epoch's (`Trainer.divergenceFactor`); nil never stops for it. Not part of the saved
    /// configuration: it changes nothing unless training diverges.
    public var divergenceFactor: Double? = 1e3
    /// The processes training together (`ember train --distributed` under `mpirun`), or nil to
    /// train alone. Every rank runs `run()`; rank 0 alone prints and writes the run folder.
    /// The configuration's `batchSize` is per process, its global batch is kept when a run is
    /// resumed with another number of processes.
    public var processGroup: ProcessGroup?

    /// A new run; `run()` refuses a folder that already holds one.
    public init(config: RunConfig, console: Console = Console()) {
        self.config = config
        self.console = console
        resuming = false
    }

    /// The run saved in `folder`, to be continued from its last checkpoint.
    public init(resuming folder: String, console: Console = Console()) throws {
        let configPath = folder + "/config.json"
        guard FileIO.isDirectory(folder) else { throw RunError.badRunFolder(path: folder, detail: "no such run folder") }
        guard FileIO.exists(folder + "/checkpoint.safetensors") else {
            throw RunError.badRunFolder(path: folder, detail: "no checkpoint.safetensors to resume from")
        }
        let text: String
        do { text = try FileIO.read(configPath) } catch {
            throw RunError.badRunFolder(path: folder, detail: "cannot read config.json: \(error)")
        }
        var config = try RunConfig.parse(text, path: configPath)
        config.out = folder
        self.config = config
        self.console = console
        resuming = true
    }

    /// The path of `name` in the run folder.
    public func path(_ name: String) -> String { config.out + "/" + name }

    /// Trains (or resumes) to the end, then evaluates on the test set. Throws
    /// `TrainingError` when stopped (Ctrl-C, non-finite loss), `RunError`, `DataError` or
    /// `CheckpointError` for problems with settings or files.
    @discardableResult
    public func run() throws -> RunSummary {
        try config.validate()
        if let f = divergenceFactor, !(f > 1) || !f.isFinite {
            throw RunError.badConfig("--divergence-factor must be a finite number > 1, got \(f.isNaN ? "nan" : "\(f)")")
        }
        if let w = workersOverride, w < 0 || w > RunConfig.maxWorkers {
            throw RunError.badConfig("--workers must be in 0...\(RunConfig.maxWorkers), got \(w)")
        }
        let rank = processGroup?.rank ?? 0, world = processGroup?.worldSize ?? 1
        let isMain = rank == 0
        if world > 1 && config.gradShards == nil {
            throw RunError.badConfig("this run sums its gradients in no fixed order (no --grad-shards): resume it with one process")
        }
        if let k = config.gradShards, k % world != 0 || config.globalBatchSize % world != 0 {
            throw RunError.unsupportedWorldSize(processes: world, shards: k)
        }
        let checkpoint = path("checkpoint.safetensors")
        if isMain && !resuming && FileIO.exists(checkpoint) { throw RunError.runExists(path: config.out) }
        if config.resolvedTask != .classification { return try TaskRun(run: self).train() }
        var dataConfig = config
        if let w = workersOverride { dataConfig.workers = w }
        dataConfig.batchSize = config.globalBatchSize / world
        let data: RunData
        do {
            data = try RunData(config: dataConfig, rank: rank, worldSize: world)
        } catch {
            throw world > 1 ? RunError.rankFailed(rank: rank, error: "\(error)") : error
        }
        if data.train.count == 0 {
            // Gradient shards drop an epoch's last incomplete global batch: none may be all there is.
            throw RunError.badConfig("\(config.dataset): the \(data.trainCount) training samples do not fill one batch of \(config.globalBatchSize)"
                + (world > 1 ? " (--batch-size × \(world) processes)" : "") + ": lower --batch-size")
        }
        if isMain && !resuming {
            try FileIO.makeDirectories(config.out)
            try FileIO.writeAtomically(try config.json(), to: path("config.json"))
        }
        manualSeed(config.seed)
        let model = try ModelZoo.make(config, inputFeatures: data.inputFeatures, numClasses: data.numClasses,
                                      pixelStatistics: data.pixelStatistics, imageShape: data.imageShape)
        let optimizer = makeOptimizer(model.parameters())
        let smoothing = config.labelSmoothing ?? 0
        let trainer = Trainer(model: model, optimizer: optimizer,
                              lossFunction: smoothing > 0 ? { crossEntropy($0, $1, labelSmoothing: smoothing) } : nil)
        if let k = config.gradShards {
            trainer.gradientShards = try GradientShards(total: k, worldSize: world, rank: rank)
            trainer.distributedSampler = data.trainSampler
        }
        if let group = processGroup {
            trainer.distributed = try DistributedDataParallel(model, processGroup: group)
        }
        trainer.schedule = makeSchedule(optimizer, batchesPerEpoch: data.train.count)
        trainer.gradientClipNorm = config.clipGradNorm
        trainer.monitor = .valAccuracy
        if let patience = config.earlyStopping {
            trainer.earlyStopping = EarlyStopping(monitor: .valAccuracy, patience: patience)
        }
        trainer.checkpointPath = isMain ? checkpoint : nil
        trainer.checkpointEverySteps = config.checkpointEvery
        trainer.bestModelPath = isMain ? path("model.safetensors") : nil
        trainer.configuration = try config.json()
        // An image that fails to decode in a loader worker stops the run with its DataError.
        let decodeErrors = data.decodeErrors
        trainer.stopRequested = { [unowned self] in self.stopRequested() || decodeErrors?.error != nil }
        trainer.divergenceFactor = divergenceFactor
        if resuming {
            // Temporary files of a run killed while writing (SIGKILL, power loss).
            if isMain { for name in StaleTemporaries.remove(in: config.out) { console.line("Removed \(path(name)), left by a killed run") } }
            try trainer.resume(from: checkpoint)
        }

        if isMain && (!resuming || trainer.state.step == 0) {
            console.line("Training \(config.model.rawValue) (\(Format.grouped(model.numParameters)) parameters) on \(config.dataset): "
                + "\(Format.grouped(data.trainCount)) training samples, \(data.train.count) batches of \(config.globalBatchSize) per epoch"
                + (world > 1 ? " (\(dataConfig.batchSize) on each of \(world) processes)" : "")
                + (data.validation != nil ? ", \(Int((config.valSplit * 100).rounded()))% held out for validation" : ""))
        }
        let files = RunFiles(folder: config.out, history: trainer.history)
        trainer.callbacks = isMain ? [ProgressReporter(console: console), files] : []
        let started = monotonicSeconds()
        do {
            try trainer.fit(data.train, validation: data.validation, epochs: config.epochs)
        } catch {
            if let decodeError = decodeErrors?.error { throw decodeError }
            throw error
        }
        try decodeErrors?.check()
        let trainSeconds = monotonicSeconds() - started

        // Test the best weights (the last ones when none were kept).
        if let best = trainer.bestWeights { try model.loadStateDict(best) }
        var test: ClassificationMeter?
        if isMain, let loader = data.test {
            let result = evaluateClassifier(model, on: loader)
            test = result
            if let cm = result.confusion {
                try FileIO.writeAtomically(cm.svg(classNames: data.classNames, title: "Test confusion matrix"), to: path("confusion.svg"))
            }
            try FileIO.writeAtomically(TestReport(meter: result, bestEpoch: trainer.state.bestEpoch).json(), to: path("test.json"))
        }
        return RunSummary(folder: config.out, history: trainer.history, bestEpoch: trainer.state.bestEpoch,
                          stoppedEarly: trainer.state.stoppedEarly, test: test, classNames: data.classNames,
                          trainSeconds: trainSeconds)
    }

    func makeOptimizer(_ params: [Tensor]) -> any Optimizer {
        switch config.optimizer {
        case .sgd: return SGD(params, lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay, nesterov: config.nesterov ?? false)
        case .adam: return Adam(params, lr: config.lr, weightDecay: config.weightDecay)
        case .adamw: return AdamW(params, lr: config.lr, weightDecay: config.weightDecay)
        }
    }

    func makeSchedule(_ optimizer: any Optimizer, batchesPerEpoch: Int) -> LRSchedule {
        switch config.scheduler {
        case .none: return .none
        case .step: return .perEpoch(StepLR(optimizer, stepSize: max(1, config.epochs / 3), gamma: 0.1))
        case .cosine: return .perEpoch(CosineAnnealingLR(optimizer, tMax: config.epochs))
        case .onecycle: return .perBatch(OneCycleLR(optimizer, maxLR: config.lr, totalSteps: config.epochs * batchesPerEpoch))
        case .plateau: return .onPlateau(ReduceLROnPlateau(optimizer, factor: 0.1, patience: 2), monitor: .valLoss)
        }
    }
}

/// What a finished run reports.
public struct RunSummary {
    /// The run folder.
    public let folder: String
    /// One record per epoch.
    public let history: [EpochRecord]
    /// The epoch (from 1) whose weights are in `model.safetensors`.
    public let bestEpoch: Int
    /// Whether early stopping ended the run.
    public let stoppedEarly: Bool
    /// The test-set evaluation of the best weights, when the data set has a test set.
    public let test: ClassificationMeter?
    /// The class names.
    public let classNames: [String]
    /// Seconds spent in `fit` in this process.
    public let trainSeconds: Double
    /// For tasks other than classification: the validation loss and metrics of the best
    /// weights (`loss`, `mse`, `r2`, ...), when there is a validation split.
    public var validation: [String: Double]? = nil

    /// Test accuracy, when there is a test set.
    public var testAccuracy: Double? { test?.accuracy }
}

/// `test.json`: the test-set results of a run's best weights.
struct TestReport: Codable {
    var loss: Double
    var accuracy: Double
    var topKAccuracy: Double
    var topK: Int
    var samples: Int
    var bestEpoch: Int
    var confusion: [[Int]]?

    init(meter: ClassificationMeter, bestEpoch: Int) {
        loss = meter.loss
        accuracy = meter.accuracy
        topKAccuracy = meter.topKAccuracy
        topK = meter.topK
        samples = meter.count
        self.bestEpoch = bestEpoch
        confusion = meter.confusion.map { cm in (0..<cm.numClasses).map { a in (0..<cm.numClasses).map { cm[a, $0] } } }
    }

    func json() throws -> String { try TrainingCheckpoint.encode(self, pretty: true) + "\n" }
}
