import EmberNN
import EmberTestSupport
import Foundation
import Testing

// Loading state dicts: strict errors list every problem, non-strict loading reports keys, a
// failed load changes nothing, and loading copies in place.

@Suite struct StateDictLoading {
    @Test func strictLoadingListsEveryProblem() {
        let model = MLP()
        var state = MLP().stateDict()
        state["fc2.bias"] = nil
        state["fc3.weight"] = Tensor.zeros([1])
        state["fc1.weight"] = Tensor.zeros([32, 21])
        let before = model.fc1.bias!.toArray()
        do {
            try model.loadStateDict(state)
            Issue.record("expected a StateDictError")
        } catch let error as StateDictError {
            #expect(error.missingKeys == ["fc2.bias"])
            #expect(error.unexpectedKeys == ["fc3.weight"])
            #expect(error.shapeMismatches == [.init(key: "fc1.weight", checkpointShape: [32, 21], modelShape: [32, 20])])
            #expect(error.description == """
                Error(s) in loading state_dict for MLP:
                \tMissing key(s) in state_dict: "fc2.bias".
                \tUnexpected key(s) in state_dict: "fc3.weight".
                \tsize mismatch for fc1.weight: copying a param with shape [32, 21] from checkpoint, the shape in current model is [32, 20].
                """)
        } catch {
            Issue.record("unexpected error \(error)")
        }
        // Nothing was copied, not even the tensors that matched.
        #expect(model.fc1.bias!.toArray() == before)
    }

    @Test func nonStrictLoadingReturnsTheKeys() throws {
        let model = MLP()
        let source = MLP()
        var state = source.stateDict()
        state["fc2.bias"] = nil
        state["extra"] = Tensor.zeros([1])
        let result = try model.loadStateDict(state, strict: false)
        #expect(result.missingKeys == ["fc2.bias"])
        #expect(result.unexpectedKeys == ["extra"])
        #expect(model.fc1.weight.toArray() == source.fc1.weight.toArray())
        let all = try model.loadStateDict(source.stateDict())
        #expect(all.description == "<All keys matched successfully>")
        // A shape mismatch throws even without strict, as in PyTorch.
        state["fc1.bias"] = Tensor.zeros([3])
        #expect(throws: StateDictError.self) { try model.loadStateDict(state, strict: false) }
    }

    @Test func loadingCopiesInPlaceAndConverts() throws {
        let model = MLP()
        let weight = model.fc1.weight
        var state = MLP().stateDict()
        state["fc1.weight"] = state["fc1.weight"]!.double()
        try model.loadStateDict(state)
        #expect(model.fc1.weight === weight)              // the same tensor: optimizers keep it
        #expect(weight.dtype == .float32 && weight.requiresGrad && weight.isLeaf)
        assertClose(weight, state["fc1.weight"]!.float(), rtol: 0, atol: 0)
    }

    @Test func stateDictTensorsAreDetachedViews() {
        let model = MLP()
        let state = model.stateDict()
        #expect(state.values.allSatisfy { !$0.requiresGrad })
        withNoGrad { model.fc1.bias!.fill_(3) }
        #expect(state["fc1.bias"]!.toArray().allSatisfy { $0 == 3 })   // shares storage
        #expect(model.stateDict(keepVars: true)["fc1.bias"]! === model.fc1.bias!)
        #expect(model.stateDict(prefix: "net").keys.first == "net.fc1.weight")
    }

    @Test func roundTripThroughSafetensors() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ember-\(UUID().uuidString).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let a = AllLayers(), b = AllLayers()
        withNoGrad { a.bn1.runningMean!.fill_(0.25) }
        try save(a.stateDict(), to: path)
        try b.loadStateDict(load(path))
        for ((n1, t1), (n2, t2)) in zip(a.stateDict(), b.stateDict()) {
            #expect(n1 == n2)
            assertClose(t2, t1, rtol: 0, atol: 0, n1)
        }
    }
}
