import Foundation
import Testing
import EmberOptim
import EmberTestSupport

@Suite struct StepBehaviourTests {
    /// After the first step (which allocates the state), a step allocates nothing: neither
    /// the bytes held nor the peak move. The allocator is shared with tests running in
    /// parallel, so a measurement disturbed by them is retried; a step that allocates
    /// can never pass.
    @Test(arguments: optimizerCases.keys.sorted())
    func stepAllocatesNothingAfterTheFirst(_ name: String) {
        let p = MLPProblem("f32")
        let optimizer = optimizerCases[name]!(p.params)
        p.loss().backward()
        optimizer.step()
        var clean = false
        for _ in 0..<200 where !clean {
            let before = CachingAllocator.shared.stats
            CachingAllocator.shared.resetPeak()
            optimizer.step()
            let after = CachingAllocator.shared.stats
            clean = after.allocatedBytes == before.allocatedBytes && after.peakAllocatedBytes == before.allocatedBytes
            if !clean { usleep(2000) }
        }
        #expect(clean, "\(name): step() allocated tensor memory after the first step")
    }

    /// Parameters without a gradient are skipped and get no state (PyTorch: `p.grad is None`).
    @Test func parametersWithoutGradAreSkipped() {
        let a = Tensor([1.0, 2.0], requiresGrad: true), b = Tensor([3.0], requiresGrad: true)
        let adam = Adam([a, b], lr: 0.1)
        (a * a).sum().backward()
        adam.step()
        #expect(b.toArray() == [3.0])
        #expect(adam.state[b] == nil)
        #expect(adam.state[a]?.step == 1)
    }

    /// zeroGrad sets `.grad` to nil by default, or zeros it in place.
    @Test func zeroGrad() {
        let w = Tensor([1.0, 2.0], requiresGrad: true)
        let sgd = SGD([w], lr: 0.1)
        (w * w).sum().backward()
        let g = w.grad!
        sgd.zeroGrad(setToNone: false)
        #expect(w.grad === g)
        #expect(g.toArray() == [0, 0])
        sgd.zeroGrad()
        #expect(w.grad == nil)
    }

    /// Non-contiguous and half-precision parameters take the copy-and-write-back path and get
    /// the same update as a contiguous float32 parameter (to half precision's rounding).
    @Test(arguments: ["sgd_nesterov", "adam_amsgrad", "rmsprop_momentum", "adagrad_decay", "adadelta_wd", "adamax_wd", "nadam_wd", "radam_wd"])
    func stridedAndHalfParameters(_ name: String) {
        let base = Tensor.randn([5, 3], generator: Generator(seed: 3))
        let contiguous = base.transpose(0, 1).contiguous().requiresGrad_()
        let strided = base.clone().transpose(0, 1).requiresGrad_()
        let half = base.transpose(0, 1).to(.float16).requiresGrad_()
        #expect(!strided.isContiguous)
        let make = optimizerCases[name]!
        let opts = [make([contiguous]), make([strided]), make([half])]
        for _ in 0..<5 {
            for (opt, p) in zip(opts, [contiguous, strided, half]) {
                opt.zeroGrad()
                (p.float() * Tensor.arange(0, 15, dtype: .float32).view(3, 5) / 15 - 0.5).square().mean().backward()
                opt.step()
            }
        }
        #expect(strided.toArray() == contiguous.toArray())
        // Sign-like updates (RMSprop, Adam) of near-zero gradients amplify half rounding: loose.
        assertClose(half.float().detach(), contiguous.detach(), rtol: 0.1, atol: 0.1)
        #expect(half.dtype == .float16)
    }

    /// The version counter moves, so a tensor saved for backward and then stepped is caught.
    @Test func stepBumpsTheParameterVersion() {
        let w = Tensor([1.0, 2.0], requiresGrad: true)
        let v0 = w.storage.version
        let sgd = SGD([w], lr: 0.1)
        (w * w).sum().backward()
        sgd.step()
        #expect(w.storage.version > v0)
    }

    /// `step(closure:)` evaluates the closure with gradients on and returns its loss.
    @Test func stepWithClosure() {
        let w = Tensor([1.0, 2.0], requiresGrad: true)
        let sgd = SGD([w], lr: 0.5)
        let loss = withNoGrad {
            sgd.step { sgd.zeroGrad(); let l = (w * w).sum(); l.backward(); return l }
        }
        #expect(loss.item() == 5)
        #expect(w.toArray() == [0, 0])
    }

    /// Options can be changed per group between steps (PyTorch: `group['lr'] = ...`).
    @Test func changingGroupOptions() {
        let w = Tensor([1.0], requiresGrad: true)
        let sgd = SGD([w], lr: 0.1)
        sgd.paramGroups[0].lr = 0.5
        (w * w).sum().backward()
        sgd.step()
        #expect(w.toArray() == [0])
        sgd.addParamGroup(ParamGroup(params: [Tensor([1.0], requiresGrad: true)], momentum: 0.9))
        #expect(sgd.paramGroups[1].lr == 0.1)
        #expect(sgd.paramGroups[1].momentum == 0.9)
        #expect(sgd.paramGroups[1].has(.dampening))
        #expect(!sgd.paramGroups[1].has(.betas))
    }
}
