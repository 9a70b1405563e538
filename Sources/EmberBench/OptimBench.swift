import Ember
import EmberOptim

/// Workload `optim`: one optimizer step over the parameters of a 784-512-256-10 MLP
/// (weights [784,512], [512], [512,256], [256], [256,10], [10]; 535k floats) with fixed random
/// gradients, in ms per step (lower is better). PyTorch runs the same optimizers with
/// `foreach=False` (its single-tensor path, the default on CPU), and Adam once more with
/// `foreach=True` (its multi-tensor path) for the "vs foreach" case. The limit is a plain
/// parallel copy moving as many bytes as the step reads and writes (Adam: parameter,
/// gradient, exp_avg, exp_avg_sq read; parameter, exp_avg, exp_avg_sq written).
enum OptimBench {
    static let shapes = [[784, 512], [512], [512, 256], [256], [256, 10], [10]]

    static func run(quick: Bool) {
        let plan: TimingPlan = quick ? .quick : .full
        let elements = shapes.reduce(0) { $0 + $1.reduce(1, *) }
        // (case, float32 arrays read + written per element, optimizer)
        let cases: [(String, Int, ([Tensor]) -> any Optimizer)] = [
            ("Adam", 7, { Adam($0) }),
            ("Adam vs foreach", 7, { Adam($0) }),
            ("AdamW amsgrad", 9, { AdamW($0, amsgrad: true) }),
            ("SGD momentum", 5, { SGD($0, lr: 0.01, momentum: 0.9) }),
            ("RMSprop", 5, { RMSprop($0) }),
        ]
        for (name, arrays, make) in cases {
            let params = shapes.map { shape -> Tensor in
                let p = Tensor.randn(shape).requiresGrad_()
                p.grad = Tensor.randn(shape) * 0.01
                return p
            }
            let optimizer = make(params)
            optimizer.step()   // allocates the state
            let t = secondsPerCall(plan) { optimizer.step() }
            let label = "\(name) MLP 784-512-256-10"
            report("optim", label, .ember, "ms/step", t * 1e3)

            let copyBytes = arrays * elements * MemoryLayout<Float>.size / 2
            let source = Tensor.rand([copyBytes / 4]), destination = Tensor(empty: [copyBytes / 4])
            let (d, s) = (destination.storage.data, source.storage.data)
            let copy = min(secondsPerCall(plan) { ElementwiseBench.parallelCopy(d, s, copyBytes, memcpy: true) },
                           secondsPerCall(plan) { ElementwiseBench.parallelCopy(d, s, copyBytes, memcpy: false) })
            report("optim", label, .limit, "ms/step", copy * 1e3, source: "copy")
            withExtendedLifetime((source, destination, params)) {}
        }
    }
}
