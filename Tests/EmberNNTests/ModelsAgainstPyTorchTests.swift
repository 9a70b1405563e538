import EmberNN
import EmberTestSupport
import Foundation
import Testing

// PyTorch state dicts (Tests/Fixtures/nn_*_state.safetensors) loaded into the same Ember
// models, which must then give PyTorch's outputs, loss, gradients and running statistics
// (Tests/Fixtures/nn_*_io.safetensors), to float32 tolerance: 1e-5 relative, 1e-6 absolute.

private let rtol = 1e-5, atol = 1e-6

/// Loads `Tests/Fixtures/<name>.safetensors` with Ember's own reader, returning the tensors,
/// the key order PyTorch's `state_dict()` had and `print(model)`'s text (from the metadata).
func loadStateFixture(_ name: String) throws -> (state: TensorDict, keys: [String], repr: String) {
    let (state, metadata) = try loadWithMetadata(fixturesDirectory() + "/\(name).safetensors")
    let keys = try JSONSerialization.jsonObject(with: Data((metadata["keys"] ?? "[]").utf8)) as? [String] ?? []
    return (state, keys, metadata["repr"] ?? "")
}

@Suite struct ModelsAgainstPyTorch {
    @Test func mlpMatchesPyTorch() throws {
        let (state, keys, repr) = try loadStateFixture("nn_mlp_state")
        let io = loadFixture("nn_mlp_io")
        let model = MLP()
        #expect(model.stateDict().keys == keys)
        #expect(model.description == repr)
        try model.loadStateDict(state)
        let out = model(io["input"]!)
        assertClose(out, io["out"]!, rtol: rtol, atol: atol, "out")
        let loss = crossEntropy(out, io["target"]!)
        assertClose(loss, io["loss"]!, rtol: rtol, atol: atol, "loss")
        loss.backward()
        for (name, p) in model.namedParameters() {
            assertClose(p.grad ?? Tensor.zerosLike(p), io["grad.\(name)"]!, rtol: rtol, atol: atol, "grad.\(name)")
        }
    }

    @Test func everyLayerMatchesPyTorch() throws {
        let (state, keys, repr) = try loadStateFixture("nn_all_state")
        let io = loadFixture("nn_all_io")
        let model = AllLayers()
        #expect(model.stateDict().keys == keys)
        #expect(model.description == repr, "print(model) differs from PyTorch's")
        try model.loadStateDict(state)
        #expect(model.bn1.numBatchesTracked!.item() == 3)
        #expect(model.bn1.numBatchesTracked!.dtype == .int64)

        // Train mode, with the Dropout layers in eval so the comparison is deterministic.
        model.train()
        model.drop.eval()
        model.drop2d.eval()
        #expect(model.bn1.training && model.acts[3].training && !model.drop.training)
        let out = model(io["ids"]!, io["img"]!)
        assertClose(out, io["out_train"]!, rtol: rtol, atol: atol, "out_train")
        let loss = crossEntropy(out, io["target"]!)
        assertClose(loss, io["loss"]!, rtol: rtol, atol: atol, "loss")
        loss.backward()
        let params = model.namedParameters()
        #expect(params.count == io.keys.filter { $0.hasPrefix("grad.") }.count)
        for (name, p) in params {
            guard let expected = io["grad.\(name)"] else {
                Issue.record("PyTorch has no parameter \(name)")
                continue
            }
            assertClose(p.grad ?? Tensor.zerosLike(p), expected, rtol: rtol, atol: atol, "grad.\(name)")
        }
        // The padding row of the embedding gets no gradient.
        #expect(model.emb.weight.grad![0].abs().sum().item() == 0)
        for (name, b) in model.namedBuffers() {
            guard let expected = io["after.\(name)"] else {
                Issue.record("PyTorch has no buffer \(name)")
                continue
            }
            #expect(b.dtype == expected.dtype, "\(name)")
            assertClose(b, expected, rtol: rtol, atol: atol, "after.\(name)")
        }

        model.eval()
        let outEval = withNoGrad { model(io["ids"]!, io["img"]!) }
        assertClose(outEval, io["out_eval"]!, rtol: rtol, atol: atol, "out_eval")
    }
}
