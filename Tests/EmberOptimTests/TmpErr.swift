import Testing
import EmberOptim
@Test func tmpPrintErrors() {
    for dt in ["f32", "f64"] {
    for name in optimizerCases.keys.sorted() {
        let problem = MLPProblem(dt)
        let optimizer = optimizerCases[name]!(problem.params)
        var worst = 0.0
        for step in 1...30 {
            problem.trainStep(optimizer)
            guard step % 5 == 0 else { continue }
            for (pname, p) in zip(MLPProblem.names, problem.params) {
                let e = trajectoryFixture["\(name).\(dt).\(pname)"]!.select(0, step / 5 - 1).toArray(as: Double.self)
                let a = p.toArray(as: Double.self)
                for (u, v) in zip(a, e) { worst = max(worst, abs(u - v) / max(abs(v), 1e-3)) }
            }
        }
        print("ERR \(dt) \(name) \(worst)")
    }
    }
}
