import EmberNN
import EmberTestSupport
import Testing

// Module discovery, naming, containers, the cached walk, train/eval, gradients and printing.

/// Custom parameters and buffers, a plain tensor (not state), an optional child, an array of
/// children and a subclass: the shapes of module a user writes.
class Base: Module, @unchecked Sendable {
    @Parameter var scale = Tensor.ones([3])
    let stem = Linear(3, 3)
}

final class Custom: Base, @unchecked Sendable {
    @Buffer(name: "step_count") var stepCount = Tensor.zeros([], dtype: .int64)
    @Buffer(persistent: false) var cache = Tensor.zeros([2])
    @Parameter var shift: Tensor? = nil
    var scratch = Tensor.ones([5])   // a plain tensor: not module state
    let maybe: Linear? = Linear(3, 2)
    let missing: Linear? = nil
    let blocks = [Linear(3, 3), Linear(3, 3)]
    let head = Sequential(Linear(3, 4), ReLU())
}

@Suite struct ModuleDiscovery {
    @Test func namesFollowPyTorch() {
        let m = Custom()
        #expect(m.namedParameters().map(\.name) == [
            "scale", "stem.weight", "stem.bias", "maybe.weight", "maybe.bias",
            "blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias", "head.0.weight", "head.0.bias",
        ])
        #expect(m.namedBuffers().map(\.name) == ["step_count", "cache"])
        #expect(m.stateDict().keys == [
            "scale", "step_count", "stem.weight", "stem.bias", "maybe.weight", "maybe.bias",
            "blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias", "head.0.weight", "head.0.bias",
        ])
        #expect(m.namedChildren().map(\.name) == ["stem", "maybe", "blocks.0", "blocks.1", "head"])
        #expect(m.namedModules().map(\.name) == ["", "stem", "maybe", "blocks.0", "blocks.1", "head", "head.0", "head.1"])
        #expect(m.numParameters == 3 + 12 + 8 + 24 + 16)
        #expect(m.parameters().allSatisfy { $0.requiresGrad && $0.isLeaf })
        #expect(!m.stepCount.requiresGrad)
    }

    @Test func assigningParametersKeepsThemLeavesThatRequireGrad() {
        let m = Custom()
        m.shift = Tensor.zeros([3])
        #expect(m.namedParameters().map(\.name).contains("shift"))
        #expect(m.shift!.requiresGrad)
        // The output of an op is detached: a parameter is always a leaf.
        m.scale = m.stem.weight.sum(dim: 0)
        #expect(m.scale.isLeaf && m.scale.requiresGrad)
        // A frozen parameter stays frozen when replaced.
        m.requiresGrad_(false)
        m.scale = Tensor.ones([3])
        #expect(!m.scale.requiresGrad)
        #expect(m.numTrainableParameters == 0)
    }

    @Test func sharedParametersAreListedOnceButSavedUnderEveryName() {
        let m = Sequential(Linear(4, 4), Linear(4, 4))
        let (a, b) = (m[0] as! Linear, m[1] as! Linear)
        b.weight = a.weight   // weight tying
        #expect(m.parameters().count == 3)
        #expect(m.stateDict().keys == ["0.weight", "0.bias", "1.weight", "1.bias"])
        let shared = Linear(2, 2)
        let twice = Sequential(shared, shared)
        #expect(twice.parameters().count == 2)
        #expect(twice.modules().count == 2)
        #expect(twice.stateDict().count == 4)
    }

    @Test func replacingAChildAfterTheWalkIsSeen() {
        final class Replaceable: Module, @unchecked Sendable {
            var fc = Linear(4, 3)
        }
        let m = Replaceable()
        #expect(m.parameters().map(\.shape) == [[3, 4], [3]])
        m.fc = Linear(4, 7, bias: false)
        #expect(m.parameters().map(\.shape) == [[7, 4]])
    }

    @Test func assigningAParameterAfterTheWalkIsSeen() {
        let m = Sequential(Linear(4, 4), Linear(4, 4))
        #expect(m.parameters().count == 4)
        let (a, b) = (m[0] as! Linear, m[1] as! Linear)
        b.weight = a.weight
        #expect(m.parameters().count == 3)
        b.bias = nil
        #expect(m.parameters().count == 2)
        #expect(m.stateDict().keys == ["0.weight", "0.bias", "1.weight"])
    }

    @Test func containersNameTheirChildren() {
        let seq = Sequential {
            Linear(2, 3)
            ReLU()
            for _ in 0..<2 { Linear(3, 3) }
        }
        #expect(seq.count == 4)
        #expect(seq.stateDict().keys == ["0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"])
        seq.append(Linear(3, 1))
        #expect(seq.stateDict().keys.last == "4.bias")
        #expect(seq(Tensor.randn([5, 2])).shape == [5, 1])

        let named = Sequential(named: ["conv": Linear(2, 2), "act": ReLU()])
        #expect(named.stateDict().keys == ["conv.weight", "conv.bias"])

        let list = ModuleList([Linear(1, 1)])
        _ = list.parameters()   // cache the walk
        list.append(Linear(1, 2))
        list.insert(Identity(), at: 0)
        #expect(list.stateDict().keys == ["1.weight", "1.bias", "2.weight", "2.bias"])
        list.remove(at: 0)
        #expect(list.count == 2 && list.stateDict().keys.first == "0.weight")

        let dict = ModuleDict(["cls": Linear(4, 10), "box": Linear(4, 4, bias: false)])
        #expect(dict.stateDict().keys == ["cls.weight", "cls.bias", "box.weight"])
        dict["cls"] = nil
        dict["extra"] = Linear(1, 1)
        #expect(dict.keys == ["box", "extra"])
        #expect(dict.stateDict().keys == ["box.weight", "extra.weight", "extra.bias"])
    }

    @Test func trainAndEvalReachEveryDescendant() {
        let m = Custom()
        #expect(m.modules().allSatisfy { $0.training })
        m.eval()
        #expect(m.modules().allSatisfy { !$0.training })
        m.head.train()
        #expect(m.head.modules().allSatisfy { $0.training } && !m.training && !m.stem.training)
        m.train()
        #expect(m.modules().allSatisfy { $0.training })
    }

    @Test func zeroGradAndApply() {
        let m = MLP()
        crossEntropy(m(Tensor.randn([4, 20])), Tensor([1, 2, 3, 4])).backward()
        #expect(m.parameters().allSatisfy { $0.grad != nil })
        m.zeroGrad(setToNone: false)
        #expect(m.parameters().allSatisfy { $0.grad != nil && $0.grad!.abs().sum().item() == 0 })
        m.zeroGrad()
        #expect(m.parameters().allSatisfy { $0.grad == nil })

        var visited: [String] = []
        m.apply { visited.append(String(describing: type(of: $0))) }
        #expect(visited == ["Linear", "Linear", "MLP"])
        m.apply { if let l = $0 as? Linear { Init.zeros_(l.weight) } }
        #expect(m.fc1.weight.abs().sum().item() == 0)
        #expect(m.fc1.weight.requiresGrad)
    }

    @Test func frozenParametersGetNoGradient() {
        let m = MLP()
        m.fc1.requiresGrad_(false)
        m(Tensor.randn([2, 20])).sum().backward()
        #expect(m.fc1.weight.grad == nil && m.fc2.weight.grad != nil)
        #expect(m.numTrainableParameters == 32 * 10 + 10)
    }

    @Test func printsLikePyTorch() {
        let m = Custom()
        #expect(m.description == """
            Custom(
              (stem): Linear(in_features=3, out_features=3, bias=True)
              (maybe): Linear(in_features=3, out_features=2, bias=True)
              (blocks.0): Linear(in_features=3, out_features=3, bias=True)
              (blocks.1): Linear(in_features=3, out_features=3, bias=True)
              (head): Sequential(
                (0): Linear(in_features=3, out_features=4, bias=True)
                (1): ReLU()
              )
            )
            """)
        #expect(BatchNorm2d(8, momentum: nil, affine: false).description
                == "BatchNorm2d(8, eps=1e-05, momentum=None, affine=False, track_running_stats=True)")
        #expect(Embedding(10, 3, maxNorm: 1).description == "Embedding(10, 3, max_norm=1.0)")
    }

    @Test func forwardOfAModuleWithoutOneNamesIt() {
        // Bilinear takes two tensors; calling it with one is a programming error (it traps
        // with "[Bilinear.forward] Bilinear does not define forward(_ x: Tensor)"). Checked here
        // only for the two-argument path working.
        let b = Bilinear(2, 3, 4)
        #expect(b(Tensor.randn([5, 2]), Tensor.randn([5, 3])).shape == [5, 4])
    }
}
