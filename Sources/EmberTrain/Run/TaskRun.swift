import Ember
import EmberNN

/// Trains a run whose task is not classification (`--task regression`, ...): the same
/// trainer, checkpoints, resume, metric files and plots as a classification run, with the
/// task's model, loss and metrics from `TaskSetup`. After training it evaluates the best
/// weights on the validation split and writes `validation.json`.
struct TaskRun {
    let run: TrainingRun

    func train() throws -> RunSummary {
        let config = run.config
        let checkpoint = run.path("checkpoint.safetensors")
        var dataConfig = config
        if let w = run.workersOverride { dataConfig.workers = w }
        manualSeed(config.seed)
        let setup = try TaskSetup.make(dataConfig)
        if !run.resuming {
            try FileIO.makeDirectories(config.out)
            try FileIO.writeAtomically(try config.json(), to: run.path("config.json"))
            for (name, text) in setup.files.sorted(by: { $0.key < $1.key }) { try FileIO.writeAtomically(text, to: run.path(name)) }
        }
        let model = setup.model
        let optimizer = run.makeOptimizer(model.parameters())
        let trainer = Trainer(model: model, optimizer: optimizer, lossFunction: setup.loss)
        trainer.metrics = setup.metrics
        trainer.validationMetrics = setup.validationMetrics
        trainer.validationLossFunction = setup.validationLoss
        trainer.itemCount = setup.itemCount
        trainer.schedule = run.makeSchedule(optimizer, batchesPerEpoch: setup.train.count)
        trainer.gradientClipNorm = config.clipGradNorm
        // Without validation the best weights are those of the lowest training loss.
        let monitor = setup.validation == nil ? Monitor.trainLoss : setup.monitor
        trainer.monitor = monitor
        if let patience = config.earlyStopping { trainer.earlyStopping = EarlyStopping(monitor: monitor, patience: patience) }
        trainer.checkpointPath = checkpoint
        trainer.checkpointEverySteps = config.checkpointEvery
        trainer.bestModelPath = run.path("model.safetensors")
        trainer.configuration = try config.json()
        trainer.stopRequested = { [run] in run.stopRequested() }
        trainer.divergenceFactor = run.divergenceFactor
        if run.resuming {
            for name in StaleTemporaries.remove(in: config.out) { run.console.line("Removed \(run.path(name)), left by a killed run") }
            try trainer.resume(from: checkpoint)
        }
        if !run.resuming || trainer.state.step == 0 {
            run.console.line("Training \(config.model.rawValue) (\(Format.grouped(model.numParameters)) parameters) for \(config.resolvedTask.rawValue) on "
                + "\(config.dataset): \(Format.grouped(setup.trainCount)) training \(setup.unit), \(setup.train.count) batches of \(config.batchSize) per epoch"
                + (setup.validation != nil ? ", \(Int((config.valSplit * 100).rounded()))% held out for validation" : ""))
            for note in setup.notes { run.console.line(note) }
        }
        let files = RunFiles(folder: config.out, history: trainer.history)
        files.lossName = setup.lossName
        let progress = ProgressReporter(console: run.console)
        progress.unit = setup.unit
        trainer.callbacks = [progress, files]
        let started = monotonicSeconds()
        try trainer.fit(setup.train, validation: setup.validation, epochs: config.epochs)
        let trainSeconds = monotonicSeconds() - started

        if let best = trainer.bestWeights { try model.loadStateDict(best) }
        var validation: [String: Double]?
        if let loader = setup.validation {
            let r = trainer.evaluateMetrics(loader)
            var values = ["loss": r.loss]
            for (name, v) in r.values { values[name] = v }
            validation = values
            let report = ValidationReport(bestEpoch: trainer.state.bestEpoch, metrics: values)
            try FileIO.writeAtomically(try TrainingCheckpoint.encode(report, pretty: true) + "\n", to: run.path("validation.json"))
        }
        return RunSummary(folder: config.out, history: trainer.history, bestEpoch: trainer.state.bestEpoch,
                          stoppedEarly: trainer.state.stoppedEarly, test: nil, classNames: [], trainSeconds: trainSeconds,
                          validation: validation)
    }
}

/// `validation.json`: the validation loss and metrics of a run's best weights.
struct ValidationReport: Codable {
    var bestEpoch: Int
    var metrics: [String: Double]
}
