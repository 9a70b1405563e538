import Ember
import EmberTestSupport
import Testing

// Indexing and shape ops checked against PyTorch 1.13, from
// Tests/Fixtures/{indexing,shape}.safetensors.

let indexingCases: [OpCase] = [
    OpCase("gather.dim0") { $0[0].gather(0, $0[1]) },
    OpCase("gather.dim1") { $0[0].gather(1, $0[1]) },
    OpCase("gather.repeated") { $0[0].gather(1, $0[1]) },
    OpCase("scatter.dim0") { $0[0].scatter(0, $0[1], $0[2]) },
    OpCase("scatter.dim1") { $0[0].scatter(1, $0[1], $0[2]) },
    OpCase("scatter_add.dim0") { $0[0].scatterAdd(0, $0[1], $0[2]) },
    OpCase("scatter_add.dim1") { $0[0].scatterAdd(1, $0[1], $0[2]) },
    OpCase("index_select.dim0") { $0[0].indexSelect(0, $0[1]) },
    OpCase("index_select.dim1") { $0[0].indexSelect(1, $0[1]) },
    OpCase("index_add.dim0") { $0[0].indexAdd(0, $0[1], $0[2]) },
    OpCase("index_add.dim1_alpha") { $0[0].indexAdd(1, $0[1], $0[2], alpha: 2.5) },
    OpCase("masked_fill.full") { $0[0].maskedFill($0[1], -1.5) },
    OpCase("masked_fill.bcast") { $0[0].maskedFill($0[1], 7) },
    OpCase("where.full") { Tensor.where($0[0], $0[1], $0[2]) },
    OpCase("where.bcast") { Tensor.where($0[0], $0[1], $0[2]) },
]

let shapeCases: [OpCase] = [
    OpCase("cat.dim0") { Tensor.cat([$0[0], $0[1], $0[2]], dim: 0) },
    OpCase("cat.dim1") { Tensor.cat([$0[0], $0[1]], dim: 1) },
    OpCase("cat.dim_neg1_3d") { Tensor.cat([$0[0], $0[1]], dim: -1) },
    OpCase("cat.transposed") { Tensor.cat([$0[0].transpose(0, 1), $0[1]], dim: 0) },
    OpCase("stack.dim0") { Tensor.stack([$0[0], $0[1], $0[2]], dim: 0) },
    OpCase("stack.dim_neg1") { Tensor.stack([$0[0], $0[1]], dim: -1) },
    OpCase("flip.dim0") { $0[0].flip([0]) },
    OpCase("flip.dims01") { $0[0].flip([0, 1]) },
    OpCase("repeat.more_dims") { $0[0].repeat([2, 1, 3]) },
    OpCase("repeat.same_dims") { $0[0].repeat([3, 2]) },
    OpCase("expand.lead") { $0[0].expand([2, 3, 4]) },
    OpCase("expand.keep") { $0[0].expand([-1, 5]) },
    OpCase("narrow.dim1") { $0[0].narrow(1, start: 1, length: 2) },
    OpCase("select.dim1") { $0[0].select(1, 2) },
    OpCase("select.neg") { $0[0].select(0, -1) },
    OpCase("slice.step") { $0[0].slice(0, 1, 6, step: 2) },
    OpCase("slice.step_dim1") { $0[0].slice(1, 0, 5, step: 2) },
    OpCase("slice.neg_start") { $0[0][TensorIndex.all, (-3)...] },
    OpCase("subscript.int_range") { $0[0][0, 1..<3] },
    OpCase("subscript.range_int") { $0[0][1..<3, 2] },
    OpCase("permute.201") { $0[0].permute([2, 0, 1]) },
    OpCase("transpose.02") { $0[0].transpose(0, 2) },
    OpCase("reshape.view") { $0[0].reshape([4, 6]) },
    OpCase("reshape.infer") { $0[0].reshape([-1, 2]) },
    OpCase("reshape.copy") { $0[0].transpose(0, 1).reshape([-1]) },
    OpCase("unflatten.dim1") { $0[0].unflatten(1, [2, 4]) },
    OpCase("squeeze_unsqueeze") { $0[0].squeeze(1).unsqueeze(0) },
    OpCase("permute.then_mul") { $0[0].permute([1, 0, 2]) * $0[1] },
    OpCase("flip.then_exp") { $0[0].flip([1]).exp() },
]

@Suite struct IndexingAgainstPyTorch {
    @Test(arguments: indexingCases) func indexing(_ c: OpCase) { checkAgainstFixture("indexing", c) }
    @Test(arguments: shapeCases) func shape(_ c: OpCase) { checkAgainstFixture("shape", c) }

    @Test func tablesCoverFixtures() {
        checkFixtureCoverage("indexing", indexingCases)
        checkFixtureCoverage("shape", shapeCases)
    }
}
