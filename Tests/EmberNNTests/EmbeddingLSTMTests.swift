import EmberNN
import EmberTestSupport
import Testing

// An LSTM whose input is an embedding's output projects each distinct embedding row once and
// sends the input's gradient straight to the embedding table (`LSTMTableInput`). These tests
// compare it with the same model fed a copy of the embedding's output (`clone()`, which the
// LSTM multiplies row by row), and check that the input's own gradient is still there for
// whoever asks for it.

@Suite struct EmbeddingLSTM {
    /// A small embedding and LSTM, and ids `[T, B]` (or `[B, T]`) that repeat table rows.
    struct Model {
        let emb: Embedding
        let lstm: LSTM
        let ids: Tensor

        init(seed: UInt64, vocab: Int = 7, embed: Int = 5, hidden: Int = 6, steps: Int = 9, batch: Int = 4,
             numLayers: Int = 1, bidirectional: Bool = false, batchFirst: Bool = false) {
            manualSeed(seed)
            emb = Embedding(vocab, embed)
            lstm = LSTM(embed, hidden, numLayers: numLayers, batchFirst: batchFirst, bidirectional: bidirectional)
            let shape = batchFirst ? [batch, steps] : [steps, batch]
            ids = Tensor((0..<(steps * batch)).map { Int64(($0 * 5 + $0 / 3) % vocab) }, shape: shape)
        }

        /// Runs the model with the embedding's output as is (`fused`) or copied first, returns
        /// what the loss `Σ output·w + Σ h_n + Σ c_n` gives: the outputs and every gradient.
        func run(fused: Bool, lengths: [Int]? = nil, state: (h: Tensor, c: Tensor)? = nil) -> [Tensor] {
            emb.zeroGrad()
            lstm.zeroGrad()
            let x = fused ? emb(ids) : emb(ids).clone()
            let (out, (h, c)) = lstm(x, state, lengths: lengths)
            let w = Tensor.linspace(-1, 1, steps: out.numel).reshape(out.shape)
            ((out * w).sum() + h.sum() + c.sum()).backward()
            return [out.detach(), h.detach(), c.detach(), emb.weight.grad!] + lstm.parameters().map { $0.grad! }
        }

        /// With the loss `Σ output`, the gradients of the embedding's output (kept with
        /// `retainGrad`) and of the table; `copied` feeds the LSTM a copy (the reference).
        /// Leaves the gradients zeroed.
        func retainedGradients(copied: Bool) -> (input: Tensor, table: Tensor) {
            emb.zeroGrad(); lstm.zeroGrad()
            let x = copied ? emb(ids).clone() : emb(ids)
            x.retainGrad()
            lstm(x).output.sum().backward()
            defer { emb.zeroGrad(); lstm.zeroGrad() }
            return (x.grad!, emb.weight.grad!)
        }
    }

    static func expectSame(_ a: [Tensor], _ b: [Tensor], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.count == b.count)
        for (i, (x, y)) in zip(a, b).enumerated() {
            assertClose(x, y, rtol: 1e-4, atol: 1e-5, "\(label): tensor \(i)", sourceLocation: sourceLocation)
        }
    }

    /// The LSTM's backward node reads the table directly: one more edge than its inputs,
    /// ending at the embedding weight's accumulator.
    static func readsTable(_ out: Tensor) -> Bool {
        guard let main = out.gradFn?.nextFunctions.first ?? nil else { return false }
        return main.nextFunctions.count == 6 && main.nextFunctions.last??.name == "AccumulateGrad"
    }

    @Test func matchesTheUnfusedLayer() {
        let m = Model(seed: 1)
        #expect(EmbeddingLSTM.readsTable(m.lstm(m.emb(m.ids)).output), "the embedding's output is read as table rows")
        #expect(!EmbeddingLSTM.readsTable(m.lstm(m.emb(m.ids).clone()).output), "a copy is not")
        EmbeddingLSTM.expectSame(m.run(fused: true), m.run(fused: false), "time-major")
    }

    @Test func batchFirstBidirectionalStackedWithLengthsAndStates() {
        let m = Model(seed: 2, numLayers: 2, bidirectional: true, batchFirst: true)
        EmbeddingLSTM.expectSame(m.run(fused: true), m.run(fused: false), "batch-first, 2 layers, bidirectional")
        let lengths = [9, 3, 6, 1]
        EmbeddingLSTM.expectSame(m.run(fused: true, lengths: lengths), m.run(fused: false, lengths: lengths), "with lengths")
        let h0 = Tensor.randn([4, 4, 6]).requiresGrad_(), c0 = Tensor.randn([4, 4, 6]).requiresGrad_()
        let fused = m.run(fused: true, state: (h0, c0)), g = [h0.grad!, c0.grad!]
        h0.grad = nil; c0.grad = nil
        let plain = m.run(fused: false, state: (h0, c0))
        EmbeddingLSTM.expectSame(fused + g, plain + [h0.grad!, c0.grad!], "with initial states")
    }

    @Test func bothThreadSplitsAndManyWeightGradientGroups() {
        // 33 rows (the forward splits rows across threads), 40 units, 20 steps (more than one
        // group of weight-gradient steps), 30 symbols.
        let m = Model(seed: 9, vocab: 30, embed: 8, hidden: 40, steps: 20, batch: 33)
        EmbeddingLSTM.expectSame(m.run(fused: true), m.run(fused: false), "benchmark-like shape")
        let small = Model(seed: 10, vocab: 30, embed: 8, hidden: 40, steps: 20, batch: 3, bidirectional: true)
        EmbeddingLSTM.expectSame(small.run(fused: true), small.run(fused: false), "units split")
    }

    @Test func unbatchedInput() {
        let m = Model(seed: 3)
        let ids = m.ids.select(1, 0)
        let a: Tensor = m.lstm(m.emb(ids)), b: Tensor = m.lstm(m.emb(ids).clone())
        assertClose(a, b, rtol: 1e-5, atol: 1e-6)
        #expect(a.shape == [9, 6])
    }

    @Test func theInputsGradientIsThereWhenObserved() {
        let m = Model(seed: 4)
        let (refInput, refTable) = m.retainedGradients(copied: true)
        // retainGrad on the embedding's output.
        let (input, table) = m.retainedGradients(copied: false)
        assertClose(input, refInput, rtol: 1e-4, atol: 1e-5, "retained input gradient")
        assertClose(table, refTable, rtol: 1e-4, atol: 1e-5, "table gradient with retainGrad")

        // A hook sees it, and what it returns is what the table gets.
        let y = m.emb(m.ids)
        var seen: Tensor?
        y.registerHook { g in seen = g; return g * 2 }
        m.lstm(y).output.sum().backward()
        assertClose(seen!, refInput, rtol: 1e-4, atol: 1e-5, "hooked input gradient")
        assertClose(m.emb.weight.grad!, refTable * 2, rtol: 1e-4, atol: 1e-5, "table gradient through the hook")
        m.emb.zeroGrad(); m.lstm.zeroGrad()

        // grad(outputs:inputs:) asks for it; the table's own gradient is untouched.
        let z = m.emb(m.ids)
        let dz = grad(outputs: [m.lstm(z).output.sum()], inputs: [z])[0]!
        assertClose(dz, refInput, rtol: 1e-4, atol: 1e-5, "grad(outputs:inputs:)")
        #expect(m.emb.weight.grad == nil)
        let dTable = grad(outputs: [m.lstm(m.emb(m.ids)).output.sum()], inputs: [m.emb.weight])[0]!
        assertClose(dTable, refTable, rtol: 1e-4, atol: 1e-5, "grad(outputs:inputs:) of the table")
    }

    @Test func theLookupsGradientIsThereWhenObservedBatchFirst() {
        // A batch-first LSTM transposes the embedding's output before the layer reads it.
        let m = Model(seed: 11, batchFirst: true)
        let (refInput, refTable) = m.retainedGradients(copied: true)
        let (input, table) = m.retainedGradients(copied: false)
        assertClose(input, refInput, rtol: 1e-4, atol: 1e-5, "retained input gradient, batch first")
        assertClose(table, refTable, rtol: 1e-4, atol: 1e-5, "table gradient, batch first")

        let z = m.emb(m.ids)
        let dz = grad(outputs: [m.lstm(z).output.sum()], inputs: [z])[0]!
        assertClose(dz, refInput, rtol: 1e-4, atol: 1e-5, "grad(outputs:inputs:), batch first")

        // Looked up without grad, then made a leaf of its own: its gradient goes to it.
        let leaf = withNoGrad { m.emb(m.ids) }
        leaf.requiresGrad_()
        m.emb.zeroGrad()
        m.lstm(leaf).output.sum().backward()
        assertClose(leaf.grad!, refInput, rtol: 1e-4, atol: 1e-5, "leaf input gradient")
        #expect(m.emb.weight.grad == nil)
    }

    @Test func aLookupDetachedInPlaceIsALeafOfItsOwn() {
        for batchFirst in [false, true] {
            let m = Model(seed: 12, batchFirst: batchFirst)
            let (refInput, _) = m.retainedGradients(copied: true)
            for unbatched in [false, true] {
                let x = m.emb(unbatched ? m.ids.select(batchFirst ? 0 : 1, 0) : m.ids)
                x.detach_()
                x.requiresGrad_()
                m.lstm(x).output.sum().backward()
                #expect(m.emb.weight.grad == nil, "batchFirst \(batchFirst), unbatched \(unbatched): the table gets nothing")
                if !unbatched { assertClose(x.grad!, refInput, rtol: 1e-4, atol: 1e-5, "batchFirst \(batchFirst)") }
                #expect(x.grad != nil)
                m.lstm.zeroGrad()
            }
        }
    }

    @Test func otherUsesOfTheInputStillReachTheTable() {
        let m = Model(seed: 5)
        func loss(_ x: Tensor) -> Tensor { m.lstm(x).output.sum() + (x * x).sum() }
        loss(m.emb(m.ids).clone()).backward()
        let ref = m.emb.weight.grad!
        m.emb.zeroGrad(); m.lstm.zeroGrad()
        loss(m.emb(m.ids)).backward()
        assertClose(m.emb.weight.grad!, ref, rtol: 1e-4, atol: 1e-5)
    }

    @Test func writingTheInputOrTheTableInPlaceEndsTheShortcut() {
        let m = Model(seed: 6)
        let x = m.emb(m.ids)
        withNoGrad { x.mul_(2) }
        let out = m.lstm(x).output
        #expect(!EmbeddingLSTM.readsTable(out))
        assertClose(out, m.lstm(m.emb(m.ids).clone() * 2).output, rtol: 1e-5, atol: 1e-6, "the doubled input is used")

        let y = m.emb(m.ids)
        withNoGrad { m.emb.weight.mul_(3) }
        let outY = m.lstm(y).output
        #expect(!EmbeddingLSTM.readsTable(outY))
        withNoGrad { m.emb.weight.div_(3) }
        assertClose(outY, m.lstm(m.emb(m.ids).clone()).output, rtol: 1e-5, atol: 1e-6, "the rows looked up before the write are used")
    }

    @Test func frozenOrNoGradEmbeddings() {
        let m = Model(seed: 7)
        // Looked up without grad: the LSTM's weights get gradients, the table none.
        let x = withNoGrad { m.emb(m.ids) }
        m.lstm(x).output.sum().backward()
        #expect(m.emb.weight.grad == nil)
        let fused = m.lstm.parameters().map { $0.grad! }
        m.lstm.zeroGrad()
        m.lstm(x.clone()).output.sum().backward()
        EmbeddingLSTM.expectSame(fused, m.lstm.parameters().map { $0.grad! }, "no-grad lookup")

        // A frozen pretrained table.
        let frozen = Embedding(pretrained: m.emb.weight.detach().clone())
        m.lstm.zeroGrad()
        let out = m.lstm(frozen(m.ids)).output
        assertClose(out, m.lstm(m.emb(m.ids).clone()).output, rtol: 1e-5, atol: 1e-6)
        out.sum().backward()
        #expect(frozen.weight.grad == nil)
    }

    @Test func paddingRowsTakeTheOrdinaryPath() {
        manualSeed(8)
        let emb = Embedding(5, 3, paddingIdx: 0), lstm = LSTM(3, 4)
        let ids = Tensor([0, 1, 2, 0, 3, 4] as [Int64], shape: [3, 2])
        let out = lstm(emb(ids)).output
        #expect(!EmbeddingLSTM.readsTable(out))
        out.sum().backward()
        #expect(emb.weight.grad![0].abs().sum().item() == 0, "the padding row gets no gradient")
    }
}
