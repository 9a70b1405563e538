import Testing
import Foundation
import Ember
import EmberData
import EmberNN
import EmberOptim
@testable import EmberTrain

/// A small three-class problem as loaders with their own generators.
struct Blobs {
    let train: ClassificationLoader
    let val: ClassificationLoader

    /// The training sampler's own generator, when `ownSampler` asked for one.
    let samplerGenerator: Generator?

    init(seed: UInt64 = 3, count: Int = 300, batchSize: Int = 16, workers: Int = 0, ownSampler: Bool = false) {
        let g = Generator(seed: seed)
        let labels = Tensor.randint(0, 3, [count], generator: g)
        let centers = Tensor([[2, 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0]] as [[Float]])
        let x = centers.indexSelect(0, labels) + Tensor.randn([count, 4], generator: g)
        let data = TensorDataset(x, labels)
        let cut = count * 4 / 5
        samplerGenerator = ownSampler ? Generator(seed: seed + 10) : nil
        train = DataLoader(Subset(data, indices: Array(0..<cut)), batchSize: batchSize, shuffle: !ownSampler,
                           sampler: samplerGenerator.map { RandomSampler(count: cut, generator: $0) }, numWorkers: workers,
                           generator: Generator(seed: seed + 1))
        val = DataLoader(Subset(data, indices: Array(cut..<count)), batchSize: 64, generator: Generator(seed: seed + 2))
    }
}

/// A trainer over a fresh small MLP with dropout and a one-cycle schedule, all seeded.
func makeTrainer(seed: UInt64 = 7, steps: Int) -> Trainer {
    manualSeed(seed)
    let model = MLP(inputs: 4, classes: 3, hidden: (16, 8), batchNorm: true, dropout: 0.2)
    let optimizer = SGD(model.parameters(), lr: 0.05, momentum: 0.9)
    let trainer = Trainer(model: model, optimizer: optimizer)
    trainer.schedule = .perBatch(OneCycleLR(optimizer, maxLR: 0.1, totalSteps: steps))
    trainer.gradientClipNorm = 5
    return trainer
}

func stateBytes(_ model: Module) -> [String: [Float]] {
    var out: [String: [Float]] = [:]
    for (k, t) in model.stateDict() { out[k] = t.to(.float32).contiguous().toArray(as: Float.self) }
    return out
}

func withoutTiming(_ history: [EpochRecord]) -> [EpochRecord] {
    history.map { var r = $0; r.seconds = 0; r.samplesPerSecond = 0; return r }
}

/// Tests that build models use `Generator.default`, so they run one at a time.
@Suite(.serialized) struct TrainerTests {
    @Test func fitLearnsAndRecordsHistory() throws {
        let data = Blobs()
        let trainer = makeTrainer(steps: 5 * data.train.count)
        let history = try trainer.fit(data.train, validation: data.val, epochs: 5)
        #expect(history.count == 5)
        #expect(history.map(\.epoch) == [1, 2, 3, 4, 5])
        #expect(history.last!.step == 5 * data.train.count)
        #expect(history.last!.trainLoss < history.first!.trainLoss)
        #expect(history.last!.valAccuracy! > 0.85)
        #expect(trainer.state.finished)
        let eval = trainer.evaluate(data.val)
        #expect(eval.confusion!.total == 60)
        #expect(abs(eval.accuracy - history.last!.valAccuracy!) < 1e-12 || trainer.state.bestEpoch != 5)
    }

    @Test func interruptedMidEpochResumesBitIdentical() throws {
        let dir = try temporaryDirectory()
        let data = Blobs(workers: 1)
        let epochs = 3, steps = epochs * data.train.count

        let reference = makeTrainer(steps: steps)
        try reference.fit(data.train, validation: data.val, epochs: epochs)

        // Same run, stopped after step 20 (epoch 2, batch 5), then resumed by a new process's worth of objects.
        let data2 = Blobs(workers: 1)
        let first = makeTrainer(steps: steps)
        first.checkpointPath = dir + "/checkpoint.safetensors"
        first.stopRequested = { first.state.step == 20 }
        #expect(throws: TrainingError.interrupted(epoch: 2, batch: 5, checkpoint: dir + "/checkpoint.safetensors")) {
            try first.fit(data2.train, validation: data2.val, epochs: epochs)
        }
        // Disturb every generator, as a new process would have them elsewhere.
        manualSeed(999)
        let data3 = Blobs(workers: 0)
        _ = Tensor.randn([10], generator: data3.train.generator)
        let second = makeTrainer(seed: 12345, steps: steps)
        second.checkpointPath = dir + "/checkpoint.safetensors"
        try second.resume(from: dir + "/checkpoint.safetensors")
        #expect(second.state.step == 20 && second.state.batch == 5 && second.state.epoch == 1)
        try second.fit(data3.train, validation: data3.val, epochs: epochs)

        #expect(stateBytes(second.model) == stateBytes(reference.model))
        #expect(withoutTiming(second.history) == withoutTiming(reference.history))
    }

    /// A loader whose sampler has its own generator: the checkpoint keeps that generator's
    /// state at the epoch's start too, mid-epoch and at an epoch boundary.
    @Test(arguments: [20, 30, 32]) func samplerWithItsOwnGeneratorResumes(stopStep: Int) throws {
        let dir = try temporaryDirectory()
        let epochs = 3, steps = epochs * Blobs(ownSampler: true).train.count
        let reference = makeTrainer(steps: steps)
        let data = Blobs(ownSampler: true)
        try reference.fit(data.train, validation: data.val, epochs: epochs)

        let first = makeTrainer(steps: steps)
        first.checkpointPath = dir + "/checkpoint.safetensors"
        first.stopRequested = { first.state.step == stopStep }
        let data2 = Blobs(workers: 2, ownSampler: true)
        #expect(throws: TrainingError.self) { try first.fit(data2.train, validation: data2.val, epochs: epochs) }
        manualSeed(999)
        let data3 = Blobs(ownSampler: true)
        _ = Tensor.randn([10], generator: data3.train.generator)
        _ = Tensor.randn([10], generator: data3.samplerGenerator!)
        let second = makeTrainer(seed: 12345, steps: steps)
        try second.resume(from: dir + "/checkpoint.safetensors")
        #expect(second.state.step == stopStep)
        try second.fit(data3.train, validation: data3.val, epochs: epochs)
        #expect(stateBytes(second.model) == stateBytes(reference.model))
        #expect(withoutTiming(second.history) == withoutTiming(reference.history))
    }

    @Test func resumedAtEpochBoundaryMatchesToo() throws {
        let dir = try temporaryDirectory()
        let data = Blobs()
        let steps = 3 * data.train.count
        let reference = makeTrainer(steps: steps)
        try reference.fit(data.train, validation: data.val, epochs: 3)

        let first = makeTrainer(steps: steps)
        first.checkpointPath = dir + "/c.safetensors"
        first.stopRequested = { first.state.epoch == 1 && first.state.batch == 0 }
        #expect(throws: TrainingError.self) { try first.fit(Blobs().train, validation: Blobs().val, epochs: 3) }
        let second = makeTrainer(seed: 1, steps: steps)
        try second.resume(from: dir + "/c.safetensors")
        #expect(second.state.epoch == 1 && second.state.batch == 0)
        let fresh = Blobs()
        try second.fit(fresh.train, validation: fresh.val, epochs: 3)
        #expect(stateBytes(second.model) == stateBytes(reference.model))
    }

    @Test func nonFiniteLossStopsBeforeTheStep() throws {
        let dir = try temporaryDirectory()
        let data = Blobs()
        let trainer = makeTrainer(steps: 100)
        var calls = 0
        let ce = CrossEntropyLoss()
        trainer.lossFunction = { out, y in
            calls += 1
            let l = ce(out, y)
            return calls == 4 ? l * Double.nan : l
        }
        trainer.checkpointPath = dir + "/checkpoint.safetensors"
        trainer.checkpointEverySteps = 2
        do {
            try trainer.fit(data.train, validation: data.val, epochs: 2)
            Issue.record("expected a non-finite loss error")
        } catch let e as TrainingError {
            guard case .nonFiniteLoss(let v, let epoch, let batch, let step, let checkpoint) = e else {
                Issue.record("wrong error \(e)"); return
            }
            #expect(v.isNaN && epoch == 1 && batch == 4 && step == 4)
            #expect(checkpoint == dir + "/checkpoint.safetensors")
            #expect("\(e)".contains("epoch 1, batch 4"))
            #expect("\(e)".contains("last good checkpoint"))
        }
        #expect(trainer.state.step == 3)
        let saved = try TrainingCheckpoint.read(from: dir + "/checkpoint.safetensors")
        #expect(saved.state.step == 2)
        for (_, t) in trainer.model.stateDict() { #expect(t.isfinite().all().item() == 1) }
    }

    /// Cross-entropy whose value, from batch `afterBatches + 1` on, is `factor` times larger
    /// while its gradient stays the usual one (the detached copy carries the growth).
    func crossEntropyInflated(afterBatches batches: Int, by factor: Double) -> (Tensor, Tensor) -> Tensor {
        var calls = 0
        let ce = CrossEntropyLoss()
        return { out, y in
            calls += 1
            let l = ce(out, y)
            return calls > batches ? l + l.detach() * factor : l
        }
    }

    /// Issue 17: a huge but finite loss (1e20, past where formatting converted to Int) is
    /// printed, written to the metric files and plots, checkpointed and resumed.
    @Test func hugeFiniteLossIsRecordedAndResumes() throws {
        let dir = try temporaryDirectory()
        let data = Blobs()
        let batches = data.train.count
        let trainer = makeTrainer(steps: 100)
        // The value is huge, the gradient the usual one.
        trainer.lossFunction = crossEntropyInflated(afterBatches: batches, by: 1e20)
        trainer.checkpointPath = dir + "/checkpoint.safetensors"
        let files = RunFiles(folder: dir)
        trainer.callbacks = [ProgressReporter(console: Console(quiet: true)), files]
        try trainer.fit(data.train, validation: data.val, epochs: 2)
        #expect(trainer.history.count == 2 && trainer.history[1].trainLoss > 1e19)
        #expect(ProgressReporter.summary(trainer.history[1], epochs: 2).contains("e+"))
        #expect(files.writeErrors.isEmpty, "\(files.writeErrors)")
        let svg = try String(contentsOfFile: dir + "/loss.svg", encoding: .utf8)
        #expect(xmlError(svg) == nil)
        let saved = try TrainingCheckpoint.read(from: dir + "/checkpoint.safetensors")
        #expect(saved.state.history == trainer.history)
        let again = makeTrainer(steps: 100)
        try again.resume(from: dir + "/checkpoint.safetensors")
        try again.fit(Blobs().train, validation: Blobs().val, epochs: 2)
        #expect(again.history == trainer.history)
    }

    @Test func divergingLossStopsAtTheEpochEnd() throws {
        let dir = try temporaryDirectory()
        let data = Blobs()
        let batches = data.train.count
        let trainer = makeTrainer(steps: 100)
        trainer.lossFunction = crossEntropyInflated(afterBatches: batches, by: 1e6)
        trainer.divergenceFactor = 1e3
        trainer.checkpointPath = dir + "/checkpoint.safetensors"
        do {
            try trainer.fit(data.train, validation: data.val, epochs: 3)
            Issue.record("expected training to stop as diverged")
        } catch let e as TrainingError {
            guard case .diverged(let loss, let first, let factor, let epoch, let step, let checkpoint) = e else {
                Issue.record("wrong error \(e)"); return
            }
            #expect(epoch == 2 && step == 2 * batches && factor == 1e3)
            #expect(loss > 1e3 * first!)
            #expect(checkpoint == dir + "/checkpoint.safetensors")
            #expect("\(e)".contains("epoch 2 (step \(2 * batches))") && "\(e)".contains("last good checkpoint is \(dir)/checkpoint.safetensors"), "\(e)")
        }
        #expect(trainer.history.count == 1)
        #expect(try TrainingCheckpoint.read(from: dir + "/checkpoint.safetensors").state.epoch == 1)
        // Without the factor the same run goes on.
        let free = makeTrainer(steps: 100)
        free.lossFunction = crossEntropyInflated(afterBatches: batches, by: 1e6)
        #expect(try free.fit(Blobs().train, validation: Blobs().val, epochs: 2).count == 2)
    }

    @Test func earlyStoppingRestoresTheBestWeights() throws {
        let dir = try temporaryDirectory()
        let data = Blobs()
        let trainer = makeTrainer(steps: 10 * data.train.count)
        trainer.earlyStopping = EarlyStopping(monitor: .valLoss, patience: 0, minDelta: 1e9)
        trainer.bestModelPath = dir + "/model.safetensors"
        let history = try trainer.fit(data.train, validation: data.val, epochs: 10)
        #expect(history.count == 2)
        #expect(trainer.state.stoppedEarly && trainer.state.bestEpoch == 1)
        let best = try load(dir + "/model.safetensors")
        for (k, t) in trainer.model.stateDict() {
            #expect(t.toArray(as: Float.self) == best[k]!.to(.float32).toArray(as: Float.self) || t.dtype == .int64)
        }
    }

    @Test func perEpochSchedulerSetsTheRecordedRate() throws {
        let data = Blobs()
        manualSeed(1)
        let model = MLP(inputs: 4, classes: 3, hidden: (8, 8))
        let optimizer = SGD(model.parameters(), lr: 0.1)
        let trainer = Trainer(model: model, optimizer: optimizer)
        trainer.schedule = .perEpoch(StepLR(optimizer, stepSize: 1, gamma: 0.5))
        let history = try trainer.fit(data.train, epochs: 3)
        #expect(history.map(\.lr) == [0.1, 0.05, 0.025])
        #expect(history[0].valLoss == nil)
    }

    @Test func plateauSchedulerWatchesTheMetric() throws {
        let data = Blobs()
        manualSeed(1)
        let model = MLP(inputs: 4, classes: 3, hidden: (8, 8))
        let optimizer = SGD(model.parameters(), lr: 0.1)
        let trainer = Trainer(model: model, optimizer: optimizer)
        // In "max" mode with a huge threshold the loss never improves after the first epoch, so
        // the rate halves after the second (a record holds the rate its epoch trained with).
        trainer.schedule = .onPlateau(ReduceLROnPlateau(optimizer, mode: .max, factor: 0.5, patience: 0, threshold: 10), monitor: .valLoss)
        let history = try trainer.fit(data.train, validation: data.val, epochs: 4)
        #expect(history.map(\.lr) == [0.1, 0.1, 0.05, 0.025])
    }

    @Test func checkpointRoundTripAndErrors() throws {
        let dir = try temporaryDirectory()
        let data = Blobs()
        let trainer = makeTrainer(steps: 2 * data.train.count)
        trainer.checkpointPath = dir + "/checkpoint.safetensors"
        trainer.configuration = "{\"note\": \"hi\"}"
        try trainer.fit(data.train, validation: data.val, epochs: 2)
        let ckpt = try TrainingCheckpoint.read(from: dir + "/checkpoint.safetensors")
        #expect(ckpt.state == trainer.state)
        #expect(ckpt.configuration == "{\"note\": \"hi\"}")
        #expect(ckpt.rng.keys.sorted() == ["default", "train_loader", "train_loader_epoch_start", "val_loader"])
        #expect(ckpt.scheduler != nil && ckpt.bestModel != nil)
        let sidecar = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/checkpoint.json"))) as! [String: Any]
        #expect((sidecar["config"] as? [String: Any])?["note"] as? String == "hi")
        #expect(((sidecar["state"] as? [String: Any])?["history"] as? [Any])?.count == 2)

        // A truncated copy is refused with the file named.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/checkpoint.safetensors"))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: dir + "/cut.safetensors"))
        #expect(throws: CheckpointError.self) { try TrainingCheckpoint.read(from: dir + "/cut.safetensors") }
        do { _ = try TrainingCheckpoint.read(from: dir + "/cut.safetensors") } catch {
            #expect("\(error)".contains("cut.safetensors"))
        }
        #expect(throws: CheckpointError.fileNotFound(path: dir + "/none.safetensors")) {
            try TrainingCheckpoint.read(from: dir + "/none.safetensors")
        }
        // Weights alone are not a checkpoint.
        try save(trainer.model.stateDict(), to: dir + "/weights.safetensors")
        #expect(throws: CheckpointError.self) { try TrainingCheckpoint.read(from: dir + "/weights.safetensors") }

        // Another model refuses the checkpoint and is left as it was.
        manualSeed(3)
        let other = MLP(inputs: 4, classes: 3, hidden: (32, 8))
        let before = stateBytes(other)
        let otherTrainer = Trainer(model: other, optimizer: SGD(other.parameters(), lr: 0.1))
        do {
            try otherTrainer.resume(from: dir + "/checkpoint.safetensors")
            Issue.record("expected a mismatch")
        } catch let e as CheckpointError {
            guard case .mismatch = e else { Issue.record("wrong error \(e)"); return }
        }
        #expect(stateBytes(other) == before)

        // Same model without the scheduler: a clear mismatch, model restored.
        let third = makeTrainer(steps: 10)
        third.schedule = .none
        let thirdBefore = stateBytes(third.model)
        #expect(throws: CheckpointError.self) { try third.resume(from: dir + "/checkpoint.safetensors") }
        #expect(stateBytes(third.model) == thirdBefore)
    }

    @Test func stateJSONRoundTripsDoublesExactly() throws {
        var state = TrainerState()
        let g = Generator(seed: 5)
        let values = Tensor.randn([40], dtype: .float64, generator: g).toArray(as: Double.self).map { $0 * 1e-3 }
        for (i, v) in values.enumerated() {
            state.history.append(EpochRecord(epoch: i + 1, step: i, trainLoss: v, trainAccuracy: v / 7, valLoss: v * 3, valAccuracy: nil,
                                             valTopKAccuracy: 1 / 3, topK: 5, lr: v * 1e-7, seconds: 1, samplesPerSecond: 2))
        }
        let text = try TrainingCheckpoint.encode(state, pretty: false)
        let back = try JSONDecoder().decode(TrainerState.self, from: Data(text.utf8))
        #expect(back == state)
    }

    @Test func atomicWritesReplaceWholeFiles() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/a.txt"
        try FileIO.writeAtomically("one", to: path)
        try FileIO.writeAtomically("two", to: path)
        #expect(try FileIO.read(path) == "two")
        try FileIO.append("x\n", to: dir + "/s.jsonl")
        try FileIO.append("y\n", to: dir + "/s.jsonl")
        #expect(try FileIO.read(dir + "/s.jsonl") == "x\ny\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
        #expect(throws: CheckpointError.self) { try FileIO.writeAtomically("z", to: dir + "/missing/dir/file") }
        try FileIO.makeDirectories(dir + "/p/q/r")
        #expect(FileIO.isDirectory(dir + "/p/q/r"))
    }
}
