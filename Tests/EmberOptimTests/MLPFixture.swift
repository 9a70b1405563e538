import Foundation
import Testing
import EmberOptim
import EmberTestSupport

/// The fixed problem of `scripts/make_optim_fixtures.py`: a 2-layer MLP written with raw
/// tensors, its starting weights and one batch, in float32 (`f32`) or float64 (`f64`).
struct MLPProblem {
    static let names = ["w1", "b1", "w2", "b2"]
    let params: [Tensor]
    let x: Tensor
    let y: Tensor

    /// Fresh leaf copies of the fixture's initial weights.
    init(_ dt: String) {
        let fx = trajectoryFixture
        params = MLPProblem.names.map { fx["init.\(dt).\($0)"]!.clone().requiresGrad_() }
        x = fx["data.\(dt).x"]!
        y = fx["data.\(dt).y"]!
    }

    /// `((x @ w1 + b1).tanh() @ w2 + b2 - y).square().mean()`
    func loss() -> Tensor {
        ((x.matmul(params[0]) + params[1]).tanh().matmul(params[2]) + params[3] - y).square().mean()
    }

    /// One training step: zero the gradients, backward, step.
    func trainStep(_ optimizer: any Optimizer) {
        optimizer.zeroGrad()
        loss().backward()
        optimizer.step()
    }

    /// The LBFGS closure: zero the gradients, compute the loss, backward.
    func closure(_ optimizer: any Optimizer) -> () -> Tensor {
        { optimizer.zeroGrad(); let l = self.loss(); l.backward(); return l }
    }
}

/// A fixture file's tensors and metadata, loaded once per file (empty when unreadable;
/// `fixtureFileIsReadable` records why).
struct FixtureFile: Sendable {
    let tensors: [String: Tensor]
    let metadata: [String: String]
    let error: String?

    init(_ name: String) {
        do {
            let f = try readFixture(name)
            (tensors, metadata, error) = (f.tensors, f.metadata, nil)
        } catch {
            (tensors, metadata, self.error) = ([:], [:], "\(error)")
        }
    }

    /// The case names the metadata lists under `key` (a JSON array).
    func caseNames(_ key: String = "case_names") -> [String] {
        guard let text = metadata[key],
              let names = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String] else {
            return []
        }
        return names
    }
}

/// `Tests/Fixtures/optim_trajectories.safetensors`.
let trajectoryFile = FixtureFile("optim_trajectories")
var trajectoryFixture: [String: Tensor] { trajectoryFile.tensors }

/// Splits params into the two groups the fixture's `*_groups` cases use: (w1, b1) and (w2, b2).
func twoGroups(_ p: [Tensor], second: (([Tensor]) -> ParamGroup)) -> [ParamGroup] {
    [ParamGroup(params: Array(p[0..<2])), second(Array(p[2...]))]
}
