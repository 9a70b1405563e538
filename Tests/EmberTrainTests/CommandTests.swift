import Testing
import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import EmberTrain

/// Runs the `ember` executable built beside the tests; each test is skipped with a note
/// when it was not built (`swift build` builds it with the tests).
@Suite(.serialized) struct CommandTests {
    let ember = emberExecutable()

    /// A small CSV run's flags: an MLP with BatchNorm and dropout, a one-cycle schedule,
    /// checkpoints every 3 steps, a validation split.
    func runArguments(csv: String, out: String) -> [String] {
        ["train", "--model", "mlp", "--dataset", "csv:" + csv, "--epochs", "4", "--batch-size", "16",
         "--scheduler", "onecycle", "--lr", "0.05", "--batch-norm", "--dropout", "0.2", "--checkpoint-every", "3",
         "--val-split", "0.2", "--seed", "11", "--workers", "1", "--out", out]
    }

    func trainingColumns(_ csvPath: String) throws -> [String] {
        try String(contentsOfFile: csvPath, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).prefix(8).joined(separator: ",")
        }
    }

    @Test func killedRunResumesToBitIdenticalWeights() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        try writeBlobsCSV(to: dir + "/blobs.csv")

        let reference = try runProcess(ember, runArguments(csv: dir + "/blobs.csv", out: dir + "/a") + ["--quiet"])
        #expect(reference.status == 0, "\(reference.stderr)")

        // The same run, slowed down, killed with SIGKILL once it has checkpointed mid-epoch.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ember)
        p.arguments = runArguments(csv: dir + "/blobs.csv", out: dir + "/b") + ["--quiet", "--debug-step-delay-ms", "15"]
        try p.run()
        let sidecar = dir + "/b/checkpoint.json"
        var killedAt: (epoch: Int, batch: Int)?
        // Poll until the condition holds (or the run ends), however slow a loaded machine is.
        for _ in 0..<24_000 {
            usleep(5_000)
            if let data = FileManager.default.contents(atPath: sidecar),
               let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
               let state = json["state"] as? [String: Any],
               let step = state["step"] as? Int, step >= 40, let batch = state["batch"] as? Int, batch > 0 {
                kill(p.processIdentifier, SIGKILL)
                killedAt = (state["epoch"] as! Int, batch)
                break
            }
            if !p.isRunning { break }
        }
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL, "the run should have been killed")
        #expect(killedAt != nil)
        let saved = try TrainingCheckpoint.read(from: dir + "/b/checkpoint.safetensors")
        #expect(!saved.state.finished)

        let resumed = try runProcess(ember, ["train", "--resume", dir + "/b", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.stderr)")

        let a = try tensorBytes(dir + "/a/checkpoint.safetensors"), b = try tensorBytes(dir + "/b/checkpoint.safetensors")
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a.keys.contains("model.fc1.weight") && a.keys.contains("optimizer.state.0.exp_avg"))
        for k in a.keys.sorted() { #expect(a[k] == b[k], "tensor \(k) differs after resume") }
        #expect(try tensorBytes(dir + "/a/model.safetensors") == tensorBytes(dir + "/b/model.safetensors"))
        #expect(try trainingColumns(dir + "/a/metrics.csv") == trainingColumns(dir + "/b/metrics.csv"))
        let jsonl = try String(contentsOfFile: dir + "/b/metrics.jsonl", encoding: .utf8)
        #expect(jsonl.split(separator: "\n").count == 4)
    }

    @Test func sameSeedSameMetrics() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        try writeBlobsCSV(to: dir + "/blobs.csv")
        for name in ["x", "y"] {
            let r = try runProcess(ember, runArguments(csv: dir + "/blobs.csv", out: dir + "/" + name) + ["--quiet", "--workers", name == "x" ? "0" : "2"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let x = try trainingColumns(dir + "/x/metrics.csv"), y = try trainingColumns(dir + "/y/metrics.csv")
        #expect(x.count == 5)
        #expect(x == y)
    }

    @Test func runFolderHasEverything() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        try writeBlobsCSV(to: dir + "/blobs.csv")
        let r = try runProcess(ember, runArguments(csv: dir + "/blobs.csv", out: dir + "/run"))
        #expect(r.status == 0, "\(r.stderr)")
        // Not a terminal: plain lines, one summary per epoch, no carriage returns.
        #expect(!r.stdout.contains("\r"))
        #expect(r.stdout.split(separator: "\n").filter { $0.hasPrefix("Epoch ") && $0.contains("val loss") }.count == 4)
        #expect(r.stdout.contains("run folder: \(dir)/run"))
        for f in ["config.json", "metrics.csv", "metrics.jsonl", "model.safetensors", "checkpoint.safetensors", "checkpoint.json",
                  "loss.svg", "accuracy.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/run/" + f), "missing \(f)")
        }
        for f in ["loss.svg", "accuracy.svg"] {
            #expect(xmlError(try String(contentsOfFile: dir + "/run/" + f, encoding: .utf8)) == nil, "\(f) is not XML")
        }
        let config = try RunConfig.parse(try String(contentsOfFile: dir + "/run/config.json", encoding: .utf8), path: "config.json")
        #expect(config.epochs == 4 && config.model == .mlp && config.batchNorm)
        #expect(try String(contentsOfFile: dir + "/run/metrics.csv", encoding: .utf8).hasPrefix(EpochRecord.csvHeader))

        let inspect = try runProcess(ember, ["inspect", dir + "/run/model.safetensors"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("fc1.weight") && inspect.stdout.contains("bn1.running_mean") && inspect.stdout.contains("float32"))
        #expect(inspect.stdout.contains("[512, 6]"))

        let eval = try runProcess(ember, ["eval", dir + "/run"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("validation split") && eval.stdout.contains("accuracy") && eval.stdout.contains("macro avg"))

        // A second run into the same folder is refused with a hint.
        let again = try runProcess(ember, runArguments(csv: dir + "/blobs.csv", out: dir + "/run"))
        #expect(again.status != 0)
        #expect(again.stderr.contains("--resume"))
        // Resuming a finished run does nothing more and succeeds.
        let finished = try runProcess(ember, ["train", "--resume", dir + "/run", "--quiet"])
        #expect(finished.status == 0, "\(finished.stderr)")
    }

    @Test func ctrlCSavesACheckpointAndSaysHowToResume() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        try writeBlobsCSV(to: dir + "/blobs.csv")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ember)
        p.arguments = runArguments(csv: dir + "/blobs.csv", out: dir + "/c") + ["--debug-step-delay-ms", "15"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = Pipe()
        try p.run()
        for _ in 0..<24_000 where p.isRunning && !FileManager.default.fileExists(atPath: dir + "/c/checkpoint.json") { usleep(5_000) }
        usleep(50_000)
        kill(p.processIdentifier, SIGINT)
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 130, "\(text)")
        #expect(text.contains("Checkpoint saved to \(dir)/c/checkpoint.safetensors"))
        #expect(text.contains("Resume with: ember train --resume \(dir)/c"))
        let ckpt = try TrainingCheckpoint.read(from: dir + "/c/checkpoint.safetensors")
        #expect(!ckpt.state.finished && ckpt.state.step > 0)
    }

    @Test func errorsAreOneLineAndNonZero() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        let cases: [([String], String)] = [
            (["train", "--bogus"], "Unknown option '--bogus'"),
            (["train", "--dataset", "csv:" + dir + "/nope.csv", "--model", "mlp", "--out", dir + "/r"], "nope.csv: no such file"),
            (["train", "--dataset", "imagenet"], "unknown dataset 'imagenet'"),
            (["train", "--epochs", "0"], "--epochs must be at least 1"),
            (["train", "--model", "resnet"], "resnet"),
            (["train", "--resume", dir + "/missing"], "no such run folder"),
            (["train", "--resume", dir, "--epochs", "3"], "--epochs cannot be used with --resume"),
            (["eval", dir + "/missing"], "no such run folder"),
            (["inspect", dir + "/none.safetensors"], "none.safetensors"),
        ]
        for (args, needle) in cases {
            let r = try runProcess(ember, args)
            #expect(r.status != 0, "\(args) should fail")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("ember: error: ") && r.stderr.contains(needle), "\(args): \(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/r"), "a failed run should not leave a folder")
    }

    @Test func helpReadsWell() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let top = try runProcess(ember, ["--help"])
        #expect(top.status == 0)
        for word in ["train", "eval", "inspect", "USAGE"] { #expect(top.stdout.contains(word)) }
        let train = try runProcess(ember, ["train", "--help"])
        #expect(train.status == 0)
        for flag in ["--model", "--dataset", "--epochs", "--batch-size", "--optimizer", "--lr", "--momentum", "--weight-decay",
                     "--scheduler", "--augment", "--early-stopping", "--val-split", "--seed", "--workers", "--out", "--resume"] {
            #expect(train.stdout.contains(flag), "train --help lacks \(flag)")
        }
        #expect(!train.stdout.contains("debug-step-delay"))
        for sub in ["eval", "inspect"] {
            let h = try runProcess(ember, [sub, "--help"])
            #expect(h.status == 0 && h.stdout.contains("USAGE: ember \(sub)"))
        }
    }
}
