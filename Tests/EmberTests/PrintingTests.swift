import Ember
import Testing

/// Printing matches PyTorch 1.13's `print(tensor)` (expected strings copied from PyTorch),
/// except that a tensor whose one-line form fits in 80 columns prints on one line.
@Suite struct PrintingTests {
    @Test func summarizesLargeTensorsLikePyTorch() {
        let t = Tensor.arange(0.0, 2000.0).reshape([2, 1000])
        #expect(t.description == """
        tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 9.9700e+02, 9.9800e+02,
                 9.9900e+02],
                [1.0000e+03, 1.0010e+03, 1.0020e+03,  ..., 1.9970e+03, 1.9980e+03,
                 1.9990e+03]])
        """)
    }

    @Test func scientificAndFixedStyles() {
        #expect(Tensor([1e-5, 1.0, 1000.0]).description == "tensor([1.0000e-05, 1.0000e+00, 1.0000e+03])")
        #expect(Tensor([0.1, -2.5, .nan, .infinity]).description == "tensor([ 0.1000, -2.5000,     nan,     inf])")
        #expect(Tensor(scalar: 3.5).description == "tensor(3.5000)")
    }

    @Test func dtypesAndAutogradState() {
        #expect(Tensor([1.5, 2.25], dtype: .float64).description == "tensor([1.5000, 2.2500], dtype=torch.float64)")
        #expect(Tensor([true, false]).description == "tensor([ True, False])")
        #expect(Tensor([[1, 2], [3, 4]]).description == "tensor([[1, 2], [3, 4]])")
        let x = Tensor([1.0, 2.0], requiresGrad: true)
        #expect(x.description == "tensor([1., 2.], requires_grad=True)")
        #expect((x * 2).description == "tensor([2., 4.], grad_fn=<MulBackward0>)")
    }

    @Test func emptyTensors() {
        #expect(Tensor.zeros([0, 3]).description == "tensor([], size=(0, 3))")
        #expect(Tensor.zeros([0]).description == "tensor([])")
    }

    @Test func threeDimensionalTensorsSeparateBlocks() {
        let t = Tensor.arange(0.0, 12.0).reshape([2, 2, 3])
        let long = Tensor.cat([t, t * 1000], dim: 2)
        #expect(long.description.contains("\n\n"))
        #expect(t.description == "tensor([[[ 0.,  1.,  2.], [ 3.,  4.,  5.]], [[ 6.,  7.,  8.], [ 9., 10., 11.]]])")
    }
}
