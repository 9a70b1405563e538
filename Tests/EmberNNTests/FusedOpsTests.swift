import Ember
import EmberNN
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
            let composite = layerNorm(x2, normalizedShape: [shape.last!], weight: w2, bias: b2, eps: 1e-5)
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

    @Test func fastGeluMatchesGelu() {
        let x = Tensor.linspace(-12, 12, steps: 4001)
        assertClose(x.fastGelu(), x.gelu(), rtol: 1e-5, atol: 1e-7, "float32 forward")
        let xg = x.detach().requiresGrad_(), xr = x.detach().requiresGrad_()
        xg.fastGelu().sum().backward()
        xr.gelu().sum().backward()
        assertClose(xg.grad!, xr.grad!, rtol: 1e-5, atol: 1e-6, "float32 backward")
        let special = Tensor([Float.nan, Float.infinity, 0, -0.0] as [Float]).fastGelu().toArray()
        #expect(special[0].isNaN && special[1] == .infinity && special[2] == 0)
        let g = Generator(seed: 5)
        let inputs = [(Tensor.randn([3, 4], dtype: .float64, generator: g) * 2).detach().requiresGrad_()]
        let first = gradcheck({ $0[0].fastGelu() }, inputs: inputs)
        #expect(first.passed, "\(first)")
        let second = gradgradcheck({ $0[0].fastGelu() }, inputs: inputs)
        #expect(second.passed, "\(second)")
    }
}
