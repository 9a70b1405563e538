import Testing
import EmberTestSupport
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
        // Resuming a finished run does nothing more and succeeds; it removes the temporary
        // file a writer killed mid-write left (issue 17), not one of a live process.
        let stale = dir + "/run/checkpoint.safetensors.tmp-\(try deadProcessID())-0123456789abcdef"
        let live = dir + "/run/checkpoint.json.tmp-1-fedcba9876543210"   // pid 1 is always alive
        for f in [stale, live] { #expect(FileManager.default.createFile(atPath: f, contents: Data([1, 2, 3]))) }
        let finished = try runProcess(ember, ["train", "--resume", dir + "/run"])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stale) && FileManager.default.fileExists(atPath: live))
        #expect(finished.stdout.contains("Removed \(stale)"), "\(finished.stdout)")
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
            (["train", "--epochs", "0"], "--epochs must be in 1...1000000, got 0"),
            (["train", "--model", "resnet50"], "resnet50"),
            (["train", "--model", "resnet", "--width", "0"], "--width must be in 1...1024, got 0"),
            (["train", "--model", "cnn", "--width", "8"], "--width goes with --model resnet"),
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

    /// Issue 17: every numeric flag is checked before a run folder is made, NaN and
    /// infinity included, and negative numbers parse as numbers.
    @Test func badFlagValuesNameTheFlagAndLeaveNoFolder() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        let cases: [([String], String)] = [
            (["--dropout", "nan"], "--dropout must be in [0, 1), got nan"),
            (["--val-split", "nan"], "--val-split must be in [0, 1), got nan"),
            (["--clip-grad-norm", "inf"], "--clip-grad-norm must be a positive finite number"),
            (["--momentum", "nan"], "--momentum must be in [0, 1), got nan"),
            (["--batch-size", "-5"], "--batch-size must be in 1...16777216, got -5"),
            (["--lr", "-1"], "--lr must be a positive number, got -1.0"),
            (["--lr", "nan"], "--lr must be a positive number, got nan"),
            (["--weight-decay", "inf"], "--weight-decay must be a finite number >= 0"),
            (["--epochs", "-3"], "--epochs must be in 1...1000000, got -3"),
            (["--epochs", "99999999999"], "--epochs must be in 1...1000000"),
            (["--workers", "-1"], "--workers must be in 0...256, got -1"),
            (["--early-stopping", "-2"], "--early-stopping patience must be >= 0"),
            (["--checkpoint-every", "0"], "--checkpoint-every must be at least 1"),
            (["--train-limit", "-7"], "--train-limit must be at least 2"),
            (["--divergence-factor", "0.5"], "--divergence-factor must be a finite number > 1"),
            (["--divergence-factor", "nan"], "--divergence-factor must be a finite number > 1, got nan"),
            (["--debug-step-delay-ms", "99999999999"], "--debug-step-delay-ms must be in 0...60000"),
            (["--seed", "-1"], "--seed"),
            (["--lr", "abc"], "--lr"),
        ]
        for (i, (flags, needle)) in cases.enumerated() {
            let out = dir + "/r\(i)"
            let r = try runProcess(ember, ["train", "--model", "mlp", "--out", out] + flags)
            #expect(r.status != 0 && r.reason == .exit, "\(flags): \(r.stderr)")
            #expect(r.stderr.hasPrefix("ember: error: ") && r.stderr.contains(needle), "\(flags): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(flags): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(flags) left a run folder")
        }
        let resume = try runProcess(ember, ["train", "--resume", dir, "--workers", "-3"])
        #expect(resume.status != 0 && resume.stderr.contains("--workers must be in 0...256, got -3"), "\(resume.stderr)")
    }

    /// Issue 17: labels from a CSV file are checked (an Int64.max label trapped, 1e9 asked
    /// for 16 GB, no feature column trapped in Init), with errors naming file, line, column.
    @Test func badCSVLabelsAreErrors() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        let cases: [(String, String)] = [
            ("a,b,label\n1,2,0\n3,4,9223372036854775807\n5,6,1\n", ":3: column \"label\" (2): class index 9223372036854775807 is out of range"),
            ("a,b,label\n1,2,0\n3,4,1000000000\n", ":3: column \"label\" (2): class index 1000000000 is out of range: at most 100000 classes"),
            ("a,b,label\n1,2,-1\n3,4,1\n", ":2: column \"label\" (2): class index -1 is out of range"),
            ("a,b,label\n1,2,0\n3,4,1.5\n", ":3: column \"label\" (2): cannot parse \"1.5\""),
            ("a,b,label\n1,2,0\n3,4,1e300\n", ":3: column \"label\" (2)"),
            ("label\n0\n1\n2\n", "no feature columns"),
        ]
        for (i, (text, needle)) in cases.enumerated() {
            let csv = dir + "/d\(i).csv", out = dir + "/r\(i)"
            try text.write(toFile: csv, atomically: true, encoding: .utf8)
            let r = try runProcess(ember, ["train", "--model", "mlp", "--dataset", "csv:" + csv, "--val-split", "0", "--out", out])
            #expect(r.status == 1 && r.reason == .exit, "\(text): \(r.stderr)")
            #expect(r.stderr.contains(csv) && r.stderr.contains(needle), "\(text): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out), "\(text) left a run folder")
        }
    }

    /// Issue 17: the 88-byte safetensors file and the 16-byte IDX file that trapped.
    @Test func hugeEmptyShapesAreErrors() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        let header = #"{"a":{"dtype":"F32","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}}"#
        let padded = Array((header + String(repeating: " ", count: 80 - header.utf8.count)).utf8)
        let file = dir + "/huge.safetensors"
        #expect(FileManager.default.createFile(atPath: file, contents: Data([80, 0, 0, 0, 0, 0, 0, 0] + padded)))
        let inspect = try runProcess(ember, ["inspect", file])
        #expect(inspect.status == 1 && inspect.reason == .exit, "\(inspect.stderr)")
        #expect(inspect.stderr.contains(file) && inspect.stderr.contains("too large"), "\(inspect.stderr)")

        let root = dir + "/data/fashion-mnist"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let images: [UInt8] = [0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let labels: [UInt8] = [0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00, 0x00]
        for split in ["train", "t10k"] {
            #expect(FileManager.default.createFile(atPath: root + "/\(split)-images-idx3-ubyte", contents: Data(images)))
            #expect(FileManager.default.createFile(atPath: root + "/\(split)-labels-idx1-ubyte", contents: Data(labels)))
        }
        let train = try runProcess(ember, ["train", "--epochs", "1", "--out", dir + "/run"], environment: ["EMBER_DATA": dir + "/data"])
        #expect(train.status == 1 && train.reason == .exit, "\(train.stderr)")
        #expect(train.stderr.contains(root + "/train-images-idx3-ubyte") && train.stderr.contains("too large"), "\(train.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/run"))
    }

    /// The new switches of issue 17 run: anomaly detection, divergence settings.
    @Test func anomalyAndDivergenceFlagsRun() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        try writeBlobsCSV(to: dir + "/blobs.csv", rows: 120)
        let base = ["train", "--model", "mlp", "--dataset", "csv:" + dir + "/blobs.csv", "--epochs", "2", "--batch-size", "32", "--quiet"]
        let a = try runProcess(ember, base + ["--detect-anomaly", "--divergence-factor", "50", "--out", dir + "/a"])
        #expect(a.status == 0, "\(a.stderr)")
        let b = try runProcess(ember, base + ["--no-stop-on-divergence", "--out", dir + "/b"])
        #expect(b.status == 0, "\(b.stderr)")
        let c = try runProcess(ember, base + ["--no-stop-on-divergence", "--divergence-factor", "10", "--out", dir + "/c"])
        #expect(c.status != 0 && c.stderr.contains("--divergence-factor goes with --stop-on-divergence"), "\(c.stderr)")
        let help = try runProcess(ember, ["train", "--help"])
        for flag in ["--stop-on-divergence", "--no-stop-on-divergence", "--divergence-factor", "--detect-anomaly"] {
            #expect(help.stdout.contains(flag), "train --help lacks \(flag)")
        }
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
