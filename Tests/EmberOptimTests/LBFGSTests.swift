import Foundation
import Testing
import EmberOptim
import EmberTestSupport

/// The LBFGS cases of `scripts/make_optim_fixtures.py`.
let lbfgsCases: [String: @Sendable ([Tensor]) -> LBFGS] = [
    "lbfgs": { LBFGS($0, lr: 0.5, maxIter: 5, historySize: 4) },
    "lbfgs_wolfe": { LBFGS($0, lr: 1, maxIter: 6, historySize: 3, lineSearchFn: .strongWolfe) },
]

@Suite struct LBFGSTests {
    @Test func fixtureNamesTheSameCases() {
        #expect(trajectoryFile.caseNames("lbfgs_cases") == lbfgsCases.keys.sorted())
    }

    /// Four closure steps (several iterations and evaluations each) follow PyTorch: in float64
    /// to 1e-10 throughout. In float32 the first step agrees to 1e-5; after it, the
    /// quasi-Newton updates (curvature pairs, line-search decisions) amplify the float32
    /// rounding differences of the gradients themselves (BLAS summation order) to ~1e-4, so
    /// later float32 steps are checked to 1e-3.
    @Test(arguments: lbfgsCases.keys.sorted(), ["f32", "f64"])
    func matchesPyTorch(_ name: String, _ dt: String) {
        let problem = MLPProblem(dt)
        let optimizer = lbfgsCases[name]!(problem.params)
        for step in 0..<4 {
            let (rtol, atol) = dt == "f64" ? (1e-10, 1e-12) : step == 0 ? (1e-5, 1e-6) : (1e-3, 1e-4)
            optimizer.step(closure: problem.closure(optimizer))
            for (pname, p) in zip(MLPProblem.names, problem.params) {
                guard let expected = trajectoryFixture["\(name).\(dt).\(pname)"] else {
                    Issue.record("fixture lacks \(name).\(dt).\(pname)"); return
                }
                assertClose(p.detach(), expected.select(0, step), rtol: rtol, atol: atol, "\(name) \(dt) \(pname) after step \(step + 1)")
            }
        }
    }

    /// Saved after two steps and loaded into a fresh LBFGS, the run continues bit for bit.
    @Test(arguments: lbfgsCases.keys.sorted())
    func resumesBitwise(_ name: String) throws {
        let a = MLPProblem("f32")
        let optimizerA = lbfgsCases[name]!(a.params)
        for _ in 0..<2 { optimizerA.step(closure: a.closure(optimizerA)) }
        let path = temporaryPath("lbfgs-\(name)")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try save(optimizerA.stateDict(), to: path)
        let b = MLPProblem("f32")
        withNoGrad { for (pb, pa) in zip(b.params, a.params) { pb.copy_(pa) } }
        let optimizerB = lbfgsCases[name]!(b.params)
        try optimizerB.loadStateDict(load(path))
        #expect(optimizerB.nIter == optimizerA.nIter && optimizerB.funcEvals == optimizerA.funcEvals)
        for _ in 0..<2 {
            optimizerA.step(closure: a.closure(optimizerA))
            optimizerB.step(closure: b.closure(optimizerB))
        }
        for (pa, pb) in zip(a.params, b.params) { #expect(bits(pa) == bits(pb)) }
    }

    @Test func badStateIsRejected() {
        let p = MLPProblem("f32")
        let opt = LBFGS(p.params, maxIter: 3)
        opt.step(closure: p.closure(opt))
        let iterations = opt.nIter
        #expect(iterations > 0)
        var d = opt.stateDict()
        d["state.0.d"] = Tensor.zeros([5])
        #expect(throws: OptimizerStateError.self) { try opt.loadStateDict(d) }
        var extra = opt.stateDict()
        extra["state.0.al"] = Tensor.zeros([1])
        #expect(throws: OptimizerStateError.unexpectedKey("state.0.al")) { try opt.loadStateDict(extra) }
        #expect(opt.nIter == iterations)
    }
}
