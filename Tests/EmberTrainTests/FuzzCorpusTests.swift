import Foundation
import Testing
import EmberFuzzHarness

/// Replays the fuzzers' files through the same harness `make fuzz` runs (`Fuzz/`), in the plain
/// build: every seed in `Fuzz/corpus/<target>/` (small real files) must be read, and every
/// input in `Fuzz/regressions/<target>/` (inputs that once crashed a reader) must be read or
/// refused with the reader's typed error naming the file.
@Suite struct FuzzCorpusTests {
    /// The repository's `Fuzz/` folder.
    static let fuzzFolder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    /// The files of `Fuzz/<kind>/<target>/`, sorted, skipping dot files.
    static func files(_ kind: String, _ target: FuzzTarget) -> [URL] {
        let folder = fuzzFolder.appendingPathComponent(kind).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedsAreRead(_ target: FuzzTarget) throws {
        let seeds = Self.files("corpus", target)
        #expect(seeds.count >= 3, "Fuzz/corpus/\(target) holds \(seeds.count) seeds")
        for url in seeds {
            let outcome = FuzzHarness.run(target, Array(try Data(contentsOf: url)))
            #expect(outcome == .accepted, "\(target) seed \(url.lastPathComponent): \(outcome)")
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func regressionsAreHandled(_ target: FuzzTarget) throws {
        for url in Self.files("regressions", target) {
            let outcome = FuzzHarness.run(target, Array(try Data(contentsOf: url)))
            #expect(outcome.isHandled, "\(target) regression \(url.lastPathComponent): \(outcome)")
        }
    }

    @Test func harnessRefusesWhatIsNotTheFormat() {
        // Empty input and noise are refused with the reader's error, never a crash.
        for target in FuzzTarget.allCases {
            for bytes in [[], [0x00], Array("not a file of this kind \u{1}\u{2}".utf8), [0x1f, 0x8b, 0x08]] as [[UInt8]] {
                let outcome = FuzzHarness.run(target, bytes)
                #expect(outcome.isHandled, "\(target) \(bytes): \(outcome)")
                if target != .csv && target != .text {   // one line of text is a CSV row and a text
                    #expect(outcome != .accepted, "\(target) \(bytes): \(outcome)")
                }
            }
        }
    }
}
