import Foundation
import Testing
import EmberOptim
import EmberTestSupport

/// `Tests/Fixtures/optim_clip.safetensors`.
let clipFile = FixtureFile("optim_clip")

let clipCases: [String: (maxNorm: Double, normType: Double)] = [
    "norm2": (1.0, 2), "norm2_noclip": (100.0, 2), "norm1": (2.0, 1),
    "norm_inf": (0.5, .infinity), "norm3": (0.7, 3), "norm_half": (5.0, 0.5),
]

@Suite struct ClipGradTests {
    /// Fresh parameters holding the fixture's gradients.
    func parameters() -> [Tensor] {
        (0..<3).map { i in
            let g = clipFile.tensors["clip.g\(i)"]!
            let p = Tensor.zerosLike(g).requiresGrad_()
            p.grad = g.clone()
            return p
        }
    }

    @Test func fixtureNamesTheSameCases() {
        #expect(clipFile.error == nil, "\(clipFile.error ?? "")")
        #expect(clipFile.caseNames() == clipCases.keys.sorted())
    }

    @Test(arguments: clipCases.keys.sorted())
    func clipGradNormMatchesPyTorch(_ name: String) throws {
        let (maxNorm, normType) = clipCases[name]!
        let params = parameters()
        let norm = try clipGradNorm_(params, maxNorm: maxNorm, normType: normType)
        assertClose(norm, clipFile.tensors["\(name).norm"]!, rtol: 1e-12, atol: 0, "\(name) total norm")
        for (i, p) in params.enumerated() {
            assertClose(p.grad!, clipFile.tensors["\(name).g\(i)"]!, rtol: 1e-12, atol: 1e-15, "\(name) g\(i)")
        }
    }

    @Test func clipGradValueMatchesPyTorch() {
        let params = parameters()
        clipGradValue_(params, clipValue: 0.3)
        for (i, p) in params.enumerated() { assertClose(p.grad!, clipFile.tensors["value.g\(i)"]!, rtol: 0, atol: 0) }
    }

    @Test func nonFiniteNormThrowsAndLeavesGradientsAlone() {
        let params = parameters()
        params[1].grad = Tensor([1.0, .infinity, 2.0, 0, 0, 0, 0], dtype: .float64)
        let before = params[0].grad!.toArray(as: Double.self)
        #expect(throws: NonFiniteNormError.self) { try clipGradNorm_(params, maxNorm: 1, errorIfNonfinite: true) }
        #expect(params[0].grad!.toArray(as: Double.self) == before)
        params[1].grad = Tensor([1.0, .nan, 2.0, 0, 0, 0, 0], dtype: .float64)
        do {
            try clipGradNorm_(params, maxNorm: 1, normType: .infinity, errorIfNonfinite: true)
            Issue.record("expected NonFiniteNormError")
        } catch {
            #expect(error.normType == .infinity)
            #expect(error.description.contains("non-finite"))
        }
        // Without the flag PyTorch scales by the non-finite norm anyway.
        let norm = try? clipGradNorm_(params, maxNorm: 1)
        #expect(norm?.item().isNaN == true)
    }

    @Test func noGradientsGiveZero() throws {
        let norm = try clipGradNorm_([Tensor([1.0], requiresGrad: true)], maxNorm: 1)
        #expect(norm.item() == 0)
    }

    @Test func parameterVectorRoundTrip() {
        let w = Tensor([[1.0, 2.0], [3.0, 4.0]], requiresGrad: true), b = Tensor([5.0], requiresGrad: true)
        let v = parametersToVector([w, b])
        #expect(v.toArray() == [1, 2, 3, 4, 5])
        vectorToParameters(v * 2, [w, b])
        #expect(w.toArray() == [2, 4, 6, 8])
        #expect(b.toArray() == [10])
        #expect(w.requiresGrad && w.isLeaf)
    }
}
