import Testing
import Ember
import EmberOptim

/// An optimizer step runs every parameter's update in one parallel pass over all their
/// elements (`FusedBatch`), so a chunk boundary can fall inside a tensor or between two. Each
/// element must still get exactly the update it gets when its parameter is stepped alone.
@Suite struct FusedBatchTests {
    /// Sizes whose total (110,022 elements) splits across the cores inside the first tensor,
    /// with tensors too small for a chunk of their own (and an empty one) in between.
    static let shapes = [[70001], [3], [0], [40000], [17], [1]]

    static func params(seed: UInt64) -> [Tensor] {
        let g = Generator(seed: seed)
        return shapes.map { shape in
            let p = Tensor.randn(shape, generator: g).requiresGrad_()
            p.grad = Tensor.randn(shape, generator: g) * 0.01
            return p
        }
    }

    static func optimizer(_ name: String, _ params: [Tensor]) -> any Optimizer {
        switch name {
        case "SGD momentum": SGD(params, lr: 0.01, momentum: 0.9)
        case "SGD nesterov decay": SGD(params, lr: 0.01, momentum: 0.9, weightDecay: 1e-4, nesterov: true)
        case "Adam": Adam(params, lr: 1e-3)
        default: AdamW(params, lr: 1e-3, amsgrad: true)
        }
    }

    @Test(arguments: ["SGD momentum", "SGD nesterov decay", "Adam", "AdamW amsgrad"])
    func togetherEqualsOneByOne(_ name: String) {
        let together = Self.params(seed: 7), alone = Self.params(seed: 7)
        let all = Self.optimizer(name, together)
        let single = alone.map { Self.optimizer(name, [$0]) }
        for _ in 0..<3 {
            all.step()
            for o in single { o.step() }
        }
        for (a, b) in zip(together, alone) {
            #expect(a.detach().toArray() == b.detach().toArray(), "\(name): shape \(a.shape)")
        }
    }
}
