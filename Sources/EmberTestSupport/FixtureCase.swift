import Ember
import Testing

/// One op checked against a PyTorch fixture case: the case's name in its family's fixture file
/// and the Ember code that computes it from the stored inputs (in the order the fixture lists
/// them). The first output is the one gradients are taken through.
///
/// ```swift
/// OpCase("add.bcast") { $0[0] + $0[1] }
/// OpCase("max.dim1", multi: { let r = $0[0].max(dim: 1); return [r.values, r.indices] })
/// ```
public struct OpCase: Sendable, CustomTestStringConvertible {
    public let name: String
    /// Tolerances overriding the dtype's defaults (see `defaultTolerance`).
    public let rtol: Double?
    public let atol: Double?
    public let run: @Sendable ([Tensor]) -> [Tensor]

    public init(_ name: String, rtol: Double? = nil, atol: Double? = nil, _ run: @escaping @Sendable ([Tensor]) -> Tensor) {
        self.name = name
        self.rtol = rtol
        self.atol = atol
        self.run = { [run($0)] }
    }

    public init(_ name: String, rtol: Double? = nil, atol: Double? = nil, multi run: @escaping @Sendable ([Tensor]) -> [Tensor]) {
        self.name = name
        self.rtol = rtol
        self.atol = atol
        self.run = run
    }

    public var testDescription: String { name }
}

/// `(rtol, atol)` for comparing values of `dtype` with PyTorch's: tight for float64, a few
/// dozen ulps for float32, exact for integers and bool.
public func defaultTolerance(_ dtype: DType) -> (rtol: Double, atol: Double) {
    switch dtype {
    case .float64: return (1e-10, 1e-12)
    case .float32: return (1e-5, 1e-6)
    case .float16, .bfloat16: return (1e-3, 1e-4)
    default: return (0, 0)
    }
}

/// Runs `c` on its fixture case in `Tests/Fixtures/<family>.safetensors` and checks, against
/// PyTorch: each output's dtype, shape and values, then the gradient of `(out * w).sum()`
/// for every input PyTorch differentiated.
public func checkAgainstFixture(_ family: String, _ c: OpCase, sourceLocation: SourceLocation = #_sourceLocation) {
    let fixture: Fixture
    do { fixture = try readFixture(family) } catch {
        Issue.record("\(error)", sourceLocation: sourceLocation)
        return
    }
    guard let info = fixture.cases[c.name] else {
        Issue.record("\(family): no fixture case named \(c.name); regenerate with scripts/make_fixtures.py", sourceLocation: sourceLocation)
        return
    }
    func tensor(_ key: String) -> Tensor? {
        let t = fixture.tensors["\(c.name).\(key)"]
        if t == nil { Issue.record("\(family): fixture lacks \(c.name).\(key)", sourceLocation: sourceLocation) }
        return t
    }
    var inputs: [Tensor] = []
    for name in info.inputs {
        guard let t = tensor(name) else { return }
        if info.grads.contains(name) { t.requiresGrad_() }
        inputs.append(t)
    }
    let outs = c.run(inputs)
    guard outs.count == info.outputs else {
        Issue.record("\(c.name): Ember gave \(outs.count) outputs, PyTorch \(info.outputs)", sourceLocation: sourceLocation)
        return
    }
    for (i, out) in outs.enumerated() {
        let key = i == 0 ? "out" : "out\(i)"
        guard let expected = tensor(key) else { return }
        if out.dtype != expected.dtype {
            Issue.record("\(c.name).\(key): dtype \(out.dtype), PyTorch gives \(expected.dtype)", sourceLocation: sourceLocation)
        }
        let tol = defaultTolerance(expected.dtype)
        assertClose(out, expected, rtol: c.rtol ?? tol.rtol, atol: c.atol ?? tol.atol, "\(c.name).\(key)", sourceLocation: sourceLocation)
    }
    guard !info.grads.isEmpty, let w = tensor("w") else { return }
    guard outs[0].requiresGrad else {
        Issue.record("\(c.name): the output does not require grad; autograd recorded nothing", sourceLocation: sourceLocation)
        return
    }
    (outs[0] * w).sum().backward()
    for (name, input) in zip(info.inputs, inputs) where info.grads.contains(name) {
        guard let expected = tensor("grad_\(name)") else { return }
        guard let grad = input.grad else {
            Issue.record("\(c.name): no gradient reached input \(name)", sourceLocation: sourceLocation)
            continue
        }
        let tol = defaultTolerance(expected.dtype)
        assertClose(grad, expected, rtol: c.rtol ?? tol.rtol, atol: c.atol ?? tol.atol, "\(c.name).grad_\(name)", sourceLocation: sourceLocation)
    }
}

/// Records an issue unless `cases` names exactly the cases of `Tests/Fixtures/<family>.safetensors`,
/// so a case added to the generator without a Swift test (or the reverse) is caught.
public func checkFixtureCoverage(_ family: String, _ cases: [OpCase], sourceLocation: SourceLocation = #_sourceLocation) {
    let fixture: Fixture
    do { fixture = try readFixture(family) } catch {
        Issue.record("\(error)", sourceLocation: sourceLocation)
        return
    }
    let tested = Set(cases.map(\.name)), stored = Set(fixture.cases.keys)
    #expect(tested.count == cases.count, "\(family): duplicate case names in the Swift table", sourceLocation: sourceLocation)
    let untested = stored.subtracting(tested).sorted(), unknown = tested.subtracting(stored).sorted()
    if !untested.isEmpty { Issue.record("\(family): fixture cases without a Swift test: \(untested)", sourceLocation: sourceLocation) }
    if !unknown.isEmpty { Issue.record("\(family): Swift cases missing from the fixture: \(unknown)", sourceLocation: sourceLocation) }
}

/// Checks second derivatives against a `grad2` fixture case: the first gradients of
/// `(out * w).sum()` taken with `createGraph: true`, then the gradients of
/// `Σ_k (grad_k * v_k).sum()` with respect to every input.
public func checkSecondOrderAgainstFixture(_ family: String, _ c: OpCase, sourceLocation: SourceLocation = #_sourceLocation) {
    let fixture: Fixture
    do { fixture = try readFixture(family) } catch {
        Issue.record("\(error)", sourceLocation: sourceLocation)
        return
    }
    guard let info = fixture.cases[c.name] else {
        Issue.record("\(family): no fixture case named \(c.name); regenerate with scripts/make_fixtures.py", sourceLocation: sourceLocation)
        return
    }
    let keys = ["w"] + info.inputs.flatMap { [$0, "v_\($0)", "grad_\($0)", "grad2_\($0)"] }
    var t: [String: Tensor] = [:]
    for key in keys {
        guard let value = fixture.tensors["\(c.name).\(key)"] else {
            Issue.record("\(family): fixture lacks \(c.name).\(key)", sourceLocation: sourceLocation)
            return
        }
        t[key] = value
    }
    let inputs = info.inputs.map { t[$0]!.requiresGrad_() }
    let out = c.run(inputs)[0]
    guard out.requiresGrad else {
        Issue.record("\(c.name): the output does not require grad; autograd recorded nothing", sourceLocation: sourceLocation)
        return
    }
    let tol = defaultTolerance(out.dtype)
    let rtol = c.rtol ?? tol.rtol, atol = c.atol ?? tol.atol
    let firsts = grad(outputs: [(out * t["w"]!).sum()], inputs: inputs, createGraph: true, allowUnused: true)
    var total: Tensor?
    for (name, (input, first)) in zip(info.inputs, zip(inputs, firsts)) {
        let g = first ?? Tensor.zerosLike(input)
        assertClose(g, t["grad_\(name)"]!, rtol: rtol, atol: atol, "\(c.name).grad_\(name)", sourceLocation: sourceLocation)
        guard g.requiresGrad else { continue }   // constant in the inputs: no second derivative
        let term = (g * t["v_\(name)"]!).sum()
        total = total.map { $0 + term } ?? term
    }
    guard let total else {
        Issue.record("\(c.name): no first gradient depends on the inputs (createGraph recorded nothing)", sourceLocation: sourceLocation)
        return
    }
    total.backward()
    for (name, input) in zip(info.inputs, inputs) {
        assertClose(input.grad ?? Tensor.zerosLike(input), t["grad2_\(name)"]!, rtol: rtol, atol: atol, "\(c.name).grad2_\(name)", sourceLocation: sourceLocation)
    }
}
