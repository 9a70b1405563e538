import Testing
import EmberOptim

/// Programming errors stop the program with a message naming the problem (exit tests run
/// the body in a child process).
@Suite struct MisuseTests {
    @Test func unknownGroupOptionTraps() async throws {
        let result = try await #require(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = SGD([ParamGroup(params: [Tensor([1.0], requiresGrad: true)], betas: (0.9, 0.99))], lr: 0.1)
        }
        let message = String(decoding: result.standardErrorContent, as: UTF8.self)
        #expect(message.contains("[addParamGroup] SGD has no option 'betas'"), "\(message)")
    }

    @Test func duplicateParameterTraps() async {
        await #expect(processExitsWith: .failure) {
            let w = Tensor([1.0], requiresGrad: true)
            _ = Adam([ParamGroup(params: [w]), ParamGroup(params: [w])])
        }
    }

    @Test func nonLeafParameterTraps() async {
        await #expect(processExitsWith: .failure) {
            let w = Tensor([1.0], requiresGrad: true)
            _ = Adam([w * 2])
        }
    }

    @Test func lbfgsWithoutClosureTraps() async {
        await #expect(processExitsWith: .failure) {
            LBFGS([Tensor([1.0], requiresGrad: true)]).step()
        }
    }

    @Test func invalidHyperparametersTrap() async {
        await #expect(processExitsWith: .failure) { _ = Adam([Tensor([1.0], requiresGrad: true)], betas: (1.0, 0.999)) }
        await #expect(processExitsWith: .failure) { _ = SGD([Tensor([1.0], requiresGrad: true)], lr: 0.1, nesterov: true) }
        await #expect(processExitsWith: .failure) { _ = SGD([Tensor([1.0], requiresGrad: true)], lr: -1) }
    }
}
