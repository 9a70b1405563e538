import Foundation
import Ember
import EmberTestSupport

/// Where MPI and the executables built beside the tests are, and how to run them with a time bound.
enum MPI {
    /// `mpirun`, when Open MPI is installed (Debian's openmpi-bin).
    static let mpirun: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { mpirun != nil }
    static let missing = "mpirun is not installed: the multi-process tests need Open MPI (make deps installs openmpi-bin and libopenmpi-dev)"

    /// The options every launch takes: oversubscribed (more ranks than this machine's cores),
    /// no core binding (ranks may share cores), root allowed (CI containers), and shared memory
    /// without the single-copy mechanism containers forbid.
    static let options = ["--allow-run-as-root", "--oversubscribe", "--bind-to", "none",
                          "--mca", "btl_vader_single_copy_mechanism", "none"]

    /// An executable built beside this test bundle.
    static func executable(_ name: String) -> String? {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return nil
    }

    /// `mpirun -np ranks executable arguments`, killed after `seconds`.
    static func run(ranks: Int, _ executable: String, _ arguments: [String], seconds: Int = 120, extra: [String] = []) throws -> Outcome {
        try bounded(seconds, [mpirun!] + options + extra + ["-np", "\(ranks)", executable] + arguments)
    }

    /// What a finished process printed and its exit status.
    struct Outcome {
        var status: Int32
        var output: String
        var seconds: Double
    }

    /// Runs `command` under coreutils' `timeout` (SIGKILL `seconds` later), stdout and stderr together.
    static func bounded(_ seconds: Int, _ command: [String], environment: [String: String] = [:]) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        p.arguments = ["-s", "KILL", "\(seconds)"] + command
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        let start = Date()
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, output: String(decoding: data, as: UTF8.self), seconds: Date().timeIntervalSince(start))
    }
}

/// A fresh empty directory under the system's temporary directory.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "ember-dist-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

