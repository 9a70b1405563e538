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
        #expect(text.contains("[Linear] expected an input of shape [*, 50] (in_features=50), got [4, 100]\n  in classifier.1 (Linear(in_features=50, out_features=10, bias=True))"), "\(text)")
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
