import EmberTrain
import Foundation
import Testing

/// `ember train --nesterov`, `--label-smoothing` and `--random-erasing`: checked like every other
/// flag, recorded in config.json, and each one changes the trained weights (and
/// `--label-smoothing 0` does not).
@Suite(.serialized) struct RecipeFlagsTests {
    let ember = emberExecutable()

    @Test func nesterovAndLabelSmoothingAreValidated() throws {
        var c = RunConfig()
        c.optimizer = .sgd
        c.nesterov = true
        c.labelSmoothing = 0.1
        try c.validate()
        c.momentum = 0
        #expect(throws: RunError.badConfig("--nesterov needs a --momentum above 0, got 0.0")) { try c.validate() }
        c.momentum = 0.9
        c.optimizer = .adam
        #expect(throws: RunError.badConfig("--nesterov goes with --optimizer sgd")) { try c.validate() }
        c.nesterov = nil
        c.labelSmoothing = 1.5
        #expect(throws: RunError.badConfig("--label-smoothing must be in [0, 1], got 1.5")) { try c.validate() }
        c.labelSmoothing = .nan
        #expect(throws: RunError.badConfig("--label-smoothing must be in [0, 1], got nan")) { try c.validate() }
        c.labelSmoothing = 0.1
        c.task = .regression
        #expect(throws: RunError.badConfig("--label-smoothing goes with --task classification")) { try c.validate() }
    }

    @Test func randomErasingIsValidated() throws {
        var c = RunConfig()
        c.randomErasing = 0.5
        try c.validate()
        c.dataset = "mnist"
        try c.validate()
        c.randomErasing = -0.1
        #expect(throws: RunError.badConfig("--random-erasing must be in [0, 1], got -0.1")) { try c.validate() }
        c.randomErasing = .infinity
        #expect(throws: RunError.badConfig("--random-erasing must be in [0, 1], got inf")) { try c.validate() }
        c.randomErasing = 1
        c.dataset = "folder:/tmp"
        #expect(throws: RunError.badConfig("--random-erasing goes with --dataset fashion-mnist or mnist")) { try c.validate() }
        c.dataset = "fashion-mnist"
        c.task = .lm
        #expect(throws: RunError.badConfig("--random-erasing goes with --task classification")) { try c.validate() }
    }

    @Test func eachFlagChangesTheWeightsAndIsRecorded() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        func train(_ name: String, _ extra: [String]) throws -> Data {
            let out = dir + "/" + name
            let r = try runProcess(ember, ["train", "--model", "mlp", "--optimizer", "sgd", "--lr", "0.05", "--epochs", "1",
                                           "--train-limit", "512", "--batch-size", "64", "--quiet", "--out", out] + extra)
            #expect(r.status == 0, "\(name): \(r.stderr)")
            return try Data(contentsOf: URL(fileURLWithPath: out + "/model.safetensors"))
        }
        let plain = try train("plain", [])
        let nesterov = try train("nesterov", ["--nesterov"])
        let smoothed = try train("smoothed", ["--label-smoothing", "0.1"])
        let zero = try train("zero", ["--label-smoothing", "0"])
        let erased = try train("erased", ["--random-erasing", "1"])
        #expect(erased != plain, "--random-erasing 1 left the weights unchanged")
        let e = try RunConfig.parse(try String(contentsOfFile: dir + "/erased/config.json", encoding: .utf8), path: dir + "/erased")
        #expect(e.randomErasing == 1)
        #expect(nesterov != plain, "--nesterov left the weights unchanged")
        #expect(smoothed != plain, "--label-smoothing 0.1 left the weights unchanged")
        #expect(zero == plain, "--label-smoothing 0 should train exactly as no smoothing")

        let config = try RunConfig.parse(try String(contentsOfFile: dir + "/smoothed/config.json", encoding: .utf8), path: dir + "/smoothed")
        #expect(config.labelSmoothing == 0.1 && config.nesterov == nil)
        let n = try RunConfig.parse(try String(contentsOfFile: dir + "/nesterov/config.json", encoding: .utf8), path: dir + "/nesterov")
        #expect(n.nesterov == true)

        let refused = try runProcess(ember, ["train", "--nesterov", "--out", dir + "/refused"])
        #expect(refused.status != 0 && refused.stderr.contains("--nesterov goes with --optimizer sgd"), "\(refused.stderr)")
    }
}
