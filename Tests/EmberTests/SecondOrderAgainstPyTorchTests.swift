import Ember
import EmberTestSupport
import Testing

// Second derivatives (backward with `createGraph: true`, then backward again) checked against
// PyTorch 1.13's double backward, from Tests/Fixtures/grad2.safetensors.

let secondOrderCases: [OpCase] = [
    OpCase("tanh") { $0[0].tanh() },
    OpCase("sigmoid") { $0[0].sigmoid() },
    OpCase("exp") { $0[0].exp() },
    OpCase("log") { $0[0].log() },
    OpCase("sqrt") { $0[0].sqrt() },
    OpCase("gelu") { $0[0].gelu() },
    OpCase("silu") { $0[0].silu() },
    OpCase("softplus") { $0[0].softplus() },
    OpCase("mul") { $0[0] * $0[1] },
    OpCase("div") { $0[0] / $0[1] },
    OpCase("pow") { $0[0].pow($0[1]) },
    OpCase("matmul") { $0[0].matmul($0[1]) },
    OpCase("softmax") { $0[0].softmax(dim: -1) },
    OpCase("log_softmax") { $0[0].logSoftmax(dim: 0) },
    OpCase("logsumexp") { $0[0].logsumexp(dim: 1) },
    OpCase("var") { $0[0].variance(dim: 1) },
    OpCase("norm.p2") { $0[0].norm(p: 2, dims: [1]) },
    OpCase("norm.p3") { $0[0].norm(p: 3, dims: [1]) },
    OpCase("prod") { $0[0].prod(dims: [1]) },
    OpCase("prod.zeros") { $0[0].prod(dims: [1]) },          // rows with one and two zeros
    OpCase("max.dim") { $0[0].max(dim: 1).values.pow(2) },
    OpCase("slice.cat") { x in Tensor.cat([x[0].slice(1, 0, 4, step: 2).pow(2), x[0].narrow(1, start: 1, length: 1).exp()], dim: 1) },
]

@Suite struct SecondOrderAgainstPyTorch {
    @Test(arguments: secondOrderCases) func secondOrder(_ c: OpCase) { checkSecondOrderAgainstFixture("grad2", c) }
    @Test func tableCoversFixture() { checkFixtureCoverage("grad2", secondOrderCases) }
}
