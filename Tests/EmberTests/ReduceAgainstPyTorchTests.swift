import Ember
import EmberTestSupport
import Testing

// Reductions and softmax checked against PyTorch 1.13 (values, indices and gradients), from
// Tests/Fixtures/{reduce,softmax}.safetensors.

private func extreme(_ isMax: Bool, _ x: Tensor, dim: Int, keepDim: Bool = false) -> [Tensor] {
    let r = isMax ? x.max(dim: dim, keepDim: keepDim) : x.min(dim: dim, keepDim: keepDim)
    return [r.values, r.indices]
}

let reduceCases: [OpCase] = [
    OpCase("sum.all") { $0[0].sum() },
    OpCase("sum.dim1_keep") { $0[0].sum(dim: 1, keepDim: true) },
    OpCase("sum.dims02") { $0[0].sum(dims: [0, 2]) },
    OpCase("sum.dim0") { $0[0].sum(dim: 0) },
    OpCase("sum.dim_neg1") { $0[0].sum(dim: -1) },
    OpCase("sum.transposed") { $0[0].transpose(0, 2).sum(dim: 1) },
    OpCase("sum.f32") { $0[0].sum() },
    OpCase("sum.f32_dim1") { $0[0].sum(dim: 1) },
    OpCase("mean.all") { $0[0].mean() },
    OpCase("mean.dim1_keep") { $0[0].mean(dim: 1, keepDim: true) },
    OpCase("mean.dims02") { $0[0].mean(dims: [0, 2]) },
    OpCase("mean.f32") { $0[0].mean(dim: -1) },
    OpCase("prod.dim1") { $0[0].prod(dims: [1]) },
    OpCase("prod.dim0_keep") { $0[0].prod(dims: [0], keepDim: true) },
    OpCase("prod.all") { $0[0].prod() },
    OpCase("prod.zeros") { $0[0].prod(dims: [1]) },
    OpCase("amax.dim1") { $0[0].amax(dims: [1]) },
    OpCase("amax.dims02_keep") { $0[0].amax(dims: [0, 2], keepDim: true) },
    OpCase("amax.ties") { $0[0].amax(dims: [1]) },
    OpCase("var.dim1_c0") { $0[0].variance(dim: 1, correction: 0) },
    OpCase("var.dim1_c1") { $0[0].variance(dim: 1, correction: 1) },
    OpCase("std.dim1_c0") { $0[0].std(dim: 1, correction: 0) },
    OpCase("std.dim1_c1") { $0[0].std(dim: 1, correction: 1) },
    OpCase("var.dim0_keep") { $0[0].variance(dim: 0, keepDim: true) },
    OpCase("var.all") { $0[0].variance() },
    OpCase("std.dims02_c0") { $0[0].std(dims: [0, 2], correction: 0) },
    OpCase("var.f32") { $0[0].variance(dim: 1) },
    OpCase("logsumexp.dim1") { $0[0].logsumexp(dim: 1) },
    OpCase("logsumexp.dims02") { $0[0].logsumexp(dims: [0, 2]) },
    OpCase("logsumexp.large") { $0[0].logsumexp(dim: -1) },
    OpCase("logsumexp.keep") { $0[0].logsumexp(dim: 0, keepDim: true) },
    OpCase("norm.p2") { $0[0].norm(p: 2) },
    OpCase("norm.p1") { $0[0].norm(p: 1) },
    OpCase("norm.pinf") { $0[0].norm(p: .infinity) },
    OpCase("norm.p3") { $0[0].norm(p: 3) },
    OpCase("norm.p2_dim1") { $0[0].norm(p: 2, dims: [1]) },
    OpCase("norm.p1_dim1") { $0[0].norm(p: 1, dims: [1]) },
    OpCase("norm.pinf_dim1") { $0[0].norm(p: .infinity, dims: [1]) },
    OpCase("norm.p3_dim1") { $0[0].norm(p: 3, dims: [1]) },
    OpCase("norm.p2_zero_row") { $0[0].norm(p: 2, dims: [1]) },
    OpCase("norm.p3_zero_row") { $0[0].norm(p: 3, dims: [1]) },
    OpCase("norm.p2_all_zero") { $0[0].norm() },
    OpCase("cumsum.dim0") { $0[0].cumsum(dim: 0) },
    OpCase("cumsum.dim1") { $0[0].cumsum(dim: 1) },
    OpCase("cumsum.dim_neg1") { $0[0].cumsum(dim: -1) },
    OpCase("cumsum.f32") { $0[0].cumsum(dim: 1) },
] + [true, false].flatMap { isMax -> [OpCase] in
    let name = isMax ? "max" : "min"
    return [
        OpCase("\(name).dim1", multi: { extreme(isMax, $0[0], dim: 1) }),
        OpCase("\(name).dim0_keep", multi: { extreme(isMax, $0[0], dim: 0, keepDim: true) }),
        OpCase("\(name).dim_neg1", multi: { extreme(isMax, $0[0], dim: -1) }),
        OpCase("\(name).all") { isMax ? $0[0].max() : $0[0].min() },
        OpCase("\(name).all_ties") { isMax ? $0[0].max() : $0[0].min() },
    ]
}

let softmaxCases: [OpCase] = [false, true].flatMap { log -> [OpCase] in
    let name = log ? "log_softmax" : "softmax"
    let f: @Sendable (Tensor, Int) -> Tensor = { log ? $0.logSoftmax(dim: $1) : $0.softmax(dim: $1) }
    return [
        OpCase("\(name).dim0") { f($0[0], 0) },
        OpCase("\(name).dim_neg1") { f($0[0], -1) },
        OpCase("\(name).dim1_3d") { f($0[0], 1) },
        OpCase("\(name).large") { f($0[0], -1) },          // values ~1000
        OpCase("\(name).large_dim0") { f($0[0], 0) },      // values ~-1000
        OpCase("\(name).masked") { f($0[0], -1) },         // some -inf entries
        OpCase("\(name).f32") { f($0[0], -1) },            // rows of 40: the SIMD path
        OpCase("\(name).f32_large") { f($0[0], -1) },
        OpCase("\(name).f32_dim0") { f($0[0], 0) },
    ]
}

@Suite struct ReductionsAgainstPyTorch {
    @Test(arguments: reduceCases) func reduce(_ c: OpCase) { checkAgainstFixture("reduce", c) }
    @Test(arguments: softmaxCases) func softmax(_ c: OpCase) { checkAgainstFixture("softmax", c) }

    @Test func tablesCoverFixtures() {
        checkFixtureCoverage("reduce", reduceCases)
        checkFixtureCoverage("softmax", softmaxCases)
    }
}
