import Testing
import EmberNN

/// `Module.to(dtype)` and its shorthands, as PyTorch's `module.double()`.
@Suite struct ModuleDTypeTests {
    @Test func doubleConvertsParametersAndFloatBuffersOnly() {
        let model = Sequential(Linear(4, 3), BatchNorm1d(3), ReLU(), Linear(3, 2))
        let x = Tensor.randn([5, 4], generator: Generator(seed: 4))
        model.eval()
        let before = withNoGrad { model(x) }
        model.double()
        #expect(model.parameters().allSatisfy { $0.dtype == .float64 && $0.requiresGrad && $0.isLeaf })
        let buffers = Dictionary(uniqueKeysWithValues: model.namedBuffers().map { ($0.name, $0.tensor.dtype) })
        #expect(buffers["1.running_mean"] == .float64 && buffers["1.num_batches_tracked"] == .int64)
        let after = withNoGrad { model(x.to(.float64)) }
        #expect(after.dtype == .float64 && after.allclose(before.to(.float64), rtol: 1e-6, atol: 1e-6))
        model.float()
        #expect(model.parameters().allSatisfy { $0.dtype == .float32 })
        #expect(model.stateDict().count == 9 && model.stateDict()["1.running_var"]?.dtype == .float32)
    }
}
