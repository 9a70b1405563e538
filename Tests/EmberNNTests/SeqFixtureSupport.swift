import EmberNN
import EmberTestSupport
import Foundation
import Testing

// Reading the sequence-model fixtures of scripts/make_seq_fixtures.py: each case stores a
// module's state dict (`<case>.state.<name>`), its inputs, outputs, a weight per output
// (`<case>.w.<output>`) and the gradients of Σ (output · w).sum() (`<case>.grad.<name>`).

/// One case of a `seq_*` fixture file.
struct SeqCase {
    let name: String
    let fixture: Fixture

    /// The tensor `<case>.<key>`, recording an issue when it is missing.
    func tensor(_ key: String, sourceLocation: SourceLocation = #_sourceLocation) -> Tensor {
        guard let t = fixture.tensors["\(name).\(key)"] else {
            Issue.record("fixture lacks \(name).\(key); regenerate with scripts/make_seq_fixtures.py", sourceLocation: sourceLocation)
            return Tensor.zeros([0])
        }
        return t
    }

    /// The tensor `<case>.<key>` if stored.
    func optional(_ key: String) -> Tensor? { fixture.tensors["\(name).\(key)"] }

    /// A floating input as a fresh leaf that requires grad.
    func input(_ key: String) -> Tensor { tensor(key).detach().requiresGrad_() }

    /// The stored `lengths` as Swift integers, if any.
    var lengths: [Int]? { optional("lengths").map { $0.toArray(as: Int64.self).map { Int($0) } } }

    /// The module's state dict as PyTorch saved it.
    var state: TensorDict {
        var d = TensorDict()
        let prefix = "\(name).state."
        for key in keys { d[key] = fixture.tensors[prefix + key] }
        return d
    }

    /// The state-dict keys in PyTorch's order.
    var keys: [String] {
        let text = fixture.metadata["\(name).keys"] ?? "[]"
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String]) ?? []
    }

    /// `print(module)` in PyTorch.
    var repr: String { fixture.metadata["\(name).repr"] ?? "" }

    /// Loads the state into `module`, checking its keys (in order) and description first.
    func load(into module: Module, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(module.stateDict().keys == keys, "\(name): state-dict keys", sourceLocation: sourceLocation)
        #expect(module.description == repr, "\(name): print(model) differs from PyTorch's", sourceLocation: sourceLocation)
        do { try module.loadStateDict(state) } catch {
            Issue.record("\(name): \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Compares `outputs` with PyTorch's, backpropagates Σ (output · w).sum(), and compares
    /// the gradients of `module`'s parameters and of the named input leaves.
    func check(outputs: [String: Tensor], module: Module?, inputs: [String: Tensor],
               rtol: Double = 1e-5, atol: Double = 1e-6, sourceLocation: SourceLocation = #_sourceLocation) {
        var total: Tensor?
        for (key, out) in outputs.sorted(by: { $0.key < $1.key }) {
            assertClose(out, tensor(key, sourceLocation: sourceLocation), rtol: rtol, atol: atol, "\(name).\(key)", sourceLocation: sourceLocation)
            if let w = optional("w.\(key)") {
                let term = (out * w).sum()
                total = total.map { $0 + term } ?? term
            }
        }
        guard let total else { return }
        total.backward()
        for (pname, p) in module?.namedParameters() ?? [] {
            assertClose(p.grad ?? Tensor.zerosLike(p), tensor("grad.\(pname)", sourceLocation: sourceLocation),
                        rtol: rtol, atol: atol, "\(name).grad.\(pname)", sourceLocation: sourceLocation)
        }
        for (key, leaf) in inputs.sorted(by: { $0.key < $1.key }) {
            guard let expected = optional("grad.\(key)") else { continue }
            assertClose(leaf.grad ?? Tensor.zerosLike(leaf), expected, rtol: rtol, atol: atol, "\(name).grad.\(key)", sourceLocation: sourceLocation)
        }
    }
}

/// The cases of `Tests/Fixtures/<file>.safetensors` by name.
func seqCase(_ file: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> SeqCase? {
    do {
        let fixture = try readFixture(file)
        guard fixture.tensors.keys.contains(where: { $0.hasPrefix(name + ".") }) else {
            Issue.record("\(file) has no case \(name); regenerate with scripts/make_seq_fixtures.py", sourceLocation: sourceLocation)
            return nil
        }
        return SeqCase(name: name, fixture: fixture)
    } catch {
        Issue.record("\(error)", sourceLocation: sourceLocation)
        return nil
    }
}
