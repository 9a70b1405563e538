import Testing
import EmberNN

/// Data-parallel inference with Swift concurrency: one model shared by tasks (`async let`,
/// a task group), each running forward on its own batch in eval mode, gives exactly the
/// outputs of running the batches one after another. `make tsan` runs this suite under the
/// thread sanitizer.
@Suite struct ConcurrentInferenceTests {
    static func model() -> Sequential {
        let generator = Generator(seed: 11)
        let model = Sequential(Conv2d(1, 4, kernelSize: 3, padding: 1), BatchNorm2d(4), ReLU(), Flatten(),
                               Linear(4 * 8 * 8, 16), GELU(), Dropout(p: 0.5), Linear(16, 3))
        withNoGrad { for p in model.parameters() { p.copy_(Tensor.randn(p.shape, generator: generator) * 0.2) } }
        model.eval()
        return model
    }

    static func batches() -> [Tensor] {
        let generator = Generator(seed: 12)
        return (0..<8).map { _ in Tensor.randn([5, 1, 8, 8], generator: generator) }
    }

    @Test func asyncLetMatchesSerial() async {
        let model = Self.model(), batches = Self.batches()
        let serial = withNoGrad { batches.map { model($0) } }
        async let first = withNoGrad { model(batches[0]) }
        async let second = withNoGrad { model(batches[1]) }
        let (a, b) = await (first, second)
        #expect(a.toArray() == serial[0].toArray())
        #expect(b.toArray() == serial[1].toArray())
    }

    @Test func taskGroupMatchesSerial() async {
        let model = Self.model(), batches = Self.batches()
        let serial = withNoGrad { batches.map { model($0).toArray() } }
        let parallel = await withTaskGroup(of: (Int, [Float]).self) { group in
            for (i, x) in batches.enumerated() {
                group.addTask { (i, withNoGrad { model(x) }.toArray()) }
            }
            var out = [[Float]](repeating: [], count: batches.count)
            for await (i, y) in group { out[i] = y }
            return out
        }
        #expect(parallel == serial)
    }

    /// Tasks training against shared parameters (Hogwild): every gradient is accumulated
    /// once, the same as serial backward passes up to float32 summation order.
    @Test func concurrentBackwardIntoSharedParameters() async {
        let model = Self.model(), batches = Self.batches()
        for x in batches { model(x).square().mean().backward() }
        let serial = model.parameters().map { $0.grad!.clone() }
        for p in model.parameters() { p.grad = nil }
        await withTaskGroup(of: Void.self) { group in
            for x in batches { group.addTask { model(x).square().mean().backward() } }
        }
        for (p, s) in zip(model.parameters(), serial) {
            #expect((p.grad! - s).abs().max().item() <= 1e-5 * (s.abs().max().item() + 1e-6))
        }
    }
}
