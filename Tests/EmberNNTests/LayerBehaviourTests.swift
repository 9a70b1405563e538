import EmberNN
import EmberTestSupport
import Testing

// Layer behaviour beyond the PyTorch fixtures: dropout statistics and seeding, shapes of the
// reshaping layers, pretrained embeddings, and loss stability at extreme inputs.

@Suite struct LayerBehaviour {
    @Test func dropoutZeroesAFractionAndRescales() {
        let drop = Dropout(p: 0.3, generator: Generator(seed: 5))
        let x = Tensor.ones([200, 500]).requiresGrad_()
        let y = drop(x)
        let values = y.toArray()
        let zeros = values.filter { $0 == 0 }.count
        #expect(Swift.abs(Double(zeros) / Double(values.count) - 0.3) < 0.01)
        #expect(values.allSatisfy { $0 == 0 || Swift.abs(Double($0) - 1 / 0.7) < 1e-6 })
        y.sum().backward()
        #expect(x.grad!.toArray() == values)   // the gradient is the scaled mask
        drop.eval()
        #expect(drop(x) === x)
        #expect(Dropout(p: 0)(x) === x)
        #expect(Dropout(p: 1)(x).abs().sum().item() == 0)
    }

    @Test func dropoutIsReproducibleFromItsGenerator() {
        let x = Tensor.ones([10, 10])
        let a = Dropout(p: 0.5, generator: Generator(seed: 7))(x)
        let b = Dropout(p: 0.5, generator: Generator(seed: 7))(x)
        #expect(a.toArray() == b.toArray())
        #expect(dropout(x, p: 0.5, training: false) === x)
    }

    @Test func dropout2dZeroesWholeChannels() {
        let drop = Dropout2d(p: 0.5, generator: Generator(seed: 8))
        let y = drop(Tensor.ones([20, 30, 4, 4]))
        var dropped = 0
        for channel in y.reshape([600, 16]).unbind(0) {
            let v = channel.toArray()
            #expect(v.allSatisfy { $0 == v[0] } && (v[0] == 0 || v[0] == 2))
            if v[0] == 0 { dropped += 1 }
        }
        #expect(dropped > 240 && dropped < 360)
        #expect(drop(Tensor.ones([3, 4, 4])).shape == [3, 4, 4])   // one sample [C, H, W]
    }

    @Test func reshapingLayers() {
        let x = Tensor.randn([2, 3, 4, 5])
        #expect(Flatten()(x).shape == [2, 60])
        #expect(Flatten(startDim: 0, endDim: 1)(x).shape == [6, 4, 5])
        #expect(Unflatten(1, [3, -1])(Tensor.randn([2, 12])).shape == [2, 3, 4])
        #expect(Identity()(x) === x)
        #expect(Linear(5, 7)(x).shape == [2, 3, 4, 7])
        let noBias = Linear(5, 7, bias: false)
        #expect(noBias.bias == nil && noBias.stateDict().keys == ["weight"])
        #expect(LayerNorm(5)(x).shape == x.shape)
        #expect(GroupNorm(3, 3)(x).shape == x.shape)
    }

    @Test func pretrainedEmbeddings() {
        let table = Tensor([[1, 2], [3, 4], [5, 6]] as [[Float]])
        let frozen = Embedding(pretrained: table)
        #expect(!frozen.weight.requiresGrad && frozen.parameters().count == 1)
        assertClose(frozen(Tensor([2, 0])), Tensor([[5, 6], [1, 2]] as [[Float]]), rtol: 0, atol: 0)
        let tuned = Embedding(pretrained: table, freeze: false, paddingIdx: 1)
        tuned(Tensor([[1, 2], [1, 1]])).sum().backward()
        assertClose(tuned.weight.grad!, Tensor([[0, 0], [0, 0], [1, 1]] as [[Float]]), rtol: 0, atol: 0)
    }

    @Test func maxNormRenormalizesLookedUpRowsInPlace() {
        let emb = Embedding(4, 3, maxNorm: 1)
        withNoGrad { emb.weight.copy_(Tensor([[3, 0, 4], [0.1, 0, 0], [0, 6, 8], [1, 1, 1]] as [[Float]])) }
        _ = emb(Tensor([0, 1]))
        let norms = emb.weight.norm(dims: [1]).toArray()
        #expect(Swift.abs(norms[0] - 1) < 1e-5 && Swift.abs(norms[1] - 0.1) < 1e-7)
        #expect(norms[2] == 10)   // not looked up: unchanged
    }

    @Test func prreluLearnsItsSlopes() {
        let act = PReLU(numParameters: 3)
        act(Tensor.randn([4, 3, 5])).sum().backward()
        #expect(act.weight.grad!.shape == [3])
    }

    @Test func lossesAreStableAtExtremeInputs() {
        let logits = Tensor([[1e4, -1e4, 0], [-3e4, 3e4, 1]] as [[Float]]).requiresGrad_()
        let loss = crossEntropy(logits, Tensor([1, 1]))
        #expect(loss.item().isFinite && Swift.abs(loss.item() - 1e4) < 1)
        loss.backward()
        #expect(logits.grad!.toArray().allSatisfy { $0.isFinite })
        let big = Tensor([100, -100, 50] as [Float]).requiresGrad_()
        let bce = binaryCrossEntropyWithLogits(big, Tensor([0, 1, 1] as [Float]), reduction: .sum)
        #expect(Swift.abs(bce.item() - 200) < 1e-3)
        bce.backward()
        #expect(big.grad!.toArray().allSatisfy { $0.isFinite })
        // Probabilities at exactly 0 and 1: the logs clamp at -100, as in PyTorch.
        #expect(binaryCrossEntropy(Tensor([0, 1] as [Float]), Tensor([1, 0] as [Float]), reduction: .sum).item() == 200)
    }

    @Test func reductionsAndIgnoredTargets() {
        let x = Tensor.randn([4, 3])
        let t = Tensor([0, -100, 2, -100])
        let all = crossEntropy(x, t, reduction: .none)
        #expect(all.toArray()[1] == 0 && all.toArray()[3] == 0)
        assertClose(crossEntropy(x, t), all.sum() / 2, rtol: 1e-6, atol: 1e-7)
        assertClose(mseLoss(x, x * 2, reduction: .sum), x.square().sum(), rtol: 1e-6, atol: 1e-6)
    }
}
