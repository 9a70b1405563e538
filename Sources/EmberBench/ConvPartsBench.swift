import Ember

/// Workload `convparts` (not in `bench/run.py`'s list; run by hand with `torch_bench.py
/// --workload convparts` beside it): where the 32→64 convolution's time goes, as process CPU
/// time per call (all threads), which other work on the machine disturbs less than wall
/// time: forward alone, forward + input gradient, forward + weight gradient, forward + all
/// three gradients.
enum ConvPartsBench {
    static func run(quick: Bool) {
        let calls = quick ? 5 : 30
        let x = Tensor.randn([128, 32, 14, 14]), xg = x.detach().requiresGrad_()
        let w = Tensor.randn([64, 32, 3, 3]), wg = w.detach().requiresGrad_()
        let b = Tensor.randn([64]), bg = b.detach().requiresGrad_()
        let gy = Tensor.randn([128, 64, 14, 14])
        let cases: [(String, () -> Void)] = [
            ("fwd", { blackHole(withNoGrad { conv2d(x, w, bias: b, padding: (1, 1)) }) }),
            ("fwd+input grad", { conv2d(xg, w, bias: b, padding: (1, 1)).backward(gradient: gy); xg.grad = nil }),
            ("fwd+weight grad", { conv2d(x, wg, bias: b, padding: (1, 1)).backward(gradient: gy); wg.grad = nil }),
            ("fwd+bias grad", { conv2d(x, w, bias: bg, padding: (1, 1)).backward(gradient: gy); bg.grad = nil }),
            ("fwd+bwd", {
                conv2d(xg, wg, bias: bg, padding: (1, 1)).backward(gradient: gy)
                for p in [xg, wg, bg] { p.grad = nil }
            }),
        ]
        for (name, body) in cases {
            report("convparts", "conv2d 32->64 [128,32,14,14] \(name), CPU time", .ember, "ms/iter", cpuSecondsPerCall(calls, body) * 1e3)
        }
    }
}
