import Foundation

/// The settings of one `ember train` run, saved as the run folder's `config.json` and in
/// every checkpoint, so `ember train --resume` rebuilds exactly the same run.
///
/// ```swift
/// var config = RunConfig()
/// config.model = .mlp
/// config.epochs = 3
/// config.out = "runs/mlp"
/// let summary = try TrainingRun(config: config).run()
/// ```
public struct RunConfig: Codable, Sendable, Equatable {
    /// A model architecture from `ModelZoo`.
    public enum Model: String, Codable, Sendable, CaseIterable {
        /// Multilayer perceptron 784-512-256-10 (input width from the data).
        case mlp
        /// Two 3×3 conv layers (32, 64 channels) with max pooling, then 3136-128-10.
        case cnn
        /// ResNet-18 of BasicBlocks with torchvision's state-dict names (`ResNetClassifier`):
        /// a 3×3 stem for small images, torchvision's 7×7 stem and max pooling from 128×128 up.
        case resnet
        /// Embedding → LSTM → linear head, a language model (`--task lm`).
        case charLSTM = "char-lstm"
        /// A decoder-only transformer, a language model (`--task lm`).
        case gpt
        /// Matrix factorization with biases, explicit ratings (`--task recommend`).
        case mf
        /// Neural collaborative filtering, implicit feedback (`--task recommend`).
        case ncf
    }

    /// An optimizer from EmberOptim.
    public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
        /// SGD with momentum (`momentum`, `weightDecay`).
        case sgd
        /// Adam (`weightDecay` as L2).
        case adam
        /// AdamW (decoupled `weightDecay`).
        case adamw
    }

    /// A learning-rate schedule.
    public enum SchedulerKind: String, Codable, Sendable, CaseIterable {
        /// A constant learning rate.
        case none
        /// ×0.1 every third of the epochs (StepLR, per epoch).
        case step
        /// Cosine annealing to 0 over the run (CosineAnnealingLR, per epoch).
        case cosine
        /// One cycle peaking at `lr` (OneCycleLR, per batch).
        case onecycle
        /// ×0.1 when validation loss stalls for 2 epochs (ReduceLROnPlateau).
        case plateau
    }

    /// What the run learns (nil, as in configurations written before tasks existed, is
    /// classification).
    public var task: Task?
    /// The column a regression predicts (`--target`), by header name.
    public var target: String?
    /// Hidden layer widths of the regression MLP (`--hidden 64,64`).
    public var hidden: [Int]?
    /// Vocabulary, context and sizes of a language model (`--task lm`).
    public var languageModel: LanguageModelSettings?
    /// Factors and negative sampling of a recommender (`--task recommend`).
    public var recommendation: RecommendationSettings?
    /// The architecture.
    public var model: Model = .cnn
    /// `fashion-mnist`, `mnist`, `csv:PATH` (features in every column but the last, an
    /// integer class in the last) or `folder:PATH` (PNG and JPEG images in one sub-folder per class).
    public var dataset = "fashion-mnist"
    /// For `folder:` data: resize every image to N×N (nil: to the first image's size).
    public var imageSize: Int?
    /// Epochs to train.
    public var epochs = 4
    /// Samples per batch.
    public var batchSize = 128
    /// The optimizer.
    public var optimizer: OptimizerKind = .adam
    /// The (peak) learning rate.
    public var lr = 3e-3
    /// SGD's momentum.
    public var momentum = 0.9
    /// Weight decay.
    public var weightDecay = 0.0
    /// Nesterov momentum for `--optimizer sgd` (`--nesterov`; PyTorch: `SGD(..., nesterov=True)`); nil: off.
    public var nesterov: Bool?
    /// The classification loss's label smoothing ε (`--label-smoothing`; PyTorch:
    /// `CrossEntropyLoss(label_smoothing=ε)`), also used for the validation and test losses; nil: 0.
    public var labelSmoothing: Double?
    /// The learning-rate schedule.
    public var scheduler: SchedulerKind = .onecycle
    /// Random crops (and, for Fashion-MNIST, horizontal flips) of the training images.
    public var augment = false
    /// The probability of erasing a random rectangle of each training image (`--random-erasing`;
    /// torchvision: `transforms.RandomErasing(p)` with its default area and ratio, value 0), after
    /// the crops and flips of `augment`; Fashion-MNIST and MNIST only; nil: none.
    public var randomErasing: Double?
    /// BatchNorm after each hidden layer.
    public var batchNorm = false
    /// The channels of the ResNet's first stage (`--width`, `--model resnet` only; nil: 64).
    public var width: Int?
    /// Dropout probability before each hidden fully connected layer's output (0 = none).
    public var dropout = 0.0
    /// Early-stopping patience in epochs, or nil for none.
    public var earlyStopping: Int?
    /// The fraction of the training set held out for validation (0 = none).
    public var valSplit = 0.1
    /// The seed of every random choice: initialization, split, shuffling, augmentation, dropout.
    public var seed: UInt64 = 0
    /// Threads loading batches.
    public var workers = 1
    /// Clip the gradient norm to this value, or nil for no clipping.
    public var clipGradNorm: Double?
    /// Also checkpoint every this many steps, or nil for epoch ends only.
    public var checkpointEvery: Int? = 200
    /// Use only the first this many training samples (before the validation split), or nil for all.
    public var trainLimit: Int?
    /// The run folder.
    public var out = "runs/default"
    /// Gradient shards of each global batch, summed in a fixed order (`GradientShards`), or nil
    /// for the plain step. Set, the weights do not depend on how many processes train: a run of
    /// N processes (`ember train --distributed` under `mpirun -np N`) ends bit-identical to one
    /// process with the same global batch and shards, for any N dividing it. In 1...1024,
    /// dividing the global batch. `ember train` sets it to `defaultGradShards` unless
    /// `--grad-shards` says otherwise; nil is only read from run folders written before that default.
    public var gradShards: Int?
    /// The processes the run was started with (nil: one); `batchSize` is per process, so the
    /// global batch is `batchSize × worldSize`, which a resumed run keeps at any world size.
    public var worldSize: Int?

    /// Samples per global batch (`batchSize × worldSize`).
    public var globalBatchSize: Int { batchSize * (worldSize ?? 1) }

    /// The gradient shards `ember train` uses when `--grad-shards` is not given: the least
    /// common multiple of 4 and the world size (4 for one, two or four processes, so that they
    /// end with the same weights; 8 for eight; 12 for three), halved while it does not divide
    /// the global batch and its half is still a multiple of the world size (a batch of 30 on one
    /// process gets 2; 3 processes with 10 samples each get 6). `worldSize` divides `globalBatch`,
    /// so it always divides the result.
    ///
    /// ```swift
    /// RunConfig.defaultGradShards(globalBatch: 128, worldSize: 1)   // 4
    /// RunConfig.defaultGradShards(globalBatch: 128, worldSize: 8)   // 8
    /// RunConfig.defaultGradShards(globalBatch: 96, worldSize: 3)    // 12
    /// ```
    public static func defaultGradShards(globalBatch: Int, worldSize: Int = 1) -> Int {
        let n = Swift.max(1, worldSize)
        var k = 4 / gcd(4, n) * n
        while globalBatch % k != 0 && k % (2 * n) == 0 { k /= 2 }
        return k
    }

    /// The numbers of processes that can share `shards` gradient shards with the same bits as one
    /// process: its divisors (`[1, 2, 4]` for 4, `[1, 2, 3, 4, 6, 12]` for 12).
    public static func supportedWorldSizes(shards: Int) -> [Int] {
        shards < 1 ? [1] : (1...shards).filter { shards % $0 == 0 }
    }

    /// The gradient shards to start a run with so that `processes` can share it as well as every
    /// count that shares `shards`: their least common multiple, or `processes` past 1024.
    public static func gradShards(sharing shards: Int, with processes: Int) -> Int {
        guard shards >= 1, processes >= 1 else { return Swift.max(1, processes) }
        let l = shards / gcd(shards, processes) * processes
        return l <= 1024 ? l : processes
    }

    /// The defaults: the small CNN on Fashion-MNIST, 4 epochs of Adam with a one-cycle
    /// schedule peaking at 0.003 (about 92% test accuracy).
    public init() {}

    /// The ResNet's first-stage channels when `width` is nil (torchvision's 64), and the most `--width` takes.
    public static let defaultResNetWidth = 64, maxResNetWidth = 1024

    /// The most epochs, batch size and loader threads a run accepts (far past any real run,
    /// low enough that step counts and batch sizes cannot overflow).
    public static let maxEpochs = 1_000_000, maxBatchSize = 1 << 24, maxWorkers = 256

    /// Checks the values; throws `RunError.badConfig` naming the first bad one and its flag.
    /// NaN and infinity are refused everywhere, so a configuration that passes can always be
    /// written as JSON.
    public func validate() throws {
        func bad(_ s: String) -> RunError { .badConfig(s) }
        func number(_ x: Double) -> String { x.isNaN ? "nan" : "\(x)" }
        if epochs < 1 || epochs > Self.maxEpochs { throw bad("--epochs must be in 1...\(Self.maxEpochs), got \(epochs)") }
        if batchSize < 1 || batchSize > Self.maxBatchSize { throw bad("--batch-size must be in 1...\(Self.maxBatchSize), got \(batchSize)") }
        if !(lr > 0) || !lr.isFinite { throw bad("--lr must be a positive number, got \(number(lr))") }
        if !(momentum >= 0 && momentum < 1) { throw bad("--momentum must be in [0, 1), got \(number(momentum))") }
        if !(weightDecay >= 0) || !weightDecay.isFinite { throw bad("--weight-decay must be a finite number >= 0, got \(number(weightDecay))") }
        if !(dropout >= 0 && dropout < 1) { throw bad("--dropout must be in [0, 1), got \(number(dropout))") }
        if !(valSplit >= 0 && valSplit < 1) { throw bad("--val-split must be in [0, 1), got \(number(valSplit))") }
        if workers < 0 || workers > Self.maxWorkers { throw bad("--workers must be in 0...\(Self.maxWorkers), got \(workers)") }
        if let p = earlyStopping, p < 0 { throw bad("--early-stopping patience must be >= 0, got \(p)") }
        if let c = clipGradNorm, !(c > 0) || !c.isFinite { throw bad("--clip-grad-norm must be a positive finite number, got \(number(c))") }
        if let c = checkpointEvery, c < 1 { throw bad("--checkpoint-every must be at least 1, got \(c)") }
        if let n = trainLimit, n < 2 { throw bad("--train-limit must be at least 2, got \(n)") }
        if out.isEmpty { throw bad("--out must name a folder") }
        if let k = gradShards, k < 1 || k > 1024 { throw bad("--grad-shards must be in 1...1024, got \(k)") }
        if let w = worldSize, w < 1 || w > 1 << 20 { throw bad("the world size must be in 1...\(1 << 20), got \(w)") }
        if let k = gradShards, globalBatchSize % k != 0 {
            throw bad("--grad-shards \(k) must divide the global batch of \(globalBatchSize) samples (--batch-size × processes)")
        }
        if nesterov == true {
            if optimizer != .sgd { throw bad("--nesterov goes with --optimizer sgd") }
            if !(momentum > 0) { throw bad("--nesterov needs a --momentum above 0, got \(number(momentum))") }
        }
        if let e = labelSmoothing, !(e >= 0 && e <= 1) { throw bad("--label-smoothing must be in [0, 1], got \(number(e))") }
        if let p = randomErasing, !(p >= 0 && p <= 1) { throw bad("--random-erasing must be in [0, 1], got \(number(p))") }
        if let w = width {
            if model != .resnet { throw bad("--width goes with --model resnet") }
            if w < 1 || w > Self.maxResNetWidth { throw bad("--width must be in 1...\(Self.maxResNetWidth), got \(w)") }
        }
        if let task, task != .classification, labelSmoothing != nil { throw bad("--label-smoothing goes with --task classification") }
        if let task, task != .classification, randomErasing != nil { throw bad("--random-erasing goes with --task classification") }
        if let task, task != .classification { return try validateTask(task) }
        if target != nil || hidden != nil { throw bad("--target and --hidden go with --task regression") }
        if languageModel != nil || recommendation != nil || (model != .mlp && model != .cnn && model != .resnet) {
            throw bad("--model \(model.rawValue), the language-model and the recommendation flags go with --task lm or recommend")
        }
        let spec = try DatasetSpec(dataset)
        if randomErasing != nil, spec != .fashionMNIST, spec != .mnist {
            throw bad("--random-erasing goes with --dataset fashion-mnist or mnist")
        }
        if let n = imageSize {
            guard case .folder = spec else { throw bad("--image-size goes with --dataset folder:PATH") }
            if n < 4 || n > 2048 { throw bad("--image-size must be in 4...2048, got \(n)") }
        }
        if model == .cnn || model == .resnet, case .csv = try DatasetSpec(dataset) {
            throw bad("--model \(model.rawValue) needs images; use --model mlp with a CSV dataset")
        }
    }

    /// The configuration as pretty JSON (the run folder's `config.json`).
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Reads a configuration saved by `json()`; `path` names the file in errors.
    public static func parse(_ text: String, path: String) throws -> RunConfig {
        do {
            return try JSONDecoder().decode(RunConfig.self, from: Data(text.utf8))
        } catch {
            throw RunError.badRunFolder(path: path, detail: "cannot read the configuration: \(error)")
        }
    }
}

/// Why a run could not start or go on: bad settings, or a run folder that cannot be used.
public enum RunError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A setting is out of range or contradicts another.
    case badConfig(String)
    /// The run folder is missing, or holds no usable configuration or checkpoint.
    case badRunFolder(path: String, detail: String)
    /// The output folder already holds a run.
    case runExists(path: String)
    /// One process of a distributed run could not set up (its data set is not readable there).
    case rankFailed(rank: Int, error: String)
    /// `processes` cannot share a run's `shards` gradient shards and keep its bits: each process
    /// computes whole shards, so the number of processes must divide `shards` (see `GradientShards`).
    case unsupportedWorldSize(processes: Int, shards: Int)

    /// One line saying what is wrong and how to fix it.
    public var description: String {
        switch self {
        case .badConfig(let s): return s
        case .badRunFolder(let p, let d): return "\(p): \(d)"
        case .runExists(let p): return "\(p) already holds a run; resume it with --resume \(p), or pick another --out"
        case .rankFailed(let r, let e): return "process \(r) of the distributed run failed: \(e)"
        case .unsupportedWorldSize(let n, let k):
            let counts = RunConfig.supportedWorldSizes(shards: k).map(String.init)
            let list = counts.count > 1 ? counts.dropLast().joined(separator: ", ") + " or " + counts.last! : counts[0]
            return "\(n) processes cannot share \(k) gradient shard\(k == 1 ? "" : "s"): the number of processes must divide --grad-shards "
                + "(use \(list) process\(counts == ["1"] ? "" : "es"), or start the run with --grad-shards \(RunConfig.gradShards(sharing: k, with: n)))"
        }
    }
}

/// The greatest common divisor of two non-negative integers.
private func gcd(_ a: Int, _ b: Int) -> Int {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}
