import Foundation
import Ember
import EmberTestSupport

/// A fresh empty directory under the system's temporary directory.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "ember-train-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// What a finished child process printed and its exit status.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
    var reason: Process.TerminationReason
}

/// Runs `executable` with `arguments` to the end.
func runProcess(_ executable: String, _ arguments: [String], cwd: String? = nil, environment: [String: String] = [:]) throws -> ProcessResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    if let cwd { p.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return ProcessResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
                         stderr: String(decoding: e, as: UTF8.self), reason: p.terminationReason)
}

/// The `ember` executable built beside this test bundle, or nil when it was not built.
func emberExecutable() -> String? {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = dir.appendingPathComponent("ember").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    if let b = Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("ember").path,
       FileManager.default.isExecutableFile(atPath: b) { return b }
    return nil
}


/// The id of a process that has exited (and been reaped): no process has it now.
func deadProcessID() throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/true")
    try p.run()
    p.waitUntilExit()
    return p.processIdentifier
}

