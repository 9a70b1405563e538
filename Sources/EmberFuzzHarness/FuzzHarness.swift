import Ember
import EmberData
import EmberTrain

/// The parsers that `make fuzz` fuzzes, one libFuzzer executable each (`Fuzz/`), and the
/// regression suite replays (`FuzzCorpusTests`).
///
/// Each target takes the bytes of one file, reads it through Ember's public API the way a user
/// would, and accepts either success or the typed error that names the file; anything else (a
/// trap, a sanitizer report, another error type, an error naming another file, a value that
/// does not survive a write and a read back) is a crash.
public enum FuzzTarget: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `loadWithMetadata` of a safetensors file; a file that loads is saved and read back.
    case safetensors
    /// `IDX.read` of a file that is not named `.gz` (gzip is still recognized by its magic bytes).
    case idx
    /// `IDX.read` of a file named `.gz`: the gzip reader, then the IDX reader.
    case idxGzip = "idx-gzip"
    /// `CSVDataset` with several header, delimiter and target settings, and the data of
    /// `ember train --dataset csv:FILE` (`RunData`).
    case csv
    /// The JSON of a checkpoint: the trainer state in `checkpoint.safetensors`'s metadata
    /// (read by `TrainingCheckpoint.read`) and the run's `config.json` (`RunConfig.parse`).
    case checkpoint
    /// `TextDataset` at character and word level, with its own vocabulary and with one that
    /// lacks tokens (the `Vocabulary` encoder's error path).
    case text
    /// `readImageInfo` and `readImage` of a file named `.png` (any format is sniffed, so JPEG
    /// bytes are read too); a decoded image is checked against its header and survives
    /// `encodePNG` and a decode back.
    case png
    /// The same for a file named `.jpg`.
    case jpeg
    /// `RatingsTable` of a MovieLens-format ratings file (`ember train --task recommend`).
    case ratings

    public var description: String { rawValue }

    /// The name the input file gets: readers look at the extension (`.gz`).
    var fileName: String {
        switch self {
        case .safetensors: return "input.safetensors"
        case .idx: return "input-idx3-ubyte"
        case .idxGzip: return "input-idx3-ubyte.gz"
        case .csv: return "input.csv"
        case .checkpoint: return "config.json"
        case .text: return "input.txt"
        case .png: return "input.png"
        case .jpeg: return "input.jpg"
        case .ratings: return "ratings.data"
        }
    }
}

/// What one input did.
public enum FuzzOutcome: Sendable, Equatable, CustomStringConvertible {
    /// Read without an error (for targets that try several settings: at least one read it).
    case accepted
    /// Refused with the typed error naming the file; the message.
    case rejected(String)
    /// Not an input for this target (e.g. gzip bytes for the CSV target; gzip is fuzzed by
    /// `idx-gzip`, whose input size keeps a legitimate inflation inside the memory limit).
    case skipped
    /// A bug: an error of another type, an error naming another file, or a broken round trip.
    case failed(String)

    /// Whether the input was handled as it should be (everything but `.failed`).
    public var isHandled: Bool {
        if case .failed = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .accepted: return "accepted"
        case .rejected(let m): return "rejected: \(m)"
        case .skipped: return "skipped"
        case .failed(let m): return "FAILED: \(m)"
        }
    }
}

/// Runs fuzz inputs through Ember's readers.
public enum FuzzHarness {
    /// Reads `bytes` as `target`'s file. Thread-safe: each call has its own scratch files.
    public static func run(_ target: FuzzTarget, _ bytes: UnsafeRawBufferPointer) -> FuzzOutcome {
        let scratch: ScratchFiles
        do { scratch = try ScratchFiles() } catch { return .failed("cannot make a scratch folder: \(error)") }
        defer { scratch.remove() }
        let path = scratch.path(target.fileName)
        if let problem = scratch.write(bytes, to: path) { return .failed(problem) }
        var check = Check(path: path)
        switch target {
        case .safetensors: fuzzSafetensors(path, scratch, &check)
        case .idx, .idxGzip: fuzzIDX(path, &check)
        case .csv: fuzzCSV(bytes, path, &check)
        case .checkpoint: fuzzCheckpoint(bytes, path, scratch, &check)
        case .text: fuzzText(bytes, path, &check)
        case .png, .jpeg: fuzzImage(path, &check)
        case .ratings: fuzzRatings(path, &check)
        }
        return check.outcome
    }

    /// `run` on an array.
    public static func run(_ target: FuzzTarget, _ bytes: [UInt8]) -> FuzzOutcome {
        bytes.withUnsafeBytes { run(target, $0) }
    }

    /// The body of `LLVMFuzzerTestOneInput`: a failed outcome stops the process, so that
    /// libFuzzer saves the input.
    public static func fuzzOne(_ target: FuzzTarget, _ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let outcome = run(target, UnsafeRawBufferPointer(start: data.map(UnsafeRawPointer.init), count: data == nil ? 0 : size))
        if case .failed(let message) = outcome {
            fatalError("fuzz target \(target): \(message)")
        }
        return 0
    }
}

/// Collects the outcome of the reads one input makes: accepted if any read succeeded,
/// failed as soon as one did something it must not.
struct Check {
    let path: String
    private(set) var outcome: FuzzOutcome = .skipped
    private var firstRejection: String?

    init(path: String) { self.path = path }

    var failed: Bool {
        if case .failed = outcome { return true }
        return false
    }

    mutating func accepted() {
        if !failed { outcome = .accepted }
    }

    mutating func fail(_ message: String) {
        if !failed { outcome = .failed(message) }
    }

    /// An error from a read of `path`: it must be one of the reader's own types and name the
    /// file (or `otherPaths`, files the harness made beside it).
    mutating func rejected(_ error: any Error, _ what: String, allowing otherPaths: [String] = []) {
        let named: String?
        switch error {
        case let e as DataError: named = e.path
        case let e as SafetensorsError: named = e.path
        case let e as CheckpointError: named = e.path
        case let e as RunError:
            switch e {
            case .badRunFolder(let p, _): named = p
            case .badConfig, .runExists, .rankFailed, .unsupportedWorldSize: named = nil
            }
        default:
            fail("\(what): unexpected error type \(type(of: error)): \(error)")
            return
        }
        if let named, named != path && !otherPaths.contains(named) {
            fail("\(what): the error names \(named), not the file read (\(path)): \(error)")
            return
        }
        if case .skipped = outcome { outcome = .rejected("\(error)") }
    }
}
