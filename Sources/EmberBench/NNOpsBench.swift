import Ember
import EmberNN

/// Workload `nnops`: BatchNorm2d (training forward+backward, and evaluation forward),
/// BatchNorm1d and CrossEntropyLoss forward+backward at the Fashion-MNIST CNN's shapes
/// (batch 128), in ms per call (lower is better).
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
        bn.eval()
        let bnEval = withNoGrad { secondsPerCall(plan) { blackHole(bn(x)) } }
        report("nnops", "BatchNorm2d(32) eval fwd [128,32,28,28]", .ember, "ms/iter", bnEval * 1e3)

        // The CNN's BatchNorm after its first fully connected layer: one value per row and channel.
        let bn1 = BatchNorm1d(128)
        let h = Tensor.randn([128, 128], requiresGrad: true), gradient1 = Tensor.randn([128, 128])
        let bn1Step = secondsPerCall(plan) {
            bn1(h).backward(gradient: gradient1)
            h.grad = nil
            bn1.zeroGrad()
        }
        report("nnops", "BatchNorm1d(128) fwd+bwd [128,128]", .ember, "ms/iter", bn1Step * 1e3)

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
