import EmberNN
import EmberTestSupport
import Testing

// Recurrent modules beyond the PyTorch fixtures: dropout between layers, the one-tensor
// call, padded batches, and that padded steps do not leak into the final state.

@Suite struct RecurrentBehaviour {
    @Test func dropoutBetweenLayersOnlyInTraining() {
        manualSeed(1)
        let lstm = LSTM(4, 6, numLayers: 2, dropout: 0.5)
        let x = Tensor.randn([5, 3, 4])
        lstm.eval()
        let a = lstm(x).output, b = lstm(x).output
        assertClose(a, b, rtol: 0, atol: 0, "eval is deterministic")
        lstm.train()
        let c = lstm(x).output
        #expect(closeMismatch(a, c, rtol: 1e-4, atol: 1e-5) != nil, "training applies dropout between the layers")
        // A single layer has nowhere to apply it.
        let single = GRU(4, 6, dropout: 0.5)
        assertClose(single(x).output, withNoGrad { single.eval(); return single(x).output }, rtol: 0, atol: 0)
    }

    @Test func oneTensorCallReturnsTheOutput() {
        let lstm = LSTM(4, 6, batchFirst: true)
        let x = Tensor.randn([2, 5, 4])
        let out: Tensor = lstm(x)
        let (full, (h, c)) = lstm(x)
        assertClose(out, full, rtol: 0, atol: 0)
        #expect(h.shape == [1, 2, 6] && c.shape == [1, 2, 6])
        let model = Sequential(GRU(4, 6, batchFirst: true), Linear(6, 3))
        #expect(model(x).shape == [2, 5, 3])
    }

    @Test func paddedStepsDoNotLeak() {
        manualSeed(2)
        let gru = GRU(3, 5, bidirectional: true)
        let a = Tensor.randn([4, 3]), b = Tensor.randn([2, 3])
        let batch = padSequence([a, b])
        #expect(batch.shape == [4, 2, 3])
        let (out, hN) = gru(batch, lengths: [4, 2])
        // Row 1 alone, unpadded, gives the same final states and outputs.
        let (alone, hAlone) = gru(b.unsqueeze(1))
        assertClose(hN.select(1, 1), hAlone.select(1, 0), rtol: 1e-5, atol: 1e-6, "final states")
        assertClose(out.narrow(0, start: 0, length: 2).select(1, 1), alone.select(1, 0), rtol: 1e-5, atol: 1e-6, "outputs")
        #expect(out.narrow(0, start: 2, length: 2).select(1, 1).abs().sum().item() == 0, "padded outputs are zero")
        // Garbage in the padding changes nothing.
        let noisy = batch.clone()
        withNoGrad { noisy.narrow(0, start: 2, length: 2).select(1, 1).fill_(100) }
        assertClose(gru(noisy, lengths: [4, 2]).hN, hN, rtol: 0, atol: 0)
        #expect(padSequence([a, b], batchFirst: true, paddingValue: -1).shape == [2, 4, 3])
    }
}
