import Ember
import EmberTestSupport
import Testing

// Elementwise ops checked against PyTorch 1.13: forward values and the gradients of
// `(out * w).sum()`, from Tests/Fixtures/{binary,unary}.safetensors
// (made by scripts/make_fixtures.py; each case's inputs are listed there in order).

private let arithmetic: [(String, @Sendable (Tensor, Tensor) -> Tensor)] = [
    ("add", { $0 + $1 }), ("sub", { $0 - $1 }), ("mul", { $0 * $1 }), ("div", { $0 / $1 }),
]

let binaryCases: [OpCase] = arithmetic.flatMap { name, op in
    [
        OpCase("\(name).bcast") { op($0[0], $0[1]) },          // [3, 1, 4] with [2, 4]
        OpCase("\(name).scalar_lhs") { op($0[0], $0[1]) },     // 0-d with [3, 4]
        OpCase("\(name).scalar_rhs") { op($0[0], $0[1]) },     // [3, 4] with 0-d
        OpCase("\(name).transposed") { op($0[0].transpose(0, 1), $0[1]) },
        OpCase("\(name).f32") { op($0[0], $0[1]) },            // float32 [2, 3, 4] with [3, 1]
    ]
} + [
    OpCase("add.alpha") { $0[0].add($0[1], alpha: 2.5) },
    OpCase("sub.alpha") { $0[0].sub($0[1], alpha: -0.5) },
    OpCase("scalar.add") { $0[0] + 1.25 },
    OpCase("scalar.rsub") { 2.0 - $0[0] },
    OpCase("scalar.mul") { $0[0] * -3.5 },
    OpCase("scalar.rdiv") { 2.0 / $0[0] },
    OpCase("scalar.div") { $0[0] / 4.0 },
    OpCase("pow.tensor") { $0[0].pow($0[1]) },
    OpCase("pow.bcast") { $0[0].pow($0[1]) },
    OpCase("pow.scalar3") { $0[0].pow(3.0) },
    OpCase("pow.scalar_half") { $0[0].pow(0.5) },
    OpCase("pow.scalar_neg") { $0[0].pow(-1.5) },
    OpCase("pow.zero_base") { $0[0].pow($0[1]) },
    OpCase("maximum.bcast") { $0[0].maximum($0[1]) },
    OpCase("maximum.ties") { $0[0].maximum($0[1]) },
    OpCase("minimum.bcast") { $0[0].minimum($0[1]) },
    OpCase("minimum.ties") { $0[0].minimum($0[1]) },
]

private let unaryFunctions: [String: @Sendable (Tensor) -> Tensor] = [
    "neg": { $0.neg() }, "abs": { $0.abs() }, "exp": { $0.exp() }, "log": { $0.log() },
    "log1p": { $0.log1p() }, "expm1": { $0.expm1() }, "sqrt": { $0.sqrt() }, "rsqrt": { $0.rsqrt() },
    "reciprocal": { $0.reciprocal() }, "sin": { $0.sin() }, "cos": { $0.cos() }, "tanh": { $0.tanh() },
    "sigmoid": { $0.sigmoid() }, "relu": { $0.relu() }, "leaky_relu": { $0.leakyRelu(negativeSlope: 0.1) },
    "elu": { $0.elu() }, "gelu": { $0.gelu() }, "gelu_tanh": { $0.gelu(approximate: "tanh") },
    "silu": { $0.silu() }, "softplus": { $0.softplus() }, "clamp": { $0.clamp(min: -0.5, max: 0.5) },
    "square": { $0.square() }, "erf": { $0.erf() },
]

/// Case names; the op is the name's first component (`softplus.wide` runs `softplus`).
private let unaryCaseNames = unaryFunctions.keys.sorted() + [
    "log1p.small", "expm1.small", "softplus.wide", "sigmoid.wide", "tanh.wide", "exp.wide",
    "exp.f32", "tanh.f32", "sigmoid.f32", "gelu.f32", "silu.f32", "softplus.f32", "erf.f32", "relu.f32",
    "log.f32", "sqrt.f32",
]

let unaryCases: [OpCase] = unaryCaseNames.map { name in
    let f = unaryFunctions[String(name.split(separator: ".")[0])]!
    return OpCase(name) { f($0[0]) }
} + [
    OpCase("exp.transposed") { $0[0].transpose(0, 1).exp() },
    OpCase("exp.f32_transposed") { $0[0].transpose(0, 1).exp() },
]

@Suite struct ElementwiseAgainstPyTorch {
    @Test(arguments: binaryCases) func binary(_ c: OpCase) { checkAgainstFixture("binary", c) }
    @Test(arguments: unaryCases) func unary(_ c: OpCase) { checkAgainstFixture("unary", c) }

    @Test func tablesCoverFixtures() {
        checkFixtureCoverage("binary", binaryCases)
        checkFixtureCoverage("unary", unaryCases)
    }
}
