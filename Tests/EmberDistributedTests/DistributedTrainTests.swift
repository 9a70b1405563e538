import Foundation
import Ember
import Testing
import EmberTestSupport

/// `ember train --distributed` under mpirun: bit-identical to one process with the global
/// batch, resumable at another number of processes, and clear when a rank cannot read its data.
@Suite(.enabled(if: MPI.available, Comment(rawValue: MPI.missing)), .serialized)
struct DistributedTrainTests {
    let ember = MPI.executable("ember")

    /// The flags every run here shares (besides the batch size): an MLP with BatchNorm and dropout.
    static func flags(_ csv: String, _ out: String) -> [String] {
        ["train", "--dataset", "csv:" + csv, "--model", "mlp", "--epochs", "2", "--seed", "5", "--lr", "0.01", "--dropout", "0.2", "--batch-norm",
         "--checkpoint-every", "4", "--out", out, "--quiet"]
    }

    static func expectSameWeights(_ a: String, _ b: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let x = try tensorBytes(a), y = try tensorBytes(b)
        #expect(x.count >= 6 && x.keys.sorted() == y.keys.sorted(), sourceLocation: sourceLocation)
        for (name, bytes) in x { #expect(y[name] == bytes, "\(name) differs between \(a) and \(b)", sourceLocation: sourceLocation) }
    }

    /// Issue 21's contract as written: `mpirun -np 2 ember train --distributed --batch-size 64`
    /// ends with the `model.safetensors` of a plain `ember train --batch-size 128` (no other flag
    /// added), and so does `mpirun -np 4 ... --batch-size 32`.
    @Test func twoAndFourProcessesEndBitIdenticalToAPlainRunWithTheGlobalBatch() throws {
        let ember = try #require(ember, "the ember executable was not built beside the tests")
        let dir = try temporaryDirectory()
        try writeBlobsCSV(to: dir + "/blobs.csv", rows: 1300, seed: 11)
        let csv = dir + "/blobs.csv"
        let one = try MPI.bounded(120, [ember] + Self.flags(csv, dir + "/one") + ["--batch-size", "128"])
        #expect(one.status == 0, "\(one.output)")
        let two = try MPI.run(ranks: 2, ember, Self.flags(csv, dir + "/two") + ["--distributed", "--batch-size", "64"])
        #expect(two.status == 0, "\(two.output)")
        let four = try MPI.run(ranks: 4, ember, Self.flags(csv, dir + "/four") + ["--distributed", "--batch-size", "32"])
        #expect(four.status == 0, "\(four.output)")
        try Self.expectSameWeights(dir + "/one/model.safetensors", dir + "/two/model.safetensors")
        try Self.expectSameWeights(dir + "/one/model.safetensors", dir + "/four/model.safetensors")
        // Rank 0 alone wrote the folder; the metrics summed over the ranks match one process's.
        let a = try String(contentsOfFile: dir + "/one/metrics.csv", encoding: .utf8).split(separator: "\n")
        for run in ["two", "four"] {
            let b = try String(contentsOfFile: dir + "/\(run)/metrics.csv", encoding: .utf8).split(separator: "\n")
            #expect(a.count == 3 && b.count == 3)
            // epoch, step, train loss and accuracy, validation loss, accuracy, top-k, lr: equal (timing columns aside).
            for (x, y) in zip(a, b) { #expect(x.split(separator: ",").prefix(8) == y.split(separator: ",").prefix(8), "\(x) vs \(y)") }
        }
        let plain = try String(contentsOfFile: dir + "/one/config.json", encoding: .utf8)
        #expect(plain.contains("\"gradShards\" : 4"), "\(plain)")
        let config = try String(contentsOfFile: dir + "/two/config.json", encoding: .utf8)
        #expect(config.contains("\"worldSize\" : 2") && config.contains("\"gradShards\" : 4"), "\(config)")
    }

    /// A number of processes that does not divide --grad-shards is refused on every rank, at the
    /// start and at a resume, with an error that names the counts that work and the K that would.
    @Test func aCountNotDividingTheShardsIsRefusedWithTheCountsThatWork() throws {
        let ember = try #require(ember, "the ember executable was not built beside the tests")
        let dir = try temporaryDirectory()
        try writeBlobsCSV(to: dir + "/blobs.csv", rows: 520, seed: 11)
        let message = "3 processes cannot share 4 gradient shards: the number of processes must divide --grad-shards "
            + "(use 1, 2 or 4 processes, or start the run with --grad-shards 12)"
        let r = try MPI.run(ranks: 3, ember, Self.flags(dir + "/blobs.csv", dir + "/three") + ["--distributed", "--batch-size", "32", "--grad-shards", "4"], seconds: 90)
        #expect(r.status != 0)
        #expect(r.output.contains(message), "\(r.output)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/three/checkpoint.safetensors"))
        // A one-process run with the default 4 shards, stopped early, cannot be resumed by three.
        let alone = try MPI.bounded(120, [ember] + Self.flags(dir + "/blobs.csv", dir + "/one") + ["--batch-size", "96", "--debug-interrupt-after", "2"])
        #expect(alone.status == 130, "\(alone.output)")
        let resumed = try MPI.run(ranks: 3, ember, ["train", "--resume", dir + "/one", "--distributed", "--quiet"], seconds: 90)
        #expect(resumed.status != 0)
        #expect(resumed.output.contains(message), "\(resumed.output)")
    }

    /// Three processes (12 shards by default for them) end bit-identical to one process with
    /// `--grad-shards 12` and the global batch, and take over a one-process run stopped midway.
    @Test func threeProcessesEndBitIdenticalToOneWithTwelveShards() throws {
        let ember = try #require(ember, "the ember executable was not built beside the tests")
        let dir = try temporaryDirectory()
        try writeBlobsCSV(to: dir + "/blobs.csv", rows: 520, seed: 11)
        let csv = dir + "/blobs.csv"
        let whole = try MPI.bounded(120, [ember] + Self.flags(csv, dir + "/whole") + ["--batch-size", "48", "--grad-shards", "12"])
        #expect(whole.status == 0, "\(whole.output)")
        let three = try MPI.run(ranks: 3, ember, Self.flags(csv, dir + "/three") + ["--distributed", "--batch-size", "16"])
        #expect(three.status == 0, "\(three.output)")
        try Self.expectSameWeights(dir + "/whole/model.safetensors", dir + "/three/model.safetensors")
        let config = try String(contentsOfFile: dir + "/three/config.json", encoding: .utf8)
        #expect(config.contains("\"worldSize\" : 3") && config.contains("\"gradShards\" : 12"), "\(config)")
        // One process stopped after 10 steps (mid-epoch), resumed by three.
        let stopped = try MPI.bounded(120, [ember] + Self.flags(csv, dir + "/a") + ["--batch-size", "48", "--grad-shards", "12", "--debug-interrupt-after", "10"])
        #expect(stopped.status == 130, "\(stopped.output)")
        let resumed = try MPI.run(ranks: 3, ember, ["train", "--resume", dir + "/a", "--distributed", "--quiet"])
        #expect(resumed.status == 0, "\(resumed.output)")
        try Self.expectSameWeights(dir + "/whole/model.safetensors", dir + "/a/model.safetensors")
    }

    @Test func aRunResumesOnAnotherNumberOfProcesses() throws {
        let ember = try #require(ember, "the ember executable was not built beside the tests")
        let dir = try temporaryDirectory()
        try writeBlobsCSV(to: dir + "/blobs.csv", rows: 520, seed: 11)
        let csv = dir + "/blobs.csv"
        let whole = try MPI.bounded(120, [ember] + Self.flags(csv, dir + "/whole") + ["--batch-size", "32"])
        #expect(whole.status == 0, "\(whole.output)")
        // Two processes stopped after 10 steps (mid-epoch), resumed by one.
        let stopped = try MPI.run(ranks: 2, ember, Self.flags(csv, dir + "/a") + ["--batch-size", "16", "--distributed", "--debug-interrupt-after", "10"])
        #expect(stopped.status != 0 && FileManager.default.fileExists(atPath: dir + "/a/checkpoint.safetensors"), "\(stopped.output)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/a/test.json"))
        let resumedAlone = try MPI.bounded(120, [ember, "train", "--resume", dir + "/a", "--quiet"])
        #expect(resumedAlone.status == 0, "\(resumedAlone.output)")
        try Self.expectSameWeights(dir + "/whole/model.safetensors", dir + "/a/model.safetensors")
        // One process stopped, resumed by two.
        let alone = try MPI.bounded(120, [ember] + Self.flags(csv, dir + "/b") + ["--batch-size", "32", "--debug-interrupt-after", "10"])
        #expect(alone.status == 130, "\(alone.output)")
        let resumedByTwo = try MPI.run(ranks: 2, ember, ["train", "--resume", dir + "/b", "--distributed", "--quiet"])
        #expect(resumedByTwo.status == 0, "\(resumedByTwo.output)")
        try Self.expectSameWeights(dir + "/whole/model.safetensors", dir + "/b/model.safetensors")
    }

    @Test func aRankThatCannotReadTheDataStopsTheRunWithItsError() throws {
        let ember = try #require(ember, "the ember executable was not built beside the tests")
        let dir = try temporaryDirectory()
        try writeBlobsCSV(to: dir + "/blobs.csv", rows: 520, seed: 11)
        // MPMD launch: rank 0 reads the file, rank 1 is given a path that does not exist.
        let good = Self.flags(dir + "/blobs.csv", dir + "/r") + ["--batch-size", "16", "--distributed"]
        let bad = Self.flags(dir + "/missing.csv", dir + "/r") + ["--batch-size", "16", "--distributed"]
        let r = try MPI.bounded(90, [MPI.mpirun!] + MPI.options + ["-np", "1", ember] + good + [":", "-np", "1", ember] + bad)
        #expect(r.status != 0)
        #expect(r.output.contains("error on process 1 of 2: process 1 of the distributed run failed:") && r.output.contains("missing.csv"), "\(r.output)")
        #expect(r.seconds < 60)
    }
}

/// The CNN through `ember train`, with no sharding flag on either side: convolutions split their
/// batch by the thread count, so both sides run one thread per process.
@Suite(.enabled(if: MPI.available, Comment(rawValue: MPI.missing)), .serialized)
struct DistributedCNNTrainTests {
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist"),
                   "Fashion-MNIST is not installed (make deps installs dataset-fashion-mnist)"))
    func aCNNOnFourProcessesEndsBitIdenticalToOne() throws {
        let ember = try #require(MPI.executable("ember"), "the ember executable was not built beside the tests")
        let dir = try temporaryDirectory()
        let flags = ["train", "--model", "cnn", "--train-limit", "640", "--val-split", "0.2", "--epochs", "1", "--seed", "2",
                     "--threads", "1", "--quiet"]
        let one = try MPI.bounded(180, [ember] + flags + ["--batch-size", "64", "--out", dir + "/one"])
        #expect(one.status == 0, "\(one.output)")
        let four = try MPI.bounded(180, [MPI.mpirun!, "--allow-run-as-root", "--oversubscribe", "--mca", "btl_vader_single_copy_mechanism", "none",
                                         "-np", "4", ember] + flags + ["--batch-size", "16", "--distributed", "--out", dir + "/four"])
        #expect(four.status == 0, "\(four.output)")
        try DistributedTrainTests.expectSameWeights(dir + "/one/model.safetensors", dir + "/four/model.safetensors")
    }
}
