import Testing
import Foundation
import EmberTestSupport
@testable import EmberTrain

/// `ember train --task regression`, `ember eval` and `ember predict` on scikit-learn's
/// diabetes data (Tests/Fixtures/regression/diabetes.csv, made by
/// scripts/make_regression_fixture.py).
@Suite(.serialized) struct RegressionCommandTests {
    let ember = emberExecutable()
    let csv = fixturesDirectory() + "/regression/diabetes.csv"

    func arguments(out: String, epochs: Int) -> [String] {
        ["train", "--task", "regression", "--dataset", "csv:" + csv, "--target", "progression", "--epochs", "\(epochs)",
         "--batch-size", "16", "--lr", "0.003", "--seed", "3", "--checkpoint-every", "5", "--out", out]
    }

    /// The fixture's rows as numbers (header dropped).
    func rows() throws -> [[Double]] {
        try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
    }

    @Test func trainEvalPredictRoundTrip() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        let r = try runProcess(ember, arguments(out: dir + "/run", epochs: 8))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Validation loss") && r.stdout.contains("r2"), "\(r.stdout)")
        for f in ["config.json", "regression.json", "validation.json", "metrics.csv", "metrics.jsonl", "model.safetensors",
                  "checkpoint.safetensors", "loss.svg", "mse.svg", "mae.svg", "r2.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/run/" + f), "missing \(f)")
        }
        // The loss goes down.
        let lines = try String(contentsOfFile: dir + "/run/metrics.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first!.hasPrefix("epoch,step,train_loss,val_loss,train_mae,train_mse,train_r2,val_mae,val_mse,val_r2"))
        let trainLoss = lines.dropFirst().map { Double($0.split(separator: ",")[2])! }
        #expect(trainLoss.count == 8 && trainLoss.last! < 0.7 * trainLoss.first!, "\(trainLoss)")

        // Standardization comes from the training rows only.
        let info = try RegressionInfo.read(folder: dir + "/run")
        let data = try rows()
        let held = Set(info.validationRows)
        #expect(held.count == 88 && info.features.count == 10 && info.target == "progression")
        let trainAges = data.indices.filter { !held.contains($0) }.map { data[$0][0] }
        let allAges = data.map { $0[0] }
        let trainMean = trainAges.reduce(0, +) / Double(trainAges.count)
        #expect(abs(info.xMean[0] - trainMean) < 1e-4)
        #expect(abs(info.xMean[0] - allAges.reduce(0, +) / Double(allAges.count)) > 1e-3)

        // ember eval: the validation metrics of the best weights, as training reported them.
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/run/validation.json"))) as! [String: Any]
        let validation = report["metrics"] as! [String: Double]
        let eval = try runProcess(ember, ["eval", dir + "/run"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("validation split, 88 items") && eval.stdout.contains("r2 \(Format.fixed(validation["r2"]!, 4))"), "\(eval.stdout)")

        // ember predict on the whole file: the validation rows' squared error is validation.json's MSE.
        let predict = try runProcess(ember, ["predict", dir + "/run", "--input", csv, "--output", dir + "/p.csv"])
        #expect(predict.status == 0, "\(predict.stderr)")
        let predictions = try String(contentsOfFile: dir + "/p.csv", encoding: .utf8).split(separator: "\n")
        #expect(predictions.count == 443 && predictions.first == "progression")
        let values = predictions.dropFirst().map { Double($0)! }
        let sse = info.validationRows.map { (values[$0] - data[$0][10]) * (values[$0] - data[$0][10]) }.reduce(0, +)
        let mse = sse / Double(info.validationRows.count)
        #expect(abs(mse - validation["mse"]!) < 1e-4 * validation["mse"]!, "\(mse) vs \(validation["mse"]!)")

        // Missing columns are named.
        try "age,sex\n1,2\n".write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        let bad = try runProcess(ember, ["predict", dir + "/run", "--input", dir + "/bad.csv"])
        #expect(bad.status != 0 && bad.stderr.contains("bmi") && bad.stderr.contains("bad.csv"), "\(bad.stderr)")
    }

    @Test func killedRegressionRunResumesBitIdentical() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        let n = try checkKilledRunResumesBitIdentical(ember, arguments(out: dir + "/a", epochs: 3), dir: dir, minStep: 30)
        #expect(n > 10)
    }

    @Test func regressionFlagsAreCheckedBeforeAnythingIsWritten() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        let noTarget = try runProcess(ember, ["train", "--task", "regression", "--dataset", "csv:" + csv, "--out", dir + "/x"])
        #expect(noTarget.status != 0 && noTarget.stderr.contains("--target"), "\(noTarget.stderr)")
        let badColumn = try runProcess(ember, ["train", "--task", "regression", "--dataset", "csv:" + csv, "--target", "nope",
                                               "--epochs", "1", "--out", dir + "/y"])
        #expect(badColumn.status != 0 && badColumn.stderr.contains("nope"), "\(badColumn.stderr)")
        let cnn = try runProcess(ember, ["train", "--task", "regression", "--dataset", "csv:" + csv, "--target", "progression",
                                         "--model", "cnn", "--out", dir + "/z"])
        #expect(cnn.status != 0 && cnn.stderr.contains("mlp"), "\(cnn.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/x") && !FileManager.default.fileExists(atPath: dir + "/z"))
    }
}
