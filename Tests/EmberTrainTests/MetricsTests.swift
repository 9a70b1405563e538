import Testing
import Foundation
import Ember
@testable import EmberTrain

@Suite struct MetricsTests {
    @Test func confusionMatrixScores() {
        var cm = ConfusionMatrix(numClasses: 3)
        cm.add(actual: [0, 1, 2, 2, 1], predicted: [0, 2, 2, 2, 1])
        #expect(cm[2, 2] == 2)
        #expect(cm[1, 2] == 1)
        #expect(cm.total == 5)
        #expect(cm.accuracy == 0.8)
        #expect(cm.recall(1) == 0.5)
        #expect(cm.precision(2) == 2.0 / 3.0)
        #expect(cm.precision(1) == 1)
        #expect(abs(cm.f1(2) - 0.8) < 1e-12)
        #expect(cm.support(2) == 2)
        let report = cm.report(classNames: ["a", "b", "c"])
        #expect(report.contains("precision"))
        #expect(report.contains("macro avg"))
        #expect(cm.table().split(separator: "\n").count == 4)
    }

    @Test func emptyClassesScoreZeroNotNaN() {
        let cm = ConfusionMatrix(numClasses: 2)
        #expect(cm.precision(0) == 0 && cm.recall(1) == 0 && cm.f1(0) == 0 && cm.accuracy == 0)
    }

    @Test func accuracyAndTopK() {
        let logits = Tensor([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.3, 0.3, 0.4], [0.6, 0.3, 0.1]] as [[Float]])
        let targets = Tensor([1, 1, 2, 0, 2] as [Int64])
        #expect(accuracy(logits: logits, targets: targets) == 0.4)
        #expect(accuracy(logits: logits, targets: targets, topK: 2) == 0.8)
        #expect(accuracy(logits: logits, targets: targets, topK: 3) == 1)
    }

    @Test func tiesRankLikeArgmaxAndNaNNeverCounts() {
        // argmax picks the first of equal scores; a NaN row is never right.
        let logits = Tensor([[1, 1, 0], [Float.nan, 0, 0]] as [[Float]])
        let scores = ClassScores(logits: logits, targets: Tensor([1, 0] as [Int64]))
        #expect(scores.predictions[0] == 0)
        #expect(scores.correct(topK: 1) == 0)
        #expect(scores.correct(topK: 2) == 1)
    }

    @Test func meterWeightsLossBySamples() {
        var meter = ClassificationMeter(topK: 2, confusion: true)
        meter.add(loss: 1.0, logits: Tensor([[1, 0], [0, 1]] as [[Float]]), targets: Tensor([0, 0] as [Int64]))
        meter.add(loss: 4.0, logits: Tensor([[1, 0]] as [[Float]]), targets: Tensor([0] as [Int64]))
        #expect(meter.loss == 2.0)
        #expect(meter.count == 3 && meter.batches == 2)
        #expect(meter.accuracy == 2.0 / 3.0)
        #expect(meter.topKAccuracy == 1)
        #expect(meter.confusion?[0, 1] == 1)
    }

    @Test func formatting() {
        #expect(Format.fixed(0.91234, 2) == "0.91")
        #expect(Format.fixed(-0.004, 2) == "0.00")
        #expect(Format.fixed(2.5, 0) == "3")
        #expect(Format.percent(0.9142) == "91.42%")
        #expect(Format.scientific(0.001) == "1.00e-03")
        #expect(Format.scientific(9.999e-4) == "1.00e-03")
        #expect(Format.scientific(123456) == "1.23e+05")
        #expect(Format.duration(75) == "1:15")
        #expect(Format.duration(3725) == "1:02:05")
        #expect(Format.grouped(1234567) == "1,234,567")
        #expect(Format.grouped(999) == "999")
    }

    /// Issue 17: a loss of 1e15 and more converted a Double to Int and trapped.
    @Test func anyNumberFormats() {
        for x in [9.2e14, 9.3e18, 1e20, -1e20, 1e300, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                  .leastNonzeroMagnitude, 2.2250738585072014e-308 / 1e4, .nan, .infinity, -.infinity, 0, -0.0] {
            for digits in [0, 1, 2, 4, 20] {
                _ = Format.fixed(x, digits)
                _ = Format.percent(x)
                _ = Format.scientific(x, digits)
            }
            _ = Format.duration(x)
            _ = Format.grouped(Format.count(x))
        }
        #expect(Format.fixed(1.5e20, 4) == "1.5000e+20")
        #expect(Format.fixed(-2e15, 2) == "-2.00e+15")
        #expect(Format.fixed(123456789012.5, 1) == "123456789012.5")
        #expect(Format.fixed(.nan, 4) == "nan" && Format.fixed(.infinity, 2) == "inf" && Format.fixed(-.infinity, 2) == "-inf")
        #expect(Format.scientific(.greatestFiniteMagnitude) == "1.80e+308")
        #expect(Format.scientific(.leastNonzeroMagnitude).hasSuffix("e-324"))
        #expect(Format.scientific(-.infinity) == "-inf")
        #expect(Format.duration(1e300) == "?:??")
        #expect(Format.grouped(Int.min).hasPrefix("-9,223"))
        #expect(Format.count(.infinity) == 0 && Format.count(1e30) == Int.max)
    }

    /// NaN and infinity are not JSON numbers: metrics.jsonl and checkpoints write them as
    /// strings, and read them back.
    @Test func nonFiniteMetricsStayValidJSON() throws {
        let r = EpochRecord(epoch: 1, step: 3, trainLoss: .nan, trainAccuracy: 0.5, valLoss: .infinity, valAccuracy: 0.1,
                            valTopKAccuracy: 0.2, topK: 5, lr: 1e-3, seconds: .nan, samplesPerSecond: .infinity)
        let line = try RunFiles.jsonLine(r)
        #expect(line.contains("\"train_loss\":\"nan\"") || line.contains("\"trainLoss\":\"nan\""), "\(line)")
        #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)")
        let back = try TrainingCheckpoint.decoder().decode(EpochRecord.self, from: Data(line.utf8))
        #expect(back.trainLoss.isNaN && back.valLoss == .infinity)
        #expect(r.csvRow.hasPrefix("1,3,nan,0.5,inf,"))
        var state = TrainerState()
        state.history = [r]
        state.best = -.infinity
        let text = try TrainingCheckpoint.encode(state, pretty: true)
        #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil)
        #expect(try TrainingCheckpoint.decoder().decode(TrainerState.self, from: Data(text.utf8)).best == -.infinity)
    }

    @Test func earlyStoppingPatienceAndDelta() {
        var es = EarlyStopping(monitor: .valLoss, patience: 1, minDelta: 0.01)
        func record(_ e: Int, _ v: Double) -> EpochRecord {
            EpochRecord(epoch: e, step: e, trainLoss: 1, trainAccuracy: 0, valLoss: v, valAccuracy: nil, valTopKAccuracy: nil,
                        topK: 5, lr: 0.1, seconds: 0, samplesPerSecond: 0)
        }
        let first = es.update(record(1, 1.0))
        let second = es.update(record(2, 0.995))   // better, but by less than minDelta
        #expect(first && !second)
        #expect(!es.shouldStop)
        let third = es.update(record(3, 2.0))
        #expect(!third)
        #expect(es.shouldStop)
        #expect(es.bestEpoch == 1 && es.best == 1.0)
    }
}
