import Testing
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
