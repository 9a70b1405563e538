import Ember
import EmberTestSupport
import Testing

// The ops a port needs (issue 16, part 3), checked against PyTorch 1.13 values and gradients
// from Tests/Fixtures/porting.safetensors (scripts/make_porting_fixtures.py).

let portingCases: [OpCase] = [
    OpCase("div.floor") { $0[0].div($0[1], roundingMode: .floor) },
    OpCase("div.trunc") { $0[0].div($0[1], roundingMode: .trunc) },
    OpCase("remainder") { $0[0].remainder($0[1]) },
    OpCase("fmod") { $0[0].fmod($0[1]) },
    OpCase("remainder.bcast") { $0[0].remainder($0[1]) },
    OpCase("div.floor_int") { $0[0].div($0[1], roundingMode: .floor) },
    OpCase("div.trunc_int") { $0[0].div($0[1], roundingMode: .trunc) },
    OpCase("remainder.int") { $0[0].remainder($0[1]) },
    OpCase("fmod.int") { $0[0].fmod($0[1]) },
    OpCase("floor_divide.int") { $0[0].floorDivide($0[1]) },
    OpCase("clamp.tensors") { $0[0].clamp(min: $0[1], max: $0[2]) },
    OpCase("clamp.bcast") { $0[0].clamp(min: $0[1], max: $0[2]) },
    OpCase("clamp_min.tensor") { $0[0].clampMin($0[1]) },
    OpCase("clamp_max.tensor") { $0[0].clampMax($0[1]) },
    OpCase("amin.ties") { $0[0].amin(dim: 1) },
    OpCase("amin.dims_keep") { $0[0].amin(dims: [0, 2], keepDim: true) },
    OpCase("aminmax.dim", multi: { let r = $0[0].aminmax(dim: 0); return [r.min, r.max] }),
    OpCase("tril") { $0[0].tril() },
    OpCase("tril.k1") { $0[0].tril(diagonal: 1) },
    OpCase("triu") { $0[0].triu() },
    OpCase("triu.km1") { $0[0].triu(diagonal: -1) },
    OpCase("diag.vector") { $0[0].diag() },
    OpCase("diag.vector_k2") { $0[0].diag(diagonal: 2) },
    OpCase("diag.vector_km1") { $0[0].diag(diagonal: -1) },
    OpCase("diag.matrix") { $0[0].diag() },
    OpCase("diag.matrix_k1") { $0[0].diag(diagonal: 1) },
    OpCase("diag.matrix_km2") { $0[0].diag(diagonal: -2) },
    OpCase("trace") { $0[0].trace() },
    OpCase("normalize") { $0[0].normalize(dim: 1) },
    OpCase("normalize.p1_dim0") { $0[0].normalize(p: 1, dim: 0) },
    OpCase("cosine_similarity") { $0[0].cosineSimilarity($0[1], dim: 1) },
    OpCase("cosine_similarity.bcast") { $0[0].cosineSimilarity($0[1], dim: -1) },
    OpCase("cdist.p2") { $0[0].cdist($0[1]) },
    OpCase("cdist.p1") { $0[0].cdist($0[1], p: 1) },
    OpCase("cdist.batched_p3") { $0[0].cdist($0[1], p: 3) },
    OpCase("einsum.matmul") { Tensor.einsum("ij,jk->ik", $0[0], $0[1]) },
    OpCase("einsum.bmm") { Tensor.einsum("bij,bjk->bik", $0[0], $0[1]) },
    OpCase("einsum.transpose") { Tensor.einsum("ij->ji", $0[0]) },
    OpCase("einsum.dot") { Tensor.einsum("i,i->", $0[0], $0[1]) },
    OpCase("einsum.outer") { Tensor.einsum("i,j->ij", $0[0], $0[1]) },
    OpCase("einsum.attention") { Tensor.einsum("bhqd,bhkd->bhqk", $0[0], $0[1]) },
    OpCase("einsum.sum_dim") { Tensor.einsum("ijk->j", $0[0]) },
    OpCase("einsum.implicit") { Tensor.einsum("ij,jk", $0[0], $0[1]) },
    OpCase("einsum.chain") { Tensor.einsum("ij,jk,kl->il", $0[0], $0[1], $0[2]) },
    OpCase("einsum.diagonal") { Tensor.einsum("ii->i", $0[0]) },
    OpCase("einsum.trace") { Tensor.einsum("ii", $0[0]) },
    OpCase("einsum.batch_diagonal") { Tensor.einsum("bii->bi", $0[0]) },
    OpCase("einsum.diagonal_contract") { Tensor.einsum("iij,jk->ik", $0[0], $0[1]) },
    OpCase("einsum.ellipsis_matmul") { Tensor.einsum("...ij,...jk->...ik", $0[0], $0[1]) },
    OpCase("einsum.ellipsis_broadcast") { Tensor.einsum("...ij,...jk->...ik", $0[0], $0[1]) },
    OpCase("einsum.ellipsis_implicit") { Tensor.einsum("...i,i", $0[0], $0[1]) },
    OpCase("einsum.ellipsis_summed") { Tensor.einsum("...ij->j", $0[0]) },
    OpCase("einsum.ellipsis_middle") { Tensor.einsum("ij...,jk->ik...", $0[0], $0[1]) },
    OpCase("einsum.size1_broadcast") { Tensor.einsum("bij,j->bi", $0[0], $0[1]) },
    OpCase("einsum.bilinear") { Tensor.einsum("bi,oij,bj->bo", $0[0], $0[1], $0[2]) },
    OpCase("isclose") { $0[0].isclose($0[1]) },
    OpCase("isclose.nan_loose") { $0[0].isclose($0[1], rtol: 1e-3, atol: 0, equalNaN: true) },
    OpCase("unique", multi: { let r = $0[0].unique(returnInverse: true, returnCounts: true); return [r.values, r.inverse!, r.counts!] }),
    OpCase("bincount") { $0[0].bincount(minLength: 8) },
    OpCase("bincount.weights") { $0[0].bincount(weights: $0[1]) },
    OpCase("histc") { $0[0].histc(bins: 7, min: -2, max: 2) },
    OpCase("histc.range") { $0[0].histc(bins: 5) },
    OpCase("searchsorted") { $0[0].searchsorted($0[1]) },
    OpCase("searchsorted.right_rows") { $0[0].searchsorted($0[1], right: true) },
]

@Suite struct PortingOpsAgainstPyTorch {
    @Test(arguments: portingCases) func porting(_ c: OpCase) { checkAgainstFixture("porting", c) }
    @Test func tableCoversFixture() { checkFixtureCoverage("porting", portingCases) }

    /// Float64 gradcheck of the differentiable compositions at points away from their kinks.
    @Test func gradchecks() {
        let g = Generator(seed: 5)
        func leaf(_ t: Tensor) -> Tensor { t.detach().requiresGrad_() }
        let x = Tensor.randn([3, 4], dtype: .float64, generator: g), y = Tensor.randn([3, 4], dtype: .float64, generator: g) + 3
        let bound = Tensor.randn([4], dtype: .float64, generator: g)
        let checks: [(String, ([Tensor]) -> Tensor, [Tensor])] = [
            ("remainder", { $0[0].remainder($0[1]) }, [x, y]),
            ("clamp", { $0[0].clamp(min: $0[1], max: $0[1] + 1) }, [x * 3, bound]),
            ("cosineSimilarity", { $0[0].cosineSimilarity($0[1], dim: 1) }, [x, y]),
            ("normalize", { $0[0].normalize(dim: 0) }, [x]),
            ("cdist", { $0[0].cdist($0[1]) }, [x, y]),
            ("einsum", { Tensor.einsum("ij,kj->ik", $0[0], $0[1]) }, [x, y]),
            ("einsum.diagonal", { Tensor.einsum("iij,kj->ik", $0[0], $0[1]) }, [Tensor.randn([3, 3, 4], dtype: .float64, generator: g), y]),
            ("einsum.ellipsis", { Tensor.einsum("...ij,...j->...i", $0[0], $0[1]) }, [Tensor.randn([2, 1, 3, 4], dtype: .float64, generator: g), Tensor.randn([5, 4], dtype: .float64, generator: g)]),
            ("tril.diag", { $0[0].tril(diagonal: 1).diag(diagonal: 1) }, [x]),
        ]
        for (name, f, inputs) in checks {
            let result = gradcheck(f, inputs: inputs.map(leaf))
            #expect(result.passed, "\(name): \(result)")
        }
    }

    @Test func itemAndTolistInTheCallersType() {
        let predicted = Tensor([1, 2, 3, 4] as [Int64]), labels = Tensor([1, 0, 3, 4] as [Int64])
        var correct = 0
        correct += (predicted .== labels).sum().item()
        #expect(correct == 3)
        let loss: Float = Tensor([0.25] as [Float]).item()
        #expect(loss == 0.25)
        let rows: [[Float]] = Tensor([[1, 2], [3, 4]] as [[Float]]).tolist()
        #expect(rows == [[1, 2], [3, 4]])
        let planes: [[[Int64]]] = Tensor.arange(8).reshape(2, 2, 2).tolist()
        #expect(planes == [[[0, 1], [2, 3]], [[4, 5], [6, 7]]])
        let flat: [Double] = Tensor([1.5, 2.5] as [Double]).tolist()
        #expect(flat == [1.5, 2.5])
        let m = Tensor.zeros(4, 3)
        #expect(m.shape == [4, 3] && m.t().shape == [3, 4] && m.ndim == 2 && m.size() == [4, 3])
        #expect(Tensor.randn(2, 5).shape == [2, 5] && Tensor.ones(3).shape == [3] && Tensor.full(2, 2, value: 7).sum().item() == 28)
        #expect(Tensor([3.0] as [Float]).t().shape == [1])
    }

    @Test func closenessAndEquality() {
        let a = Tensor([1, 2, 3] as [Float]), b = Tensor([1, 2, 3.000001] as [Float])
        #expect(a.allclose(b) && !a.equal(b) && a.equal(a.clone()) && !a.equal(a.reshape(3, 1)))
        #expect(!Tensor([Float.nan]).allclose(Tensor([Float.nan])) && Tensor([Float.nan]).allclose(Tensor([Float.nan]), equalNaN: true))
    }

    @Test func whereConditionGivesIndicesPerDimension() {
        let c = Tensor([[0, 1, 0], [1, 0, 1]] as [[Float]])
        let idx = Tensor.where(c .> 0)
        #expect(idx.count == 2 && idx[0].toArray(as: Int64.self) == [0, 1, 1] && idx[1].toArray(as: Int64.self) == [1, 0, 2])
    }

    @Test func setGradEnabledSwitchesRecording() {
        let x = Tensor([1.0] as [Float], requiresGrad: true)
        setGradEnabled(false)
        let off = x * 2
        setGradEnabled(true)
        let on = x * 2
        #expect(!off.requiresGrad && on.requiresGrad)
    }
}

/// `multinomial`: PyTorch's semantics (its random stream is its own, so no fixture): indices
/// in range, the same seed gives the same draws, frequencies follow the weights, and without
/// replacement no index repeats and zero weights are never drawn.
@Suite struct MultinomialTests {
    @Test func frequenciesFollowTheWeights() {
        let weights = Tensor([1, 0, 3, 6] as [Float])
        let draws = weights.multinomial(20000, replacement: true, generator: Generator(seed: 1)).toArray(as: Int64.self)
        let counts = (0..<4).map { c in Double(draws.count(where: { $0 == Int64(c) })) / 20000 }
        #expect(counts[1] == 0)
        for (got, want) in zip(counts, [0.1, 0, 0.3, 0.6]) { #expect(Swift.abs(got - want) < 0.015) }
    }

    @Test func sameSeedSameDraws() {
        let p = Tensor.rand([3, 10], generator: Generator(seed: 2))
        let a = p.multinomial(5, generator: Generator(seed: 7)), b = p.multinomial(5, generator: Generator(seed: 7))
        #expect(a.shape == [3, 5] && a.toArray(as: Int64.self) == b.toArray(as: Int64.self))
    }

    @Test func withoutReplacementNeverRepeats() {
        let p = Tensor([0.5, 0, 0.2, 0.3, 0, 1] as [Float])
        for seed in 0..<50 {
            let draws = p.multinomial(4, generator: Generator(seed: UInt64(seed))).toArray(as: Int64.self)
            #expect(Set(draws).count == 4 && !draws.contains(1) && !draws.contains(4))
        }
    }
}

/// One integer where PyTorch takes an int for a pair gives the pair form's result.
@Suite struct PairShorthandTests {
    @Test func integerFormsMatchPairForms() {
        let x = Tensor.randn([2, 3, 8, 8], generator: Generator(seed: 9)), w = Tensor.randn([4, 3, 3, 3], generator: Generator(seed: 10))
        #expect(maxPool2d(x, kernelSize: 2).equal(maxPool2d(x, kernelSize: (2, 2))))
        #expect(maxPool2dWithIndices(x, kernelSize: 3, stride: 2).1.equal(maxPool2dWithIndices(x, kernelSize: (3, 3), stride: (2, 2)).1))
        #expect(avgPool2d(x, kernelSize: 2, padding: 1).equal(avgPool2d(x, kernelSize: (2, 2), padding: (1, 1))))
        #expect(adaptiveAvgPool2d(x, outputSize: 1).shape == [2, 3, 1, 1])
        #expect(conv2d(x, w, stride: 2, padding: 1).equal(conv2d(x, w, stride: (2, 2), padding: (1, 1))))
    }
}

/// `setNumThreads` / `numThreads` (PyTorch: `torch.set_num_threads`, `get_num_threads`):
/// results do not depend on the thread count.
@Suite(.serialized) struct NumThreadsTests {
    @Test func oneThreadGivesTheSameResults() {
        let before = numThreads
        defer { setNumThreads(before) }
        let g = Generator(seed: 21)
        let a = Tensor.randn([300, 200], generator: g), b = Tensor.randn([200, 100], generator: g)
        let x = Tensor.randn([1 << 17], generator: g)
        let reference = (a.matmul(b), x.sum())
        setNumThreads(1)
        #expect(numThreads == 1)
        #expect(a.matmul(b).allclose(reference.0, rtol: 1e-5, atol: 1e-4))
        #expect(x.sum().allclose(reference.1, rtol: 1e-5, atol: 1e-3))
        setNumThreads(before)
        #expect(numThreads == before)
    }
}
