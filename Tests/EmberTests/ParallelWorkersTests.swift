import Foundation
@testable import Ember
import Testing

/// Ember splits work into as many chunks as the CPUs the process may run on: its affinity
/// mask, the count `nproc` prints (so `taskset -c 0` or a container's cpuset gives one chunk).
@Suite struct ParallelWorkersTests {
    @Test func workersFollowTheAffinityMask() throws {
        let nproc = Process()
        nproc.executableURL = URL(fileURLWithPath: "/usr/bin/nproc")
        let out = Pipe()
        nproc.standardOutput = out
        try nproc.run()
        nproc.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let expected = try #require(Int(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Parallel.workers == expected)
    }
}
