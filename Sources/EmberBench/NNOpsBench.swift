import Ember
import EmberNN

/// Workload `nnops`: BatchNorm2d and CrossEntropyLoss forward+backward at the Fashion-MNIST
/// CNN's shapes (batch 128), in ms per call (lower is better).
enum NNOpsBench {
    static func run(quick: Bool) {
        let plan: TimingPlan = quick ? .quick : .full
        let bn = BatchNorm2d(32)
        let x = Tensor.randn([128, 32, 28, 28], requiresGrad: true)
        let gradient = Tensor.randn([128, 32, 28, 28])
        let bnStep = secondsPerCall(plan) {
            bn(x).backward(gradient: gradient)
            x.grad = nil
            bn.zeroGrad()
        }
        report("nnops", "BatchNorm2d(32) fwd+bwd [128,32,28,28]", .ember, "ms/iter", bnStep * 1e3)

        let criterion = CrossEntropyLoss()
        let logits = Tensor.randn([128, 10], requiresGrad: true)
        let labels = Tensor.randint(0, 10, [128])
        let ceStep = secondsPerCall(plan) {
            criterion(logits, labels).backward()
            logits.grad = nil
        }
        report("nnops", "CrossEntropyLoss fwd+bwd [128,10]", .ember, "ms/iter", ceStep * 1e3)
    }
}
