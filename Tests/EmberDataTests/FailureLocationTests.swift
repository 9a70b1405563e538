import Testing
#if canImport(Glibc)
import Glibc
#endif
import Ember
import EmberData

/// Where no line of the user's is known (a dataset's subscript, as the DataLoader calls it),
/// a failed check names its own place in Ember as such, never as the caller; exit tests.
@Suite struct FailureLocationTests {
    static func indexPastTheEnd() { _ = TensorDataset(Tensor.zeros([3, 2]), Tensor.zeros([3]))[5] }

    @Test func emberPlaceIsNamedAsEmbers() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Self.indexPastTheEnd()
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("[TensorDataset] index 5 is out of range") && text.contains("(checked in Ember's EmberData/TensorDataset.swift:"), "\(text)")
        #expect(!text.contains("called from EmberData/"), "\(text)")
    }
}

/// Atomic writes replace their target by a rename, which must never happen to a device or a
/// FIFO (a save to /dev/null once replaced the device with a regular file).
@Suite struct AtomicWriteTargetTests {
    @Test func aDeviceIsRefusedAndLeftAlone() throws {
        var before = stat()
        #expect(stat("/dev/null", &before) == 0)
        #expect(throws: SafetensorsError.self) { try save(["w": Tensor.zeros([2])], to: "/dev/null") }
        var after = stat()
        #expect(stat("/dev/null", &after) == 0 && (after.st_mode & S_IFMT) == S_IFCHR && after.st_ino == before.st_ino)
    }

    @Test func theErrorSaysWhy() {
        do {
            try save(["w": Tensor.zeros([2])], to: "/dev/null")
            Issue.record("saving over /dev/null did not throw")
        } catch {
            #expect("\(error)".contains("/dev/null") && "\(error)".contains("a device"), "\(error)")
        }
    }
}
