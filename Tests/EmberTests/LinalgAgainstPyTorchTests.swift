import Ember
import EmberTestSupport
import Testing

// Matrix products checked against PyTorch 1.13, from Tests/Fixtures/linalg.safetensors.

let linalgCases: [OpCase] = [
    OpCase("matmul.1d_1d") { $0[0].matmul($0[1]) },
    OpCase("matmul.2d_2d") { $0[0].matmul($0[1]) },
    OpCase("matmul.1d_2d") { $0[0].matmul($0[1]) },
    OpCase("matmul.2d_1d") { $0[0].matmul($0[1]) },
    OpCase("matmul.batched_2d") { $0[0].matmul($0[1]) },      // [2, 3, 4, 5]·[5, 6]
    OpCase("matmul.bcast_batch") { $0[0].matmul($0[1]) },     // [2, 1, 3, 4]·[3, 4, 5]
    OpCase("matmul.batched_1d") { $0[0].matmul($0[1]) },      // [2, 3, 4]·[4]
    OpCase("matmul.1d_batched") { $0[0].matmul($0[1]) },      // [4]·[2, 4, 5]
    OpCase("matmul.2d_batched") { $0[0].matmul($0[1]) },      // [3, 4]·[2, 4, 5]
    OpCase("matmul.transposed_batch") { $0[0].transpose(-1, -2).matmul($0[1]) },
    OpCase("matmul.f32") { $0[0].matmul($0[1]) },
    OpCase("matmul.f32_batched") { $0[0].matmul($0[1]) },
    OpCase("mm.plain") { $0[0].mm($0[1]) },
    OpCase("mm.ta") { $0[0].transpose(0, 1).mm($0[1]) },
    OpCase("mm.tb") { $0[0].mm($0[1].transpose(0, 1)) },
    OpCase("mm.tab") { $0[0].transpose(0, 1).mm($0[1].transpose(0, 1)) },
    OpCase("mm.sliced") { $0[0].slice(1, 0, 8, step: 2).mm($0[1]) },
    OpCase("bmm.plain") { $0[0].bmm($0[1]) },
    OpCase("bmm.tb") { $0[0].bmm($0[1].transpose(1, 2)) },
    OpCase("addmm.plain") { $0[0].addmm($0[1], $0[2]) },
    OpCase("addmm.beta_alpha") { $0[0].addmm($0[1], $0[2], beta: 0.5, alpha: 2) },
    OpCase("addmm.bias") { $0[0].addmm($0[1], $0[2]) },
    OpCase("outer") { $0[0].outer($0[1]) },
    OpCase("dot") { $0[0].dot($0[1]) },
]

@Suite struct LinalgAgainstPyTorch {
    @Test(arguments: linalgCases) func linalg(_ c: OpCase) { checkAgainstFixture("linalg", c) }
    @Test func tableCoversFixture() { checkFixtureCoverage("linalg", linalgCases) }
}
