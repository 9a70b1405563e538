import Ember

/// Workload `conv`: an MNIST-sized CNN's layers, forward + backward, in milliseconds per
/// iteration (lower is better): two 3×3 convolutions (the first on the data, whose input needs
/// no gradient; the second on a hidden layer, whose input does) and a 2×2 max pooling, each
/// also forward-only. Gradients are dropped after every iteration, as `zero_grad(set_to_none)`.
enum ConvBench {
    static func run(quick: Bool) {
        let plan: TimingPlan = quick ? .quick : .full
        let batch = 128

        let x1 = Tensor.randn([batch, 1, 28, 28])
        let w1 = Tensor.randn([32, 1, 3, 3], requiresGrad: true), b1 = Tensor.randn([32], requiresGrad: true)
        let g1 = Tensor.randn([batch, 32, 28, 28])
        measure("conv2d 1->32 3x3 pad 1 [128,1,28,28]", plan, params: [w1, b1],
                forward: { conv2d(x1, w1, bias: b1, padding: (1, 1)) }, gradient: g1)

        let x2 = Tensor.randn([batch, 32, 14, 14], requiresGrad: true)
        let w2 = Tensor.randn([64, 32, 3, 3], requiresGrad: true), b2 = Tensor.randn([64], requiresGrad: true)
        let g2 = Tensor.randn([batch, 64, 14, 14])
        measure("conv2d 32->64 3x3 pad 1 [128,32,14,14]", plan, params: [x2, w2, b2],
                forward: { conv2d(x2, w2, bias: b2, padding: (1, 1)) }, gradient: g2)
        // Process CPU time (all threads): less sensitive than wall time to other work on the machine.
        let cpu = cpuSecondsPerCall(quick ? 5 : 30) {
            conv2d(x2, w2, bias: b2, padding: (1, 1)).backward(gradient: g2)
            for p in [x2, w2, b2] { p.grad = nil }
        }
        report("conv", "conv2d 32->64 3x3 pad 1 [128,32,14,14] fwd+bwd, CPU time (all threads)", .ember, "ms/iter", cpu * 1e3)

        let x3 = Tensor.randn([batch, 32, 28, 28], requiresGrad: true)
        let g3 = Tensor.randn([batch, 32, 14, 14])
        measure("maxPool2d 2x2 [128,32,28,28]", plan, params: [x3],
                forward: { maxPool2d(x3, kernelSize: (2, 2)) }, gradient: g3)
    }

    /// Reports forward-only (no graph) and forward + backward times of one layer.
    static func measure(_ name: String, _ plan: TimingPlan, params: [Tensor], forward: () -> Tensor, gradient: Tensor) {
        let fwd = secondsPerCall(plan) { blackHole(withNoGrad { forward() }) }
        report("conv", "\(name) fwd", .ember, "ms/iter", fwd * 1e3)
        let step = secondsPerCall(plan) {
            forward().backward(gradient: gradient)
            for p in params { p.grad = nil }
        }
        report("conv", "\(name) fwd+bwd", .ember, "ms/iter", step * 1e3)
    }
}
