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

    /// Four closure steps (several iterations and evaluations each) follow PyTorch.
    ///
    /// float64: PyTorch's trajectory to 1e-10 throughout (rounding is far below that).
    ///
    /// float32: two correct float32 runs do not agree to a fixed tolerance. Each gradient is
    /// rounded differently under a different summation order (BLAS kernel, vector width: AVX-512,
    /// AVX2, baseline), and the quasi-Newton updates (curvature pairs, line-search decisions)
    /// amplify that rounding step after step, by a factor that is a property of the problem,
    /// not of the implementation. So each float32 run is compared with the exact trajectory (the
    /// float64 one, which agrees with Ember's to 1e-10), and PyTorch's own float32 run measures
    /// the amplification: Ember's distance from the exact trajectory, per tensor in the 2-norm,
    /// must be within a small factor of PyTorch's float32 distance from it (summation orders
    /// differ in sign and size of their rounding, not in its order of magnitude), plus a
    /// floor of a few float32 roundings of the tensor for steps where PyTorch's distance
    /// happens to be tiny. A wrong formula (a missed term, a wrong history) moves the float32
    /// run by the step's own size, orders of magnitude beyond this bound.
    @Test(arguments: lbfgsCases.keys.sorted(), ["f32", "f64"])
    func matchesPyTorch(_ name: String, _ dt: String) {
        let problem = MLPProblem(dt)
        let optimizer = lbfgsCases[name]!(problem.params)
        for step in 0..<4 {
            optimizer.step(closure: problem.closure(optimizer))
            for (pname, p) in zip(MLPProblem.names, problem.params) {
                guard let expected = trajectoryFixture["\(name).\(dt).\(pname)"],
                      let exact = trajectoryFixture["\(name).f64.\(pname)"] else {
                    Issue.record("fixture lacks \(name).\(dt).\(pname)"); return
                }
                let context = "\(name) \(dt) \(pname) after step \(step + 1)"
                if dt == "f64" {
                    assertClose(p.detach(), expected.select(0, step), rtol: 1e-10, atol: 1e-12, context)
                } else {
                    expectFloat32RunNearExact(p.detach(), pytorch: expected.select(0, step), exact: exact.select(0, step), context)
                }
            }
        }
    }

    /// `‖ours − exact‖₂ ≤ 4·‖pytorch − exact‖₂ + 8·ε₃₂·‖exact‖₂`, all in float64 (see `matchesPyTorch`).
    func expectFloat32RunNearExact(_ ours: Tensor, pytorch: Tensor, exact: Tensor, _ context: String) {
        func distance(_ a: Tensor) -> Double { (a.to(.float64) - exact).square().sum().item(as: Double.self).squareRoot() }
        let size = exact.square().sum().item(as: Double.self).squareRoot()
        let pytorchError = distance(pytorch)
        let bound = 4 * pytorchError + 8 * Double(Float.ulpOfOne) * size
        let ourError = distance(ours)
        #expect(ourError <= bound, "\(context): float32 distance from the exact trajectory \(ourError), PyTorch's \(pytorchError), bound \(bound) (ISA \(InstructionSet.current))")
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
