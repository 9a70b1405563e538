import Foundation
import Testing
import EmberOptim
import EmberTestSupport

/// Every optimizer case, started from the fixture's weights, follows PyTorch 1.13's
/// trajectory: parameters after steps 5, 10, ..., 30 agree to 1e-5 relative in float32 and
/// 1e-10 in float64.
@Suite struct TrajectoryTests {
    static let steps = 30

    @Test func fixtureNamesTheSameCases() {
        #expect(trajectoryFile.error == nil, "\(trajectoryFile.error ?? "")")
        #expect(trajectoryFile.caseNames() == optimizerCases.keys.sorted())
    }

    @Test(arguments: optimizerCases.keys.sorted())
    func float32(_ name: String) { check(name, "f32", rtol: 1e-5, atol: 1e-6) }

    @Test(arguments: optimizerCases.keys.sorted())
    func float64(_ name: String) { check(name, "f64", rtol: 1e-10, atol: 1e-12) }

    func check(_ name: String, _ dt: String, rtol: Double, atol: Double) {
        let problem = MLPProblem(dt)
        let optimizer = optimizerCases[name]!(problem.params)
        for step in 1...Self.steps {
            problem.trainStep(optimizer)
            guard step % 5 == 0 else { continue }
            for (pname, p) in zip(MLPProblem.names, problem.params) {
                guard let expected = trajectoryFixture["\(name).\(dt).\(pname)"] else {
                    Issue.record("fixture lacks \(name).\(dt).\(pname)"); return
                }
                assertClose(p.detach(), expected.select(0, step / 5 - 1), rtol: rtol, atol: atol, "\(name) \(dt) \(pname) after step \(step)")
            }
        }
    }
}
