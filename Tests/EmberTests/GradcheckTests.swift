import Testing
@testable import Ember

/// One differentiable op under gradcheck: a name, the function, and how to make its inputs.
struct GradcheckCase: CustomStringConvertible, Sendable {
    let description: String
    let shapes: [[Int]]
    let layout: Layout
    let f: @Sendable ([Tensor]) -> Tensor

    enum Layout: Sendable { case contiguous, transposed, positive }

    init(_ name: String, _ shapes: [[Int]], _ layout: Layout = .contiguous, _ f: @escaping @Sendable ([Tensor]) -> Tensor) {
        description = name
        self.shapes = shapes
        self.layout = layout
        self.f = f
    }

    /// float64 inputs that require grad; `.transposed` builds each as the transpose of a
    /// contiguous tensor so the op sees non-contiguous strides.
    func makeInputs() -> [Tensor] {
        let g = Generator(seed: 42)
        return shapes.map { shape in
            switch layout {
            case .contiguous:
                return Tensor.randn(shape, dtype: .float64, generator: g).requiresGrad_()
            case .positive:
                return (Tensor.rand(shape, dtype: .float64, generator: g) + 0.5).detach().requiresGrad_()
            case .transposed:
                let base = Tensor.randn(Array(shape.reversed()), dtype: .float64, generator: g)
                return base.permute(Array((0..<shape.count).reversed())).requiresGrad_()
            }
        }
    }
}

let gradcheckCases: [GradcheckCase] = [
    GradcheckCase("add broadcast", [[3, 1, 4], [2, 4]]) { $0[0] + $0[1] },
    GradcheckCase("sub transposed", [[3, 4], [3, 4]], .transposed) { $0[0] - $0[1] },
    GradcheckCase("mul broadcast", [[3, 4], [4]]) { $0[0] * $0[1] },
    GradcheckCase("div", [[3, 4], [3, 4]], .positive) { $0[0] / $0[1] },
    GradcheckCase("scalar ops", [[5]]) { (2.0 - $0[0] * 3.0) / 4.0 + 1.0 },
    GradcheckCase("pow tensor", [[4], [4]], .positive) { $0[0].pow($0[1]) },
    GradcheckCase("pow scalar", [[4]], .positive) { $0[0].pow(2.5) },
    GradcheckCase("maximum", [[3, 4], [4]]) { $0[0].maximum($0[1]) },
    GradcheckCase("minimum", [[3, 4], [3, 4]], .transposed) { $0[0].minimum($0[1]) },
    GradcheckCase("neg abs", [[6]]) { $0[0].neg().abs() },
    GradcheckCase("exp", [[2, 3]], .transposed) { $0[0].exp() },
    GradcheckCase("log", [[2, 3]], .positive) { $0[0].log() },
    GradcheckCase("log1p expm1", [[5]], .positive) { $0[0].log1p() + $0[0].expm1() },
    GradcheckCase("sqrt rsqrt", [[5]], .positive) { $0[0].sqrt() + $0[0].rsqrt() },
    GradcheckCase("reciprocal square", [[5]], .positive) { $0[0].reciprocal() + $0[0].square() },
    GradcheckCase("sin cos", [[5]]) { $0[0].sin() * $0[0].cos() },
    GradcheckCase("tanh", [[3, 4]], .transposed) { $0[0].tanh() },
    GradcheckCase("sigmoid", [[7]]) { $0[0].sigmoid() },
    GradcheckCase("relu", [[7]]) { $0[0].relu() },
    GradcheckCase("leakyRelu", [[7]]) { $0[0].leakyRelu(negativeSlope: 0.2) },
    GradcheckCase("elu", [[7]]) { $0[0].elu(alpha: 1.5) },
    GradcheckCase("gelu exact", [[7]]) { $0[0].gelu() },
    GradcheckCase("gelu tanh", [[7]]) { $0[0].gelu(approximate: "tanh") },
    GradcheckCase("silu", [[7]]) { $0[0].silu() },
    GradcheckCase("softplus", [[7]]) { $0[0].softplus(beta: 2) },
    GradcheckCase("clamp", [[7]]) { $0[0].clamp(min: -0.5, max: 0.5) },
    GradcheckCase("erf", [[7]]) { $0[0].erf() },
    GradcheckCase("sum all", [[3, 4]], .transposed) { $0[0].sum() },
    GradcheckCase("sum dims keepDim", [[2, 3, 4]]) { $0[0].sum(dims: [0, 2], keepDim: true) },
    GradcheckCase("sum leading dims", [[3, 2, 4]]) { $0[0].sum(dims: [0, 1]) },
    GradcheckCase("mean dim", [[3, 4]]) { $0[0].mean(dim: 1) },
    GradcheckCase("prod", [[3, 4]], .positive) { $0[0].prod(dims: [1]) },
    GradcheckCase("max dim", [[3, 4]]) { $0[0].max(dim: 1).values },
    GradcheckCase("min dim keepDim", [[3, 4]], .transposed) { $0[0].min(dim: 0, keepDim: true).values },
    GradcheckCase("max all", [[3, 4]]) { $0[0].max() },
    GradcheckCase("amax", [[3, 4]]) { $0[0].amax(dims: [1]) },
    GradcheckCase("var", [[3, 5]]) { $0[0].variance(dim: 1) },
    GradcheckCase("std", [[3, 5]], .transposed) { $0[0].std(dim: 0, correction: 0) },
    GradcheckCase("logsumexp", [[3, 5]]) { $0[0].logsumexp(dim: 1) },
    GradcheckCase("softmax last", [[3, 5]]) { $0[0].softmax(dim: -1) },
    GradcheckCase("softmax first", [[3, 5]], .transposed) { $0[0].softmax(dim: 0) },
    GradcheckCase("logSoftmax", [[3, 5]]) { $0[0].logSoftmax(dim: 1) },
    GradcheckCase("norm 2", [[3, 4]]) { $0[0].norm() },
    GradcheckCase("norm 1 dim", [[3, 4]]) { $0[0].norm(p: 1, dims: [1]) },
    GradcheckCase("norm 3", [[3, 4]]) { $0[0].norm(p: 3, dims: [0]) },
    GradcheckCase("norm inf", [[3, 4]]) { $0[0].norm(p: .infinity) },
    GradcheckCase("cumsum", [[3, 4]]) { $0[0].cumsum(dim: 1) },
    GradcheckCase("mm", [[3, 4], [4, 2]]) { $0[0].mm($0[1]) },
    GradcheckCase("mm transposed", [[3, 4], [4, 2]], .transposed) { $0[0].mm($0[1]) },
    GradcheckCase("bmm", [[2, 3, 4], [2, 4, 2]]) { $0[0].bmm($0[1]) },
    GradcheckCase("matmul vv", [[4], [4]]) { $0[0].matmul($0[1]) },
    GradcheckCase("matmul vm", [[4], [4, 3]]) { $0[0].matmul($0[1]) },
    GradcheckCase("matmul mv", [[3, 4], [4]]) { $0[0].matmul($0[1]) },
    GradcheckCase("matmul batched broadcast", [[2, 1, 3, 4], [3, 4, 2]]) { $0[0].matmul($0[1]) },
    GradcheckCase("matmul batch x matrix", [[2, 3, 4], [4, 2]]) { $0[0].matmul($0[1]) },
    GradcheckCase("addmm", [[2], [3, 4], [4, 2]]) { $0[0].addmm($0[1], $0[2], beta: 0.5, alpha: 2) },
    GradcheckCase("linear", [[3, 4], [5, 4], [5]]) { $0[0].linear(weight: $0[1], bias: $0[2]) },
    GradcheckCase("linear 3-d no bias", [[2, 3, 4], [5, 4]]) { $0[0].linear(weight: $0[1]) },
    GradcheckCase("linear transposed input", [[3, 4], [5, 4], [5]], .transposed) { $0[0].linear(weight: $0[1], bias: $0[2]) },
    GradcheckCase("outer dot", [[3], [3]]) { $0[0].outer($0[1]).sum() + $0[0].dot($0[1]) },
    GradcheckCase("view reshape", [[3, 4]]) { $0[0].view([4, 3]).reshape([2, 6]) * 2 },
    GradcheckCase("reshape of transposed", [[3, 4]], .transposed) { $0[0].reshape([12]) },
    GradcheckCase("flatten unflatten", [[2, 3, 4]]) { $0[0].flatten(startDim: 1).unflatten(1, [4, 3]) },
    GradcheckCase("squeeze unsqueeze", [[3, 1, 4]]) { $0[0].squeeze().unsqueeze(0) * 3 },
    GradcheckCase("permute T mT", [[2, 3, 4]]) { $0[0].permute([2, 0, 1]).mT + $0[0].T },
    GradcheckCase("expand", [[3, 1]]) { $0[0].expand([2, 3, 4]) * 1.5 },
    GradcheckCase("narrow select", [[4, 5]]) { $0[0].narrow(1, start: 1, length: 3).select(0, 2) },
    GradcheckCase("subscript slicing", [[4, 5]]) { $0[0][1..<3, 0...] * $0[0][0..<2, 0...] },
    GradcheckCase("slice step", [[4, 7]]) { $0[0].slice(1, 1, 7, step: 2) },
    GradcheckCase("chunk split unbind", [[4, 6]]) { a in
        let c = a[0].chunk(3, dim: 1), s = a[0].split(sizes: [1, 3], dim: 0), u = a[0].unbind(0)
        return c[0] * c[2] + s[1].sum() + u[3].sum()
    },
    GradcheckCase("cat stack", [[2, 3], [2, 3]]) { Tensor.cat([$0[0], $0[1] * 2], dim: 1).sum(dim: 0) + Tensor.stack([$0[0], $0[1]], dim: 2).sum(dims: [0]).reshape([6]) },
    GradcheckCase("flip repeat", [[2, 3]]) { $0[0].flip([1]).repeat([2, 2]) },
    GradcheckCase("contiguous clone", [[3, 4]], .transposed) { $0[0].contiguous().clone() * 2 },
    GradcheckCase("gather", [[3, 4]]) { $0[0].gather(1, Tensor([[0, 3], [1, 1], [2, 0]] as [[Int]])) },
    GradcheckCase("scatter", [[3, 4], [3, 2]]) { $0[0].scatter(1, Tensor([[0, 3], [1, 2], [2, 0]] as [[Int]]), $0[1]) },
    GradcheckCase("scatterAdd", [[3, 4], [3, 2]]) { $0[0].scatterAdd(1, Tensor([[0, 0], [1, 2], [3, 3]] as [[Int]]), $0[1]) },
    GradcheckCase("indexSelect", [[4, 3]]) { $0[0].indexSelect(0, Tensor([3, 0, 3] as [Int])) },
    GradcheckCase("indexAdd", [[4, 3], [2, 3]]) { $0[0].indexAdd(0, Tensor([1, 1] as [Int]), $0[1], alpha: 2) },
    GradcheckCase("index by tensor", [[4, 3]]) { $0[0][Tensor([[1, 2], [0, 0]] as [[Int]])] },
    GradcheckCase("maskedFill", [[2, 3]]) { $0[0].maskedFill(Tensor([[true, false, true], [false, false, true]]), -1) },
    GradcheckCase("maskedSelect", [[2, 3]]) { $0[0].maskedSelect(Tensor([true, false, true])) },
    GradcheckCase("where", [[2, 3], [3]]) { Tensor.where($0[0] .> 0, $0[0], $0[1]) },
    GradcheckCase("sort", [[3, 4]]) { $0[0].sort(dim: 1).values },
    GradcheckCase("topk", [[3, 5]]) { $0[0].topk(2, dim: 1).values },
    GradcheckCase("cast roundtrip", [[4]]) { $0[0].to(.float32).to(.float64) * 1 },
]

@Test(arguments: gradcheckCases)
func gradcheckOp(_ c: GradcheckCase) {
    let inputs = c.makeInputs()
    // Casting through float32 rounds each value to 24 bits, so that case needs a larger step.
    let isCast = c.description == "cast roundtrip"
    let result = gradcheck(c.f, inputs: inputs, eps: isCast ? 1e-2 : 1e-6, atol: 1e-5, rtol: 1e-3)
    #expect(result.passed, "\(c.description): \(result)")
}

let gradgradCases: [GradcheckCase] = [
    GradcheckCase("mul", [[3], [3]]) { $0[0] * $0[1] * $0[0] },
    GradcheckCase("exp tanh sigmoid", [[4]]) { $0[0].exp() + $0[0].tanh() + $0[0].sigmoid() },
    GradcheckCase("softmax", [[2, 4]]) { $0[0].softmax(dim: 1) },
    GradcheckCase("logSoftmax", [[2, 4]]) { $0[0].logSoftmax(dim: 1) },
    GradcheckCase("matmul", [[2, 3], [3, 2]]) { $0[0].matmul($0[1]).square() },
    GradcheckCase("slicing", [[4, 3]]) { $0[0][1..<3].square() },
    GradcheckCase("div log", [[4]], .positive) { ($0[0] / ($0[0] + 1)).log() },
    GradcheckCase("sum mean", [[3, 4]]) { $0[0].square().sum(dim: 1) + $0[0].exp().mean(dim: 1) },
    GradcheckCase("var std", [[3, 4]]) { $0[0].var(dim: 1) + $0[0].std(dim: 1) },
    GradcheckCase("logsumexp", [[3, 4]]) { $0[0].logsumexp(dim: 1) },
    GradcheckCase("max amax", [[3, 4]]) { $0[0].max(dim: 1).values.square() + $0[0].amax(dims: [1]).exp() },
    GradcheckCase("norm", [[3, 4]]) { $0[0].norm(dims: [1]) },
    GradcheckCase("bmm", [[2, 2, 3], [2, 3, 2]]) { $0[0].bmm($0[1]).tanh() },
    GradcheckCase("broadcast mul pow", [[3, 1], [4]]) { ($0[0] * $0[1]).pow(3) },
    GradcheckCase("linear", [[2, 3], [2, 3], [2]]) { $0[0].linear(weight: $0[1], bias: $0[2]).square() },
]

@Test(arguments: gradgradCases)
func gradgradcheckOp(_ c: GradcheckCase) {
    let result = gradgradcheck(c.f, inputs: c.makeInputs())
    #expect(result.passed, "\(c.description): \(result)")
}
