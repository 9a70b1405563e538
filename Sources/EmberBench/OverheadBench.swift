import Ember
import EmberNN

/// Workload `overhead`: the fixed cost per op and per training step on tiny tensors, in
/// microseconds (lower is better).
enum OverheadBench {
    static func run(quick: Bool) {
        let plan: TimingPlan = quick ? .quick : .full
        let a = Tensor.randn([4, 4]), b = Tensor.randn([4, 4])
        let add = secondsPerCall(plan) { blackHole(a + b) }
        report("overhead", "add 4x4", .ember, "us/op", add * 1e6)

        let ga = Tensor.randn([4, 4], requiresGrad: true), gb = Tensor.randn([4, 4], requiresGrad: true)
        let addGrad = secondsPerCall(plan) { blackHole(ga + gb) }
        report("overhead", "add 4x4 requiresGrad", .ember, "us/op", addGrad * 1e6)

        let w = Tensor.randn([4, 4], requiresGrad: true), bias = Tensor.randn([4], requiresGrad: true)
        let x = Tensor.randn([4, 4])
        let step = secondsPerCall(plan) {
            let y = x.matmul(w) + bias
            let loss = y.relu().sum()
            loss.backward()
            withNoGrad {
                w.sub_(w.grad! * 0.01)
                bias.sub_(bias.grad! * 0.01)
                w.grad = nil
                bias.grad = nil
            }
        }
        report("overhead", "train step 4x4", .ember, "us/step", step * 1e6)

        // Three modules called per forward (a Sequential, its Linear and ReLU): the fixed cost
        // of a module call (each marks itself and its caller's line for failure messages).
        let model = Sequential(Linear(4, 4), ReLU())
        let moduleForward = secondsPerCall(plan) { withNoGrad { blackHole(model(x)) } }
        report("overhead", "module forward 4x4", .ember, "us/call", moduleForward * 1e6)
    }
}
