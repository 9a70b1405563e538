import Testing
import EmberTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import EmberTrain

/// Runs `ember` with `arguments` (which must name the run folder `dir/a`, and will be
/// rewritten to `dir/b`) to the end, then again slowed down and killed with SIGKILL once it
/// has checkpointed mid-epoch after `minStep` steps, then resumes the killed run; checks that
/// both end with the same checkpoint and best weights, bit for bit, and the same training
/// columns in metrics.csv. Returns the number of tensors compared.
@discardableResult
func checkKilledRunResumesBitIdentical(_ ember: String, _ arguments: [String], dir: String, minStep: Int) throws -> Int {
    let reference = try runProcess(ember, arguments + ["--quiet"])
    #expect(reference.status == 0, "\(reference.stderr)")
    let p = Process()
    p.executableURL = URL(fileURLWithPath: ember)
    p.arguments = arguments.map { $0 == dir + "/a" ? dir + "/b" : $0 } + ["--quiet", "--debug-step-delay-ms", "15"]
    try p.run()
    let sidecar = dir + "/b/checkpoint.json"
    var killed = false
    for _ in 0..<24_000 {
        usleep(5_000)
        if let data = FileManager.default.contents(atPath: sidecar),
           let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let state = json["state"] as? [String: Any],
           let step = state["step"] as? Int, step >= minStep, let batch = state["batch"] as? Int, batch > 0 {
            kill(p.processIdentifier, SIGKILL)
            killed = true
            break
        }
        if !p.isRunning { break }
    }
    p.waitUntilExit()
    #expect(killed && p.terminationReason == .uncaughtSignal, "the run should have been killed mid-epoch")
    let resumed = try runProcess(ember, ["train", "--resume", dir + "/b", "--quiet"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let a = try tensorBytes(dir + "/a/checkpoint.safetensors"), b = try tensorBytes(dir + "/b/checkpoint.safetensors")
    #expect(a.keys.sorted() == b.keys.sorted())
    for k in a.keys.sorted() { #expect(a[k] == b[k], "tensor \(k) differs after resume") }
    #expect(try tensorBytes(dir + "/a/model.safetensors") == tensorBytes(dir + "/b/model.safetensors"))
    func columns(_ path: String) throws -> [String] {
        // Everything but the two timing columns at the end.
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).dropLast(2).joined(separator: ",")
        }
    }
    #expect(try columns(dir + "/a/metrics.csv") == columns(dir + "/b/metrics.csv"))
    return a.count
}
