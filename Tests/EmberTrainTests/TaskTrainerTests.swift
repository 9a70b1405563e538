import Testing
import Foundation
import Ember
import EmberData
import EmberNN
import EmberOptim
@testable import EmberTrain

/// A noisy linear regression problem `y = x·w + 3 + noise` as seeded loaders.
struct LinearProblem {
    let train: TrainingLoader
    let val: TrainingLoader
    let x: Tensor, y: Tensor

    init(seed: UInt64 = 5, count: Int = 240) {
        let g = Generator(seed: seed)
        x = Tensor.randn([count, 3], generator: g)
        y = (x.matmul(Tensor([1.5, -2, 0.5] as [Float])) + 3 + Tensor.randn([count], generator: g) * 0.1)
        let data = TensorDataset(x, y)
        let cut = count * 3 / 4
        train = DataLoader(Subset(data, indices: Array(0..<cut)), batchSize: 16, shuffle: true, generator: Generator(seed: seed + 1))
        val = DataLoader(Subset(data, indices: Array(cut..<count)), batchSize: 64, generator: Generator(seed: seed + 2))
    }
}

/// A regression trainer with pluggable metrics, all seeded.
func makeRegressionTrainer(_ problem: LinearProblem, seed: UInt64 = 9) -> Trainer {
    manualSeed(seed)
    let model = Regressor(inputs: 3, hidden: [16])
    model.setStatistics(features: problem.x, targets: problem.y)
    let optimizer = Adam(model.parameters(), lr: 0.01)
    let trainer = Trainer(model: model, optimizer: optimizer, lossFunction: { mseLoss($0, $1) })
    trainer.metrics = [MeanSquaredError(), MeanAbsoluteError(), R2Score()]
    trainer.schedule = .perEpoch(CosineAnnealingLR(optimizer, tMax: 4))
    trainer.gradientClipNorm = 10
    return trainer
}

@Suite(.serialized) struct TaskTrainerTests {
    /// The README's `Trainer` snippet, as written, with its checkpoint in folders that do not exist yet.
    @Test func readmeSnippetRuns() throws {
        let dir = try temporaryDirectory()
        let data = Blobs()
        manualSeed(1)
        let model = MLP(inputs: 4, classes: 3, hidden: (16, 8))
        let trainLoader = data.train, valLoader = data.val

        let trainer = Trainer(model: model, optimizer: Adam(model.parameters(), lr: 1e-3))
        trainer.schedule = .perEpoch(CosineAnnealingLR(trainer.optimizer, tMax: 10))
        trainer.checkpointPath = dir + "/runs/a/checkpoint.safetensors"
        trainer.callbacks = [ProgressReporter(console: Console(quiet: true))]
        try trainer.fit(trainLoader, validation: valLoader, epochs: 2)

        #expect(FileManager.default.fileExists(atPath: dir + "/runs/a/checkpoint.safetensors"))
        #expect(FileManager.default.fileExists(atPath: dir + "/runs/a/checkpoint.json"))
        #expect(try TrainingCheckpoint.read(from: dir + "/runs/a/checkpoint.safetensors").state.epoch == 2)
    }

    @Test func regressionLowersTheLossAndRecordsEveryMetric() throws {
        let problem = LinearProblem()
        let trainer = makeRegressionTrainer(problem)
        let history = try trainer.fit(problem.train, validation: problem.val, epochs: 4)
        #expect(history.count == 4)
        #expect(history.last!.trainLoss < history.first!.trainLoss / 2)
        let last = history.last!
        #expect(last.trainAccuracy == nil && last.valAccuracy == nil)
        #expect(last.metricColumns == ["train_mae", "train_mse", "train_r2", "val_mae", "val_mse", "val_r2"])
        // The training loss is the MSE itself, averaged the same way.
        #expect(abs(last.metrics!["train_mse"]! - last.trainLoss) < 1e-6 * last.trainLoss)
        #expect(last.metrics!["val_r2"]! > 0.9)
        let eval = trainer.evaluateMetrics(problem.val)
        #expect(eval.running.count == 60)
        #expect(abs(eval["mse"]! - eval.loss) < 1e-6 * eval.loss)
        #expect(EpochRecord.csvHeader(columns: last.metricColumns)
                == "epoch,step,train_loss,val_loss,train_mae,train_mse,train_r2,val_mae,val_mse,val_r2,lr,epoch_seconds,samples_per_sec")
    }

    @Test func regressionInterruptedMidEpochResumesBitIdentical() throws {
        let dir = try temporaryDirectory()
        let epochs = 3
        let problem = LinearProblem()
        let reference = makeRegressionTrainer(problem)
        try reference.fit(problem.train, validation: problem.val, epochs: epochs)

        let problem2 = LinearProblem()
        let first = makeRegressionTrainer(problem2)
        first.checkpointPath = dir + "/ckpt.safetensors"
        first.stopRequested = { [unowned first] in first.state.step == 17 }
        #expect(throws: TrainingError.self) { try first.fit(problem2.train, validation: problem2.val, epochs: epochs) }
        let saved = try TrainingCheckpoint.read(from: dir + "/ckpt.safetensors")
        #expect(saved.state.batch == 17 - problem.train.count && saved.state.running?.batches == saved.state.batch)

        let problem3 = LinearProblem()
        let resumed = makeRegressionTrainer(problem3, seed: 99)
        try resumed.resume(from: dir + "/ckpt.safetensors")
        try resumed.fit(problem3.train, validation: problem3.val, epochs: epochs)
        #expect(stateBytes(resumed.model) == stateBytes(reference.model))
        #expect(withoutTiming(resumed.history) == withoutTiming(reference.history))
    }

    @Test func earlyStoppingWatchesAnyMetric() throws {
        let problem = LinearProblem()
        let trainer = makeRegressionTrainer(problem)
        // R² is a score (higher is better); demanding +10 per epoch stops after patience 1.
        trainer.earlyStopping = EarlyStopping(monitor: Monitor("val_r2"), patience: 1, minDelta: 10)
        let history = try trainer.fit(problem.train, validation: problem.val, epochs: 6)
        #expect(history.count == 3 && trainer.state.stoppedEarly && trainer.state.bestEpoch == 1)
        #expect(Monitor("val_r2").higherIsBetter && !Monitor("val_mse").higherIsBetter && !Monitor("train_ppl").higherIsBetter)
        #expect(Monitor("val_hr@10").trainingFallback == Monitor("train_hr@10"))
    }

    @Test func nonFiniteLossStopsAGenericTrainer() throws {
        let problem = LinearProblem()
        let trainer = makeRegressionTrainer(problem)
        trainer.lossFunction = { out, y in mseLoss(out, y) * Double.nan }
        #expect(throws: TrainingError.self) { try trainer.fit(problem.train, epochs: 1) }
    }
}

@Suite struct PluggableMetricTests {
    @Test func regressionMetricsMatchHandComputedValues() {
        let p = Tensor([1, 2, 3, 5] as [Float]), t = Tensor([1, 4, 3, 3] as [Float])
        var mse = MeanSquaredError(), mae = MeanAbsoluteError(), rmse = RootMeanSquaredError(), r2 = R2Score()
        // Two batches, as a loader would give them.
        for (a, b) in [(p[0..<2], t[0..<2]), (p[2..<4], t[2..<4])] {
            mse.update(output: a, target: b, loss: 0, count: 2)
            mae.update(output: a, target: b, loss: 0, count: 2)
            rmse.update(output: a, target: b, loss: 0, count: 2)
            r2.update(output: a, target: b, loss: 0, count: 2)
        }
        #expect(mse.value == 2)            // (0 + 4 + 0 + 4) / 4
        #expect(mae.value == 1)            // (0 + 2 + 0 + 2) / 4
        #expect(rmse.value == 2.0.squareRoot())
        #expect(abs(r2.value - (1 - 8.0 / 4.75)) < 1e-12)   // SST of [1, 4, 3, 3] is 4.75
        var copy = R2Score()
        copy.state = r2.state
        #expect(copy.value == r2.value)
    }

    @Test func rankingMetricsCountTheTrueItemsRank() {
        // Row 0: the true item (column 0) ranks first; row 1: third; row 2: last of 4.
        let scores = Tensor([[0.9, 0.1, 0.2, 0.3], [0.5, 0.9, 0.8, 0.1], [0.0, 0.1, 0.2, 0.3]] as [[Float]])
        let target = Tensor([0, 0, 0] as [Int64])
        var hr = HitRate(k: 3), ndcg = NDCG(k: 3)
        hr.update(output: scores, target: target, loss: 0, count: 3)
        ndcg.update(output: scores, target: target, loss: 0, count: 3)
        #expect(hr.name == "hr@3" && hr.value == 2.0 / 3.0)
        #expect(abs(ndcg.value - (1 + 1 / log2(4.0)) / 3) < 1e-12)
    }

    @Test func perplexityIsTheExpOfTheTokenWeightedLoss() {
        var ppl = Perplexity()
        ppl.update(output: Tensor([0] as [Float]), target: Tensor([0] as [Float]), loss: 1.0, count: 10)
        ppl.update(output: Tensor([0] as [Float]), target: Tensor([0] as [Float]), loss: 2.0, count: 30)
        #expect(abs(ppl.value - exp(1.75)) < 1e-12)
        var acc = Accuracy()
        acc.update(output: Tensor([[[0.1, 0.9], [0.8, 0.2]]] as [[[Float]]]), target: Tensor([[1, 1]] as [[Int64]]), loss: 0, count: 2)
        #expect(acc.value == 0.5 && acc.name == "acc" && Accuracy(topK: 5).name == "top5_acc")
    }
}
