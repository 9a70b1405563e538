import Ember
import EmberTestSupport
import Testing

// Sorting, arg-reductions and dtype casts checked against PyTorch 1.13, from
// Tests/Fixtures/{sort,cast}.safetensors.

private func pair(_ r: (values: Tensor, indices: Tensor)) -> [Tensor] { [r.values, r.indices] }

let sortCases: [OpCase] = [
    OpCase("sort.dim_neg1", multi: { pair($0[0].sort(dim: -1)) }),
    OpCase("sort.desc", multi: { pair($0[0].sort(dim: -1, descending: true)) }),
    OpCase("sort.dim0", multi: { pair($0[0].sort(dim: 0)) }),
    OpCase("sort.nan", multi: { pair($0[0].sort(dim: -1)) }),
    OpCase("sort.nan_desc", multi: { pair($0[0].sort(dim: -1, descending: true)) }),
    OpCase("sort.stable", multi: { pair($0[0].sort(dim: -1)) }),
    OpCase("sort.stable_desc", multi: { pair($0[0].sort(dim: -1, descending: true)) }),
    OpCase("argsort.stable") { $0[0].argsort(dim: -1) },
    OpCase("argsort.stable_desc") { $0[0].argsort(dim: -1, descending: true) },
    OpCase("argsort.dim0") { $0[0].argsort(dim: 0) },
    OpCase("topk.k2", multi: { pair($0[0].topk(2)) }),
    OpCase("topk.smallest", multi: { pair($0[0].topk(3, largest: false)) }),
    OpCase("topk.dim0", multi: { pair($0[0].topk(2, dim: 0)) }),
    OpCase("argmax.dim1") { $0[0].argmax(dim: 1) },
    OpCase("argmax.all") { $0[0].argmax() },
    OpCase("argmax.dim0_keep") { $0[0].argmax(dim: 0, keepDim: true) },
    OpCase("argmin.dim1") { $0[0].argmin(dim: 1) },
    OpCase("argmin.all") { $0[0].argmin() },
    OpCase("argmax.random") { $0[0].argmax(dim: -1) },
]

/// Casts must round exactly as PyTorch does, so these compare with zero tolerance.
let castCases: [OpCase] = [
    ("f64_to_i64", DType.int64), ("f32_to_i64", .int64), ("f32_to_f16", .float16), ("f64_to_f16", .float16),
    ("f32_to_bf16", .bfloat16), ("f64_to_bf16", .bfloat16), ("f16_to_f32", .float32), ("bf16_to_f32", .float32),
    ("f64_to_f32", .float32), ("i64_to_f32", .float32), ("i64_to_f64", .float64), ("f64_to_bool", .bool),
    ("bool_to_f32", .float32), ("f32_to_f64", .float64),
].map { name, dtype in OpCase(name, rtol: 0, atol: 0) { $0[0].to(dtype) } } + [
    OpCase("f64_to_f32_grad", rtol: 0, atol: 0) { $0[0].to(.float32) * 2 },
]

@Suite struct SortAndCastAgainstPyTorch {
    @Test(arguments: sortCases) func sort(_ c: OpCase) { checkAgainstFixture("sort", c) }
    @Test(arguments: castCases) func cast(_ c: OpCase) { checkAgainstFixture("cast", c) }

    @Test func tablesCoverFixtures() {
        checkFixtureCoverage("sort", sortCases)
        checkFixtureCoverage("cast", castCases)
    }
}
