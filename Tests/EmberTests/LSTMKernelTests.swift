import Dispatch
import Ember
import EmberTestSupport
import Testing

/// The float32 LSTM layer runs in C (CEmberKernels' ember_lstm_*_f32: batch rows (from 32 rows
/// with two threads) or hidden units split across threads, packed [W_hh, W_ih], register-blocked product, dx and the bias
/// gradient in the backward loop); float64 runs the generic Swift loop.
/// The same layer in both dtypes must agree: outputs, final states and every gradient, for
/// sizes that take one worker or several, hidden sizes that are not a multiple of the vector
/// width, row counts that leave partial register tiles, reversed time and per-row lengths.
@Suite struct LSTMKernelTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let steps: Int, batch: Int, inputSize: Int, hidden: Int
        let reverse: Bool
        let lengths: [Int]?
        let initialState: Bool
        /// Whether the input needs a gradient (without it and h0, the last step forms no product).
        var inputGrad = true
        var testDescription: String {
            "T\(steps) B\(batch) I\(inputSize) H\(hidden) reverse=\(reverse) lengths=\(lengths != nil) h0=\(initialState) dx=\(inputGrad)"
        }
    }

    static let cases: [Case] = [
        // One worker: a step below 2^17 multiply-adds; 20 units = 5 panels forward, a partial one backward.
        Case(steps: 4, batch: 3, inputSize: 5, hidden: 20, reverse: false, lengths: nil, initialState: true),
        // Two workers splitting the units (fewer than 16 rows each) forward and backward,
        // 72 units in blocks of 16 and 9 input features split unevenly.
        Case(steps: 5, batch: 20, inputSize: 9, hidden: 72, reverse: false, lengths: nil, initialState: true),
        Case(steps: 5, batch: 20, inputSize: 9, hidden: 72, reverse: true,
             lengths: (0..<20).map { ($0 * 3) % 6 }, initialState: false),
        // On 2 cores: forward splitting the rows (35 each), backward the units (40 in blocks of
        // 16); partial tiles. (Which split a case takes depends on the core count.)
        Case(steps: 5, batch: 70, inputSize: 7, hidden: 40, reverse: false, lengths: nil, initialState: true),
        Case(steps: 5, batch: 70, inputSize: 7, hidden: 40, reverse: true, lengths: nil, initialState: false),
        Case(steps: 6, batch: 37, inputSize: 3, hidden: 72, reverse: false,
             lengths: (0..<37).map { $0 % 7 }, initialState: true),
        Case(steps: 6, batch: 37, inputSize: 3, hidden: 72, reverse: true,
             lengths: (0..<37).map { ($0 * 5) % 7 }, initialState: false),
        // More steps than the 16 whose gate gradients are gathered before each weight-gradient
        // update: full and partial groups, both time directions.
        Case(steps: 37, batch: 20, inputSize: 5, hidden: 40, reverse: true,
             lengths: (0..<20).map { 37 - ($0 * 7) % 30 }, initialState: true),
        Case(steps: 33, batch: 40, inputSize: 6, hidden: 48, reverse: false, lengths: nil, initialState: false),
        // Weight gradients only (no dx, no dh0); no input features at all.
        Case(steps: 21, batch: 40, inputSize: 6, hidden: 48, reverse: true, lengths: nil, initialState: false, inputGrad: false),
        Case(steps: 4, batch: 20, inputSize: 0, hidden: 40, reverse: false, lengths: nil, initialState: true),
        // The rows split on any machine (16 rows per worker and more): both directions, per-row
        // lengths (0 to 19) and several groups of weight-gradient steps, the last one partial.
        Case(steps: 19, batch: 16 * Parallel.workers + 3, inputSize: 6, hidden: 40, reverse: false,
             lengths: (0..<(16 * Parallel.workers + 3)).map { ($0 * 7) % 20 }, initialState: true),
        Case(steps: 19, batch: 16 * Parallel.workers + 3, inputSize: 6, hidden: 40, reverse: true,
             lengths: (0..<(16 * Parallel.workers + 3)).map { ($0 * 7) % 20 }, initialState: false),
        // The benchmark's shape: batch 32, hidden 256.
        Case(steps: 3, batch: 32, inputSize: 64, hidden: 256, reverse: false, lengths: nil, initialState: false),
    ]

    @Test(arguments: cases)
    func float32MatchesFloat64(_ c: Case) {
        let gen = Generator(seed: 3)
        let gates = 4 * c.hidden
        func value(_ shape: [Int], _ scale: Double) -> Tensor { Tensor.randn(shape, dtype: .float64, generator: gen) * scale }
        let scale = 1 / Double(c.hidden).squareRoot()
        var values = [value([c.steps, c.batch, c.inputSize], 1), value([gates, c.inputSize], scale),
                      value([gates, c.hidden], scale), value([gates], scale), value([gates], scale)]
        if c.initialState { values += [value([c.batch, c.hidden], 0.5), value([c.batch, c.hidden], 0.5)] }
        let gOut = value([c.steps, c.batch, c.hidden], 1), gH = value([c.batch, c.hidden], 1), gC = value([c.batch, c.hidden], 1)

        func run(_ dtype: DType) -> (outputs: [Tensor], grads: [Tensor]) {
            let leaves = values.enumerated().map { i, v in
                let leaf = v.to(dtype).detach()
                return i == 0 && !c.inputGrad ? leaf : leaf.requiresGrad_()
            }
            let r = recurrentLayer(leaves[0], cell: .lstm, weightIH: leaves[1], weightHH: leaves[2],
                                   biasIH: leaves[3], biasHH: leaves[4],
                                   h0: c.initialState ? leaves[5] : nil, c0: c.initialState ? leaves[6] : nil,
                                   lengths: c.lengths, reverse: c.reverse)
            let loss = (r.output * gOut.to(dtype)).sum() + (r.hN * gH.to(dtype)).sum() + (r.cN! * gC.to(dtype)).sum()
            loss.backward()
            return ([r.output, r.hN, r.cN!].map { $0.detach().to(.float64) },
                    leaves.map { $0.grad?.to(.float64) ?? Tensor.zeros([0]) })
        }
        let single = run(.float32), double = run(.float64)
        for (name, (a, b)) in zip(["output", "hN", "cN"], zip(single.outputs, double.outputs)) {
            #expect(closeMismatch(a, b, rtol: 1e-4, atol: 1e-5) == nil, "\(name): \(closeMismatch(a, b, rtol: 1e-4, atol: 1e-5) ?? "")")
        }
        let names = ["input", "weight_ih", "weight_hh", "bias_ih", "bias_hh", "h0", "c0"]
        for (name, (a, b)) in zip(names, zip(single.grads, double.grads)) {
            #expect(closeMismatch(a, b, rtol: 1e-4, atol: 1e-4) == nil, "d\(name): \(closeMismatch(a, b, rtol: 1e-4, atol: 1e-4) ?? "")")
        }
    }

    /// An empty sequence runs no step: empty output, the initial states as final states, and
    /// their gradients passed straight through.
    @Test func emptySequence() {
        let gen = Generator(seed: 9)
        let hidden = 48, batch = 40
        let x = Tensor.randn([0, batch, 8], generator: gen)
        let wih = Tensor.randn([4 * hidden, 8], generator: gen), whh = Tensor.randn([4 * hidden, hidden], generator: gen)
        let h0 = Tensor.randn([batch, hidden], generator: gen).requiresGrad_()
        let c0 = Tensor.randn([batch, hidden], generator: gen).requiresGrad_()
        let r = recurrentLayer(x, cell: .lstm, weightIH: wih, weightHH: whh, h0: h0, c0: c0)
        #expect(r.output.shape == [0, batch, hidden])
        #expect(closeMismatch(r.hN, h0, rtol: 0, atol: 0) == nil)
        #expect(closeMismatch(r.cN!, c0, rtol: 0, atol: 0) == nil)
        (r.hN.sum() + r.cN!.sum() * 2).backward()
        #expect(closeMismatch(h0.grad!, Tensor.ones([batch, hidden]), rtol: 0, atol: 0) == nil)
        #expect(closeMismatch(c0.grad!, Tensor.ones([batch, hidden]) * 2, rtol: 0, atol: 0) == nil)
    }

    /// Rows past their length: zero output, the state of the last valid step, zero gradients
    /// for the steps that were not run, in the C path as in the reference.
    @Test func paddedRowsInTheParallelPath() {
        let gen = Generator(seed: 5)
        let steps = 4, batch = 40, hidden = 64
        let x = Tensor.randn([steps, batch, 8], generator: gen).requiresGrad_()
        let wih = (Tensor.randn([4 * hidden, 8], generator: gen) * 0.1).requiresGrad_()
        let whh = (Tensor.randn([4 * hidden, hidden], generator: gen) * 0.1).requiresGrad_()
        let lengths = (0..<batch).map { $0 % (steps + 1) }
        let r = recurrentLayer(x, cell: .lstm, weightIH: wih, weightHH: whh, lengths: lengths)
        let full = recurrentLayer(x.detach(), cell: .lstm, weightIH: wih.detach(), weightHH: whh.detach())
        r.output.sum().backward()
        for b in 0..<batch {
            let len = lengths[b]
            if len < steps {
                #expect(r.output[len..., b].abs().max().item() == 0, "row \(b): output past its length")
                #expect(x.grad![len..., b].abs().max().item() == 0, "row \(b): gradient past its length")
            }
            if len > 0 {
                #expect(closeMismatch(r.hN[b], full.output[len - 1, b], rtol: 1e-5, atol: 1e-6) == nil, "row \(b): final state")
            } else {
                #expect(r.hN[b].abs().max().item() == 0, "row \(b): no steps, zero state")
            }
        }
    }

    /// The layer borrows its helper threads from the one pool: called from every pool thread
    /// at once (so helpers start late or not at all and each call runs with the threads that
    /// came), every call finishes and gives the same bits as a call alone, with the batch rows
    /// split and with the hidden units split (a resumed training run relies on those bits).
    @Test(arguments: [20, 16 * Parallel.workers + 3])
    func callsFromEveryPoolThreadAtOnceGiveTheSameBits(batch: Int) {
        let gen = Generator(seed: 11)
        let steps = 20, hidden = 72, input = 9
        let x = Tensor.randn([steps, batch, input], generator: gen)
        let wih = Tensor.randn([4 * hidden, input], generator: gen) * 0.1
        let whh = Tensor.randn([4 * hidden, hidden], generator: gen) * 0.1
        let bias = Tensor.randn([4 * hidden], generator: gen) * 0.1
        @Sendable func run() -> [Tensor] {
            let leaves = [x, wih, whh, bias].map { $0.detach().requiresGrad_() }
            let r = recurrentLayer(leaves[0], cell: .lstm, weightIH: leaves[1], weightHH: leaves[2], biasIH: leaves[3])
            (r.output.square().sum() + r.hN.sum()).backward()
            return [r.output.detach()] + leaves.map { $0.grad! }
        }
        let alone = run()
        let calls = 4 * Parallel.workers
        let results = Locked([[Tensor]](repeating: [], count: calls))
        DispatchQueue.concurrentPerform(iterations: calls) { i in
            let r = run()
            results.withLock { $0[i] = r }
        }
        for (i, r) in results.withLock({ $0 }).enumerated() {
            for (k, (a, b)) in zip(r, alone).enumerated() {
                #expect(a.toArray() == b.toArray(), "call \(i), tensor \(k) differs from a call alone")
            }
        }
    }
}
