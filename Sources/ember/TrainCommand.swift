import ArgumentParser
import Ember
import EmberDistributed
import EmberTrain
#if canImport(Glibc)
import Glibc
#endif

extension RunConfig.Model: ExpressibleByArgument {}
extension RunConfig.OptimizerKind: ExpressibleByArgument {}
extension RunConfig.SchedulerKind: ExpressibleByArgument {}

/// `ember train`: trains a model into a run folder, or resumes one.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model (a classifier, or --task regression, lm, recommend), with live progress, checkpoints, metrics and plots.",
        discussion: """
            Everything goes into the run folder (--out): config.json, metrics.csv and metrics.jsonl (one \
            record per epoch), loss.svg and accuracy.svg, model.safetensors (the best weights, loadable by \
            PyTorch), checkpoint.safetensors with checkpoint.json, and after training confusion.svg and \
            test.json.

            Ctrl-C saves a checkpoint and stops; 'ember train --resume FOLDER' continues it, ending with \
            the same weights, bit for bit, as a run never interrupted. Flags other than --workers cannot \
            be changed on resume.
            """
    )

    @OptionGroup var taskOptions: TaskOptions

    @Option(help: "The architecture: mlp (784-512-256-10; for regression features-64-64-1) cnn (2 conv layers, 3136-128-10) or resnet (ResNet-18 with torchvision's names; a 3×3 stem below 128×128 images); all adapt to the images' size and channels; char-lstm or gpt (--task lm); mf or ncf (--task recommend). (default: cnn; mlp, char-lstm, mf for the tasks)")
    var model: RunConfig.Model?

    @Option(help: ArgumentHelp("The data: fashion-mnist, mnist, csv:PATH (class index in the last column) or folder:PATH (PNG and JPEG images, one sub-folder per class); text:PATH for --task lm (default: /usr/share/common-licenses/GPL-3); ratings:PATH or synthetic for --task recommend. (default: fashion-mnist)", valueName: "name"))
    var dataset: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --dataset folder:PATH, resize every image to N×N. (default: the first image's size)", valueName: "N"))
    var imageSize: Int?

    @Option(parsing: .unconditional, help: "Epochs to train. (default: 4)")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "Samples per batch. (default: 128)")
    var batchSize: Int?

    @Option(help: "The optimizer: sgd, adam or adamw. (default: adam)")
    var optimizer: RunConfig.OptimizerKind?

    @Option(parsing: .unconditional, help: "The learning rate (the peak rate with --scheduler onecycle). (default: 0.003)")
    var lr: Double?

    @Option(parsing: .unconditional, help: "SGD momentum. (default: 0.9)")
    var momentum: Double?

    @Option(parsing: .unconditional, help: "Weight decay. (default: 0)")
    var weightDecay: Double?

    @Flag(help: "Nesterov momentum (with --optimizer sgd).")
    var nesterov = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Label smoothing of the classification loss, in [0, 1]. (default: 0)", valueName: "fraction"))
    var labelSmoothing: Double?

    @Option(help: "Learning-rate schedule: none, step, cosine, onecycle or plateau. (default: onecycle)")
    var scheduler: RunConfig.SchedulerKind?

    @Flag(help: "Augment training images with random crops (and flips for Fashion-MNIST).")
    var augment = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Erase a random rectangle of each training image with this probability (torchvision's RandomErasing), after --augment's crops and flips; Fashion-MNIST and MNIST. (default: 0, none)", valueName: "p"))
    var randomErasing: Double?

    @Flag(help: "BatchNorm after each hidden layer.")
    var batchNorm = false

    @Option(parsing: .unconditional, help: ArgumentHelp("With --model resnet: the channels of the first stage (then 2N, 4N, 8N). (default: 64, torchvision's)", valueName: "N"))
    var width: Int?

    @Option(parsing: .unconditional, help: "Dropout probability in the hidden layers. (default: 0)")
    var dropout: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Stop after this many epochs without a better validation accuracy, and keep the best weights.", valueName: "patience"))
    var earlyStopping: Int?

    @Option(parsing: .unconditional, help: "Fraction of the training set held out for validation. (default: 0.1)")
    var valSplit: Double?

    @Option(parsing: .unconditional, help: "Seed for initialization, splitting, shuffling, augmentation and dropout. (default: 0)")
    var seed: UInt64?

    @Option(parsing: .unconditional, help: "Threads loading batches. (default: 1)")
    var workers: Int?

    @Option(parsing: .unconditional, help: "Clip the total gradient norm to this value.")
    var clipGradNorm: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Checkpoint every this many steps as well as after each epoch. (default: 200)", valueName: "steps"))
    var checkpointEvery: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Train on only the first N training samples (quick experiments).", valueName: "N"))
    var trainLimit: Int?

    @Option(help: ArgumentHelp("The run folder. (default: runs/<model>-<date>-<time>)", valueName: "folder"))
    var out: String?

    @Option(help: ArgumentHelp("Continue the run in this folder from its last checkpoint.", valueName: "folder"))
    var resume: String?

    @Flag(inversion: .prefixedNo, help: ArgumentHelp("Stop when an epoch's training loss is not finite or grows past --divergence-factor times the first epoch's. (default: on)"))
    var stopOnDivergence = true

    @Option(parsing: .unconditional, help: ArgumentHelp("How many times the first epoch's training loss counts as diverging. (default: 1000)", valueName: "factor"))
    var divergenceFactor: Double?

    @Flag(help: "Anomaly detection: a backward op that makes NaN or infinity stops the run, naming the op and where it was called (slower).")
    var detectAnomaly = false

    @Flag(help: "Print only errors.")
    var quiet = false

    @Flag(help: ArgumentHelp("Data-parallel training over MPI: run as 'mpirun -np N ember train --distributed ...'. --batch-size is per process; rank 0 prints and writes the run folder. For N = 1, 2 or 4 the weights end bit-identical to one process with --batch-size × N (same other flags, same threads per process); for other N, to one process with the --grad-shards the run used (by default 12 for 3 processes, N for 8 or more)."))
    var distributed = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Sum each batch's gradient as this many shards in one fixed order, so the weights do not depend on the number of processes sharing them: any number of processes dividing K gives the same bits (K in 1...1024, dividing the global batch). (default: the least common multiple of 4 and the number of processes, halved while it does not divide the global batch and stays a multiple of the number of processes)", valueName: "K"))
    var gradShards: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Compute threads per process (default: the cores this process may use). Convolutions split their batch by it, so runs compared bit for bit must use the same number.", valueName: "N"))
    var threads: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("With --distributed: seconds a collective may wait for the other processes before the run stops with an error. (default: 300)", valueName: "seconds"))
    var distTimeout: Double?

    @Option(parsing: .unconditional, help: .hidden)
    var debugStepDelayMs: Int?

    /// For tests: behave as if Ctrl-C came after this many steps (every rank at the same step).
    @Option(parsing: .unconditional, help: .hidden)
    var debugInterruptAfter: Int?

    func validate() throws {
        if resume != nil {
            let given: [(String, Bool)] = [
                ("--model", model != nil), ("--dataset", dataset != nil), ("--epochs", epochs != nil),
                ("--batch-size", batchSize != nil), ("--optimizer", optimizer != nil), ("--lr", lr != nil),
                ("--momentum", momentum != nil), ("--weight-decay", weightDecay != nil), ("--nesterov", nesterov),
                ("--label-smoothing", labelSmoothing != nil), ("--scheduler", scheduler != nil),
                ("--augment", augment), ("--random-erasing", randomErasing != nil), ("--batch-norm", batchNorm), ("--width", width != nil), ("--dropout", dropout != nil),
                ("--early-stopping", earlyStopping != nil), ("--val-split", valSplit != nil), ("--seed", seed != nil),
                ("--clip-grad-norm", clipGradNorm != nil), ("--checkpoint-every", checkpointEvery != nil),
                ("--train-limit", trainLimit != nil), ("--out", out != nil), ("--grad-shards", gradShards != nil), ("--image-size", imageSize != nil),
            ] + taskOptions.given
            if let (flag, _) = given.first(where: { $0.1 }) {
                throw ValidationError("\(flag) cannot be used with --resume: a resumed run keeps its saved configuration")
            }
        } else {
            // Every value is checked here, before a run folder exists.
            // With --distributed the number of processes (and so the global batch) is known later.
            var c = try makeConfig()
            if distributed { c.gradShards = gradShards.flatMap { k in k < 1 || k > 1024 ? k : nil } }
            do { try c.validate() } catch { throw ValidationError("\(error)") }
        }
        if let w = workers, w < 0 || w > RunConfig.maxWorkers { throw ValidationError("--workers must be in 0...\(RunConfig.maxWorkers), got \(w)") }
        if let f = divergenceFactor, !(f > 1) || !f.isFinite {
            throw ValidationError("--divergence-factor must be a finite number > 1, got \(f.isNaN ? "nan" : "\(f)")")
        }
        if divergenceFactor != nil && !stopOnDivergence {
            throw ValidationError("--divergence-factor goes with --stop-on-divergence, not --no-stop-on-divergence")
        }
        if let n = threads, n < 1 || n > 4096 { throw ValidationError("--threads must be in 1...4096, got \(n)") }
        if let t = distTimeout, !(t > 0) || !t.isFinite { throw ValidationError("--dist-timeout must be a positive number of seconds") }
        if distTimeout != nil && !distributed { throw ValidationError("--dist-timeout goes with --distributed") }
        if let ms = debugStepDelayMs, ms < 0 || ms > 60_000 { throw ValidationError("--debug-step-delay-ms must be in 0...60000, got \(ms)") }
    }

    /// The configuration these flags describe.
    func makeConfig() throws -> RunConfig {
        var c = taskOptions.baseConfig()
        c.model = model ?? c.model
        c.dataset = dataset ?? c.dataset
        c.imageSize = imageSize
        c.epochs = epochs ?? c.epochs
        c.batchSize = batchSize ?? c.batchSize
        c.optimizer = optimizer ?? c.optimizer
        c.lr = lr ?? c.lr
        c.momentum = momentum ?? c.momentum
        c.weightDecay = weightDecay ?? c.weightDecay
        c.nesterov = nesterov ? true : nil
        c.labelSmoothing = labelSmoothing
        c.scheduler = scheduler ?? c.scheduler
        c.augment = augment
        c.randomErasing = randomErasing
        c.batchNorm = batchNorm
        c.width = width
        c.dropout = dropout ?? c.dropout
        c.earlyStopping = earlyStopping
        c.valSplit = valSplit ?? c.valSplit
        c.seed = seed ?? c.seed
        c.workers = workers ?? c.workers
        c.clipGradNorm = clipGradNorm
        c.checkpointEvery = checkpointEvery ?? c.checkpointEvery
        c.trainLimit = trainLimit
        c.out = out ?? "runs/\(c.model.rawValue)-\(timestamp())"
        try taskOptions.apply(to: &c)
        c.gradShards = gradShards ?? (c.resolvedTask == .classification ? RunConfig.defaultGradShards(globalBatch: c.batchSize) : nil)
        return c
    }

    func run() throws {
        if let threads { setNumThreads(threads) }
        var group: ProcessGroup?
        if distributed {
            let g = try ProcessGroup.mpi(timeout: distTimeout ?? 300)
            group = g
            do {
                try train(group: g)
            } catch let e as TrainingError {
                if case .interrupted = e { throw e }   // every rank stopped at the same step
                stopAll(g, e)
            } catch {
                stopAll(g, error)
            }
        } else {
            try train(group: group)
        }
    }

    /// Ends every process of the job after an error on this one, so none waits for it.
    private func stopAll(_ group: ProcessGroup, _ error: any Error) -> Never {
        let text = "ember: error on process \(group.rank) of \(group.worldSize): \(error)\n"
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        group.abort(code: 1)
    }

    private func train(group: ProcessGroup?) throws {
        let isMain = (group?.rank ?? 0) == 0
        let console = Console(quiet: quiet || !isMain)
        let run: TrainingRun
        if let resume {
            let folder = resume.hasSuffix("/") && resume.count > 1 ? String(resume.dropLast()) : resume
            run = try TrainingRun(resuming: folder, console: console)
            if let workers { run.workersOverride = workers }
        } else {
            var config = try makeConfig()
            if let group {
                config.worldSize = group.worldSize
                let n = group.worldSize
                config.gradShards = gradShards ?? RunConfig.defaultGradShards(globalBatch: config.batchSize * n, worldSize: n)
                if let k = config.gradShards, k % n != 0 {
                    throw RunError.unsupportedWorldSize(processes: n, shards: k)
                }
                // Every rank needs the same folder name: rank 0's timestamp.
                if out == nil { config.out = try sharedFolderName(config.out, group) }
            }
            run = TrainingRun(config: config, console: console)
        }
        run.processGroup = group
        run.divergenceFactor = stopOnDivergence ? (divergenceFactor ?? 1e3) : nil
        if detectAnomaly { setDetectAnomaly(true) }
        Interrupt.install()
        if let steps = debugInterruptAfter {
            var polls = 0
            run.stopRequested = { polls += 1; return polls >= steps || Interrupt.isRequested }
        } else if let ms = debugStepDelayMs, ms > 0 {
            // For tests that interrupt a run: slow each step down without changing any result.
            run.stopRequested = { usleep(UInt32(ms) * 1000); return Interrupt.isRequested }
        } else {
            run.stopRequested = { Interrupt.isRequested }
        }
        let summary: RunSummary
        do {
            summary = try run.run()
        } catch let e as TrainingError {
            if case .interrupted(let epoch, let batch, let checkpoint) = e {
                console.line("")
                if let checkpoint {
                    console.line("Interrupted at epoch \(epoch), batch \(batch). Checkpoint saved to \(checkpoint)")
                    console.line("Resume with: ember train --resume \(run.config.out)")
                } else {
                    console.line("Interrupted at epoch \(epoch), batch \(batch); no checkpoint was written")
                }
            } else if console.isTerminal {
                console.line("")   // end the progress bar's line before the error
            }
            throw e
        }
        if let test = summary.test {
            console.line("Test accuracy \(Format.percent(test.accuracy)) (loss \(Format.fixed(test.loss, 4)), top-\(test.topK) \(Format.percent(test.topKAccuracy))) with the weights of epoch \(summary.bestEpoch)")
        } else if let v = summary.validation {
            let shown = v.keys.sorted().map { "\($0) \(Format.fixed(v[$0]!, 4))" }.joined(separator: "  ")
            console.line("Validation \(shown) with the weights of epoch \(summary.bestEpoch)")
        } else if let last = summary.history.last, let va = last.valAccuracy {
            console.line("Validation accuracy \(Format.percent(va)) at the last epoch")
        }
        console.line("Training took \(Format.duration(summary.trainSeconds)); run folder: \(summary.folder)")
    }

    /// Rank 0's `name`, on every rank.
    private func sharedFolderName(_ name: String, _ group: ProcessGroup) throws -> String {
        var bytes = Array(name.utf8.prefix(255))
        bytes += Array(repeating: 0, count: 256 - bytes.count)
        let t = Tensor(bytes.map { Int($0) }, dtype: .int64)
        try group.broadcast(t, from: 0)
        return String(decoding: t.toArray(as: Int64.self).prefix { $0 != 0 }.map { UInt8($0) }, as: UTF8.self)
    }

    private func timestamp() -> String {
        var t = time(nil)
        var parts = tm()
        localtime_r(&t, &parts)
        func two(_ x: Int32) -> String { x < 10 ? "0\(x)" : "\(x)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))-\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))"
    }
}
