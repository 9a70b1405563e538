import Ember
@testable import EmberNN
import EmberTestSupport
import Testing

// Ember's fused ops used by the sequence models: the layer-norm op and the vectorized GELU,
// checked against their composite definitions and under gradcheck / gradgradcheck in float64.

@Suite struct FusedOps {
    @Test func layerNormMatchesComposite() {
        let g = Generator(seed: 3)
        for shape in [[4, 6], [2, 3, 5]] {
            let x = (Tensor.randn(shape, generator: g) * 3 + 1).detach().requiresGrad_()
            let w = Tensor.randn([shape.last!], generator: g).requiresGrad_()
            let b = Tensor.randn([shape.last!], generator: g).requiresGrad_()
            let fused = x.layerNorm([shape.last!], weight: w, bias: b, eps: 1e-5)
            let x2 = x.detach().requiresGrad_(), w2 = w.detach().requiresGrad_(), b2 = b.detach().requiresGrad_()
            // The definition written with primitives (EmberNN's `layerNorm` now calls the fused op).
            let centered = x2 - x2.mean(dims: [x2.dim - 1], keepDim: true)
            let variance = centered.square().mean(dims: [x2.dim - 1], keepDim: true)
            let composite = centered * (variance + 1e-5).rsqrt() * w2 + b2
            assertClose(fused, composite, rtol: 1e-5, atol: 1e-6, "forward \(shape)")
            let weights = Tensor.randn(shape, generator: g)
            (fused * weights).sum().backward()
            (composite * weights).sum().backward()
            assertClose(x.grad!, x2.grad!, rtol: 1e-4, atol: 1e-5, "grad x \(shape)")
            assertClose(w.grad!, w2.grad!, rtol: 1e-4, atol: 1e-5, "grad weight \(shape)")
            assertClose(b.grad!, b2.grad!, rtol: 1e-4, atol: 1e-5, "grad bias \(shape)")
        }
    }

    @Test func layerNormGradcheck() {
        let g = Generator(seed: 4)
        let inputs = [Tensor.randn([3, 2, 4], dtype: .float64, generator: g).requiresGrad_(),
                      Tensor.randn([2, 4], dtype: .float64, generator: g).requiresGrad_(),
                      Tensor.randn([2, 4], dtype: .float64, generator: g).requiresGrad_()]
        let f: ([Tensor]) -> Tensor = { $0[0].layerNorm([2, 4], weight: $0[1], bias: $0[2], eps: 1e-3) }
        let first = gradcheck(f, inputs: inputs)
        #expect(first.passed, "\(first)")
        let second = gradgradcheck(f, inputs: inputs)
        #expect(second.passed, "\(second)")
        let plain = gradcheck({ $0[0].layerNorm([4]) }, inputs: [inputs[0]])
        #expect(plain.passed, "no affine: \(plain)")
    }

    /// The exact GELU written with primitives (libm's `erf`), the definition the kernel must match.
    private func compositeGelu(_ x: Tensor) -> Tensor { x * (1 + (x * 0.70710678118654752440).erf()) * 0.5 }

    @Test func geluKernelMatchesComposite() {
        let x = Tensor.linspace(-12, 12, steps: 4001)
        assertClose(x.gelu(), compositeGelu(x), rtol: 1e-5, atol: 1e-7, "float32 forward")
        let xg = x.detach().requiresGrad_(), xr = x.detach().requiresGrad_()
        xg.gelu().sum().backward()
        compositeGelu(xr).sum().backward()
        assertClose(xg.grad!, xr.grad!, rtol: 1e-5, atol: 1e-6, "float32 backward")
        let special = Tensor([Float.nan, Float.infinity, 0, -0.0] as [Float]).gelu().toArray()
        #expect(special[0].isNaN && special[1] == .infinity && special[2] == 0)
        let g = Generator(seed: 5)
        let inputs = [(Tensor.randn([3, 4], dtype: .float64, generator: g) * 2).detach().requiresGrad_()]
        let first = gradcheck({ $0[0].gelu() }, inputs: inputs)
        #expect(first.passed, "\(first)")
        let second = gradgradcheck({ $0[0].gelu() }, inputs: inputs)
        #expect(second.passed, "\(second)")
    }

    /// `nn.GELU`, `F.gelu` and the Transformer's `activation: .gelu` are one implementation:
    /// bit-identical outputs and gradients.
    @Test func oneGelu() {
        let x = Tensor.randn([5, 7], generator: Generator(seed: 6)) * 3
        let reference = x.gelu().toArray()
        #expect(GELU()(x).toArray() == reference)
        #expect(gelu(x).toArray() == reference)
        #expect(TransformerActivation.gelu(x).toArray() == reference)
        let tanhReference = x.gelu(approximate: "tanh").toArray()
        #expect(GELU(approximate: "tanh")(x).toArray() == tanhReference)
        #expect(gelu(x, approximate: "tanh").toArray() == tanhReference)
        let xa = x.detach().requiresGrad_(), xb = x.detach().requiresGrad_()
        GELU()(xa).sum().backward()
        TransformerActivation.gelu(xb).sum().backward()
        #expect(xa.grad!.toArray() == xb.grad!.toArray())
    }

    /// `softmax(q·kᵀ·scale + mask)·v` written with primitives, the definition the fused op must match.
    private func compositeAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, mask: Tensor?, causal: Bool, scale: Double) -> Tensor {
        var scores = q.bmm(k.transpose(1, 2)) * scale
        if causal {
            let blocked = Tensor.arange(q.shape[1]).unsqueeze(1) .< Tensor.arange(k.shape[1]).unsqueeze(0)
            scores = scores.maskedFill(blocked, -Double.infinity)
        } else if let mask {
            scores = scores + mask
        }
        return scores.softmax(dim: -1).bmm(v)
    }

    @Test func attentionMatchesComposite() {
        let g = Generator(seed: 6)
        // (B, L, S, E, Ev, mask shape or nil, causal)
        let cases: [(Int, Int, Int, Int, Int, [Int]?, Bool)] = [
            (3, 5, 5, 4, 6, nil, false), (3, 5, 7, 4, 6, nil, true), (4, 6, 6, 8, 8, nil, true),
            (3, 5, 7, 4, 6, [5, 7], false), (3, 5, 7, 4, 3, [3, 1, 7], false), (2, 4, 4, 4, 4, [2, 4, 4], false),
            (5, 33, 40, 16, 16, nil, true),
            // Causal attention runs in blocks of 32 query rows: several blocks, a partial last
            // block, more keys than queries (key blocks no query sees) and more queries than keys.
            (2, 70, 70, 8, 8, nil, true), (2, 40, 100, 8, 5, nil, true), (2, 100, 40, 8, 8, nil, true),
            (2, 64, 64, 8, 8, [64, 64], false),
        ]
        for (b, l, s, e, ev, maskShape, causal) in cases {
            let label = "B\(b) L\(l) S\(s) mask \(maskShape.map { "\($0)" } ?? "none") causal \(causal)"
            let q = Tensor.randn([b, l, e], generator: g).requiresGrad_()
            let k = Tensor.randn([b, s, e], generator: g).requiresGrad_()
            let v = Tensor.randn([b, s, ev], generator: g).requiresGrad_()
            let mask = maskShape.map { Tensor.randn($0, generator: g) }
            let scale = 1 / Double(e).squareRoot()
            let fused = q.attention(key: k, value: v, mask: mask, isCausal: causal, scale: scale)
            let q2 = q.detach().requiresGrad_(), k2 = k.detach().requiresGrad_(), v2 = v.detach().requiresGrad_()
            let composite = compositeAttention(q2, k2, v2, mask: mask, causal: causal, scale: scale)
            assertClose(fused, composite, rtol: 1e-5, atol: 1e-6, "forward \(label)")
            let weights = Tensor.randn([b, l, ev], generator: g)
            (fused * weights).sum().backward()
            (composite * weights).sum().backward()
            assertClose(q.grad!, q2.grad!, rtol: 1e-4, atol: 1e-5, "grad q \(label)")
            assertClose(k.grad!, k2.grad!, rtol: 1e-4, atol: 1e-5, "grad k \(label)")
            assertClose(v.grad!, v2.grad!, rtol: 1e-4, atol: 1e-5, "grad v \(label)")
        }
        // A query whose keys are all blocked gives NaN, as the composite does.
        let blocked = Tensor.zeros([1, 2, 3]).maskedFill(Tensor([true, true, true, false, false, false], shape: [1, 2, 3]), -Double.infinity)
        let out = Tensor.ones([1, 2, 4]).attention(key: Tensor.ones([1, 3, 4]), value: Tensor.ones([1, 3, 2]), mask: blocked, scale: 0.5)
        let values = out.toArray()
        #expect(values[0].isNaN && values[1].isNaN && values[2] == 1 && values[3] == 1)
    }

    /// A float mask that is exactly the causal mask gives what `isCausal` gives, and
    /// what adding the mask gives; a mask that differs in one entry is applied as a mask.
    @Test func causalMaskMatchesIsCausal() {
        let g = Generator(seed: 11)
        let (b, l, e) = (3, 70, 8)
        let q = Tensor.randn([b, l, e], generator: g), k = Tensor.randn([b, l, e], generator: g), v = Tensor.randn([b, l, e], generator: g)
        let causalMask = Transformer.generateSquareSubsequentMask(l)
        var nearlyCausal = causalMask.toArray()
        nearlyCausal[l * 40 + 3] = -Float.infinity   // query 40 may not see key 3 either
        let other = Tensor(nearlyCausal, shape: [l, l])
        for (name, mask) in [("causal", causalMask), ("causal, one more blocked", other)] {
            let inputs = [q, k, v].map { $0.detach().requiresGrad_() }
            let fused = inputs[0].attention(key: inputs[1], value: inputs[2], mask: mask, scale: 0.3)
            let refs = [q, k, v].map { $0.detach().requiresGrad_() }
            let composite = compositeAttention(refs[0], refs[1], refs[2], mask: mask, causal: false, scale: 0.3)
            assertClose(fused, composite, rtol: 1e-5, atol: 1e-6, "forward \(name)")
            let weights = Tensor.randn([b, l, e], generator: g)
            (fused * weights).sum().backward()
            (composite * weights).sum().backward()
            for (x, y) in zip(inputs, refs) { assertClose(x.grad!, y.grad!, rtol: 1e-4, atol: 1e-5, "grad \(name)") }
        }
        let byIndex = q.attention(key: k, value: v, isCausal: true, scale: 0.3)
        assertClose(q.attention(key: k, value: v, mask: causalMask, scale: 0.3), byIndex, rtol: 1e-6, atol: 1e-7, "mask vs isCausal")

        // More keys than queries: the [40, 75] causal mask.
        let (l2, s2) = (40, 75)
        var rect = [Float](repeating: 0, count: l2 * s2)
        for i in 0..<l2 { for j in (i + 1)..<s2 { rect[i * s2 + j] = -Float.infinity } }
        let rectMask = Tensor(rect, shape: [l2, s2])
        let q2 = Tensor.randn([b, l2, e], generator: g), k2 = Tensor.randn([b, s2, e], generator: g), v2 = Tensor.randn([b, s2, e], generator: g)
        assertClose(q2.attention(key: k2, value: v2, mask: rectMask, scale: 0.3),
                    compositeAttention(q2, k2, v2, mask: rectMask, causal: false, scale: 0.3), rtol: 1e-5, atol: 1e-6, "rectangular causal mask")

        // A causal mask that wants a gradient is added as a mask, and gets the scores' gradient.
        let learned = causalMask.detach().requiresGrad_(), reference = causalMask.detach().requiresGrad_()
        let weights = Tensor.randn([b, l, e], generator: g)
        (q.attention(key: k, value: v, mask: learned, scale: 0.3) * weights).sum().backward()
        (compositeAttention(q, k, v, mask: reference, causal: false, scale: 0.3) * weights).sum().backward()
        assertClose(learned.grad!, reference.grad!, rtol: 1e-4, atol: 1e-5, "mask gradient")
    }

    @Test func attentionGradcheck() {
        let g = Generator(seed: 7)
        let inputs = [Tensor.randn([2, 3, 4], dtype: .float64, generator: g).requiresGrad_(),
                      Tensor.randn([2, 5, 4], dtype: .float64, generator: g).requiresGrad_(),
                      Tensor.randn([2, 5, 3], dtype: .float64, generator: g).requiresGrad_()]
        let mask = Tensor.randn([3, 5], dtype: .float64, generator: g)
        let variants: [(String, ([Tensor]) -> Tensor)] = [
            ("plain", { $0[0].attention(key: $0[1], value: $0[2], scale: 0.5) }),
            ("causal", { $0[0].attention(key: $0[1], value: $0[2], isCausal: true, scale: 0.7) }),
            ("mask", { $0[0].attention(key: $0[1], value: $0[2], mask: mask, scale: 0.5) }),
        ]
        for (name, f) in variants {
            let first = gradcheck(f, inputs: inputs)
            #expect(first.passed, "\(name): \(first)")
            let second = gradgradcheck(f, inputs: inputs)
            #expect(second.passed, "\(name) second order: \(second)")
        }
        // Causal attention over more than one block of query rows (and more keys than queries).
        let long = [Tensor.randn([1, 35, 2], dtype: .float64, generator: g).requiresGrad_(),
                    Tensor.randn([1, 67, 2], dtype: .float64, generator: g).requiresGrad_(),
                    Tensor.randn([1, 67, 2], dtype: .float64, generator: g).requiresGrad_()]
        let blocked = gradcheck({ $0[0].attention(key: $0[1], value: $0[2], isCausal: true, scale: 0.7) }, inputs: long)
        #expect(blocked.passed, "causal, several blocks: \(blocked)")
        // A mask that requires grad gets the gradient of the scores, summed over broadcast dims.
        let m = Tensor.randn([1, 3, 5], dtype: .float64, generator: g).requiresGrad_()
        let withMask = gradcheck({ $0[0].attention(key: $0[1], value: $0[2], mask: $0[3], scale: 0.5) }, inputs: inputs + [m])
        #expect(withMask.passed, "mask gradient: \(withMask)")
    }

    @Test func softmaxBackwardKernelMatchesFormula() {
        let g = Generator(seed: 8)
        for shape in [[7, 19], [3, 4, 64], [2, 1]] {
            let x = (Tensor.randn(shape, generator: g) * 3).requiresGrad_()
            let w = Tensor.randn(shape, generator: g)
            let y = x.softmax(dim: -1)
            (y * w).sum().backward()
            let yd = y.detach()
            let expected = yd * (w - (w * yd).sum(dim: -1, keepDim: true))
            assertClose(x.grad!, expected, rtol: 1e-5, atol: 1e-6, "softmax grad \(shape)")
        }
    }

    /// `packed` split into heads, `attention`, merged: the definition `packedSelfAttention` must match.
    private func splitAttention(_ packed: Tensor, heads: Int, batchFirst: Bool, mask: Tensor?, causal: Bool, scale: Double) -> Tensor {
        let n = batchFirst ? packed.shape[0] : packed.shape[1], l = batchFirst ? packed.shape[1] : packed.shape[0]
        let width = packed.shape[2] / 3, d = width / heads
        let split = batchFirst ? [n, l, 3, heads, d] : [l, n, 3, heads, d]
        let all = packed.reshape(split).permute(batchFirst ? [2, 0, 3, 1, 4] : [2, 1, 3, 0, 4]).reshape([3, n * heads, l, d])
        let out = compositeAttention(all[0], all[1], all[2], mask: mask, causal: causal, scale: scale)
        return out.reshape([n, heads, l, d]).permute(batchFirst ? [0, 2, 1, 3] : [2, 0, 1, 3]).reshape(batchFirst ? [n, l, width] : [l, n, width])
    }

    @Test func packedSelfAttentionMatchesSplitHeads() {
        let g = Generator(seed: 9)
        // (N, L, E, heads, batchFirst, mask shape or nil, causal)
        let cases: [(Int, Int, Int, Int, Bool, [Int]?, Bool)] = [
            (2, 5, 8, 2, true, nil, true), (3, 4, 12, 3, false, nil, false), (2, 6, 8, 4, true, [1, 6, 6], false),
            (2, 5, 8, 2, false, [4, 1, 5], false), (1, 9, 4, 1, false, nil, true), (4, 20, 16, 4, true, [20, 20], false),
            (2, 75, 16, 2, true, nil, true), (3, 66, 8, 2, false, nil, true),
            // Heads of 32 features, as the GPT benchmark's: the blocks' products are whole
            // 16-column panels, which Ember's GEMM kernel takes.
            (2, 70, 64, 2, true, nil, true), (2, 70, 64, 2, false, [70, 70], false),
        ]
        for (n, l, e, heads, batchFirst, maskShape, causal) in cases {
            let label = "N\(n) L\(l) E\(e) heads \(heads) batchFirst \(batchFirst) mask \(maskShape.map { "\($0)" } ?? "none") causal \(causal)"
            let x = Tensor.randn(batchFirst ? [n, l, 3 * e] : [l, n, 3 * e], generator: g).requiresGrad_()
            let mask = maskShape.map { Tensor.randn($0, generator: g) }
            let scale = 1 / Double(e / heads).squareRoot()
            let fused = x.packedSelfAttention(numHeads: heads, batchFirst: batchFirst, mask: mask, isCausal: causal, scale: scale)
            let x2 = x.detach().requiresGrad_()
            let reference = splitAttention(x2, heads: heads, batchFirst: batchFirst, mask: mask, causal: causal, scale: scale)
            assertClose(fused, reference, rtol: 1e-5, atol: 1e-6, "forward \(label)")
            let weights = Tensor.randn(fused.shape, generator: g)
            (fused * weights).sum().backward()
            (reference * weights).sum().backward()
            assertClose(x.grad!, x2.grad!, rtol: 1e-4, atol: 1e-5, "grad \(label)")
        }
    }

    @Test func packedSelfAttentionGradcheck() {
        let g = Generator(seed: 10)
        let mask = Tensor.randn([1, 4, 4], dtype: .float64, generator: g)
        for batchFirst in [true, false] {
            // Two samples of four positions, E = 4 in two heads.
            let inputs = [Tensor.randn(batchFirst ? [2, 4, 12] : [4, 2, 12], dtype: .float64, generator: g).requiresGrad_()]
            let variants: [(String, ([Tensor]) -> Tensor)] = [
                ("causal", { $0[0].packedSelfAttention(numHeads: 2, batchFirst: batchFirst, isCausal: true, scale: 0.5) }),
                ("mask", { $0[0].packedSelfAttention(numHeads: 2, batchFirst: batchFirst, mask: mask, scale: 0.5) }),
            ]
            for (name, f) in variants {
                let first = gradcheck(f, inputs: inputs)
                #expect(first.passed, "\(name) batchFirst \(batchFirst): \(first)")
                let second = gradgradcheck(f, inputs: inputs)
                #expect(second.passed, "\(name) batchFirst \(batchFirst) second order: \(second)")
            }
        }
    }
}
