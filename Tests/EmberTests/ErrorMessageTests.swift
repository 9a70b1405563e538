import Ember
import Testing

/// Programming errors stop the process with a message naming the op, the shapes or values,
/// and the caller's file and line; these run in child processes (exit tests).
@Suite struct ErrorMessageTests {
    private func stderrText(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func matmulShapeMismatchNamesShapesAndCaller() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }
        let text = stderrText(result)
        #expect(text.contains("[matmul]"))
        #expect(text.contains("[2, 3]") && text.contains("[4, 5]"))
        #expect(text.contains("ErrorMessageTests.swift"))
    }

    @Test func badDimNamesTheRange() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).sum(dim: 5)
        }
        let text = stderrText(result)
        #expect(text.contains("[sum]") && text.contains("dimension 5 is out of range"))
        #expect(text.contains("ErrorMessageTests.swift"))
    }

    @Test func broadcastMismatchNamesBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).add(Tensor.zeros([4]))
        }
        let text = stderrText(result)
        #expect(text.contains("[add]") && text.contains("[2, 3]") && text.contains("[4]"))
        #expect(text.contains("ErrorMessageTests.swift"))
    }

    @Test func viewOfNonContiguousSuggestsReshape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3, 4]).transpose(0, 1).view([12])
        }
        #expect(stderrText(result).contains("Use reshape instead"))
    }

    @Test func wrongIndexDTypeAndOutOfRangeIndex() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([3]).gather(0, Tensor([0.0]))
        }
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([3]).indexSelect(0, Tensor([7]))
        }
        #expect(stderrText(result).contains("index 7 is out of bounds"))
    }

    @Test func itemOnManyElements() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 2]).item()
        }
        #expect(stderrText(result).contains("cannot be converted to a scalar"))
    }
}
