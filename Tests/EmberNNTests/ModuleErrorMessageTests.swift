import Foundation
import Testing
import EmberNN

/// A failed check inside a model's forward names the layer it happened in, by its path in the
/// model and its printed form, as PyTorch's traceback points at the layer; exit tests.
@Suite struct ModuleErrorMessageTests {
    final class Net: Module, @unchecked Sendable {
        let features = Sequential(Linear(20, 100), ReLU())
        let classifier = Sequential(Dropout(p: 0.1), Linear(50, 10))   // wrong: 100 features arrive
        override func forward(_ x: Tensor) -> Tensor { classifier(features(x)) }
    }

    private func stderrText(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func wrongLayerInsideSequentialIsNamed() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Net()(Tensor.zeros([4, 20]))
        }
        let text = stderrText(result)
        #expect(text.contains("in classifier.1 (Linear(in_features=50, out_features=10, bias=True))"), "\(text)")
        #expect(text.contains("[Linear] expected an input of shape [*, 50] (in_features=50), got [4, 100] (called from EmberNNTests/ModuleErrorMessageTests.swift:11)\n  in classifier.1 (Linear(in_features=50, out_features=10, bias=True))"), "\(text)")
    }

    @Test func theUsersForwardLineIsNamedNotEmbers() async {
        // The failing Linear runs inside Ember's Sequential; the line reported is the user's
        // forward that called the Sequential, the innermost call site outside Ember.
        final class TwoStage: Module, @unchecked Sendable {
            let body = Sequential(Linear(3, 5), Linear(4, 2))
            override func forward(_ x: Tensor) -> Tensor {
                body(x)   // line 33
            }
        }
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = TwoStage()(Tensor.zeros([2, 3]))
        }
        let text = stderrText(result)
        #expect(text.contains("(called from EmberNNTests/ModuleErrorMessageTests.swift:33)\n  in body.1 (Linear(in_features=4"), "\(text)")
        #expect(!text.contains("called from EmberNN/"), "\(text)")
    }

    // The failing calls of the tests below, outside the exit-test closures: inside one, a
    // call's #line is the line of the `#expect` macro, not its own.
    static func convWithWrongChannels() { _ = Conv2d(3, 8, kernelSize: 3)(Tensor.zeros([1, 4, 8, 8])) }
    static func lstmWithWrongFeatures() { _ = LSTM(4, 3)(Tensor.zeros([5, 2, 6])) }
    static func subscriptOutOfRange() { _ = Tensor.zeros([2, 3])[0, 5] }
    static func layerNormOfWrongShape() { _ = layerNorm(Tensor.zeros([2, 3]), normalizedShape: [4]) }
    static func lossModuleOfWrongTarget() { _ = CrossEntropyLoss()(Tensor.zeros([4, 3]), Tensor([0, 1] as [Int64])) }
    static func lossThroughTheProtocol(_ loss: any Loss) { _ = loss(Tensor.zeros([4, 3]), Tensor([0, 1] as [Int64])) }

    @Test func opsCalledByALayerReportTheUsersLine() async {
        // Conv2d's forward calls the conv2d op from Ember's file; the user's line replaces it.
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Self.convWithWrongChannels()
        }
        let text = stderrText(result)
        #expect(text.contains("[conv2d]") && text.contains("(called from EmberNNTests/ModuleErrorMessageTests.swift:46)\n  in Conv2d(3, 8"), "\(text)")
        #expect(!text.contains("called from EmberNN/") && !text.contains("called from Ember/"), "\(text)")
    }

    @Test func multiArgumentModulesNameThemselvesAndTheCaller() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Self.lstmWithWrongFeatures()
        }
        let text = stderrText(result)
        #expect(text.contains("(called from EmberNNTests/ModuleErrorMessageTests.swift:47)\n  in LSTM(4, 3)"), "\(text)")
    }

    @Test func subscriptsReportTheCallersLine() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Self.subscriptOutOfRange()
        }
        let text = stderrText(result)
        #expect(text.contains("[select]") && text.contains("called from EmberNNTests/ModuleErrorMessageTests.swift:48)"), "\(text)")
    }

    @Test func functionalLayersReportTheCallersLine() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Self.layerNormOfWrongShape()
        }
        let text = stderrText(result)
        #expect(text.contains("[LayerNorm]") && text.contains("called from EmberNNTests/ModuleErrorMessageTests.swift:49)"), "\(text)")
    }

    @Test func operatorsInsideAModuleNameTheModule() async {
        final class AddBias: Module, @unchecked Sendable {
            override func forward(_ x: Tensor) -> Tensor { x + Tensor.zeros([3]) }
        }
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Sequential(Linear(2, 4), AddBias())(Tensor.zeros([1, 2]))
        }
        let text = stderrText(result)
        #expect(text.contains("[add]") && text.contains("in 1 (AddBias()"), "\(text)")
    }

    @Test func lossValuesReportTheCallersLine() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Self.lossModuleOfWrongTarget()
        }
        let text = stderrText(result)
        #expect(text.contains("[crossEntropy]") && text.contains("(called from EmberNNTests/ModuleErrorMessageTests.swift:50)"), "\(text)")
    }

    @Test func aLossHeldAsAnyLossStillFailsWithItsMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Self.lossThroughTheProtocol(CrossEntropyLoss())
        }
        #expect(stderrText(result).contains("[crossEntropy]"), "\(stderrText(result))")
    }

    @Test func lossReportsTheCallersLine() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(Tensor.zeros([4, 3]), Tensor([0, 1, 2] as [Int64]))
        }
        let text = stderrText(result)
        #expect(text.contains("ModuleErrorMessageTests.swift"), "\(text)")
    }

    @Test func outsideAnyModuleNoScopeIsNamed() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        let text = stderrText(result)
        #expect(text.contains("[add]") && !text.contains("\n  in "), "\(text)")
    }
}
