import EmberNN
import EmberTestSupport
import Foundation
import Testing

// State dicts saved by Ember for PyTorch to load. Each test builds a model from a fixed
// generator, saves its state dict and Ember's eval-mode output for a fixed input, and checks
// them against the committed Tests/Fixtures/nn_ember_<name>{,_io}.safetensors; where those
// are missing, or EMBER_NN_WRITE_FIXTURES=1 is set, it writes them there instead.
// `scripts/make_nn_fixtures.py --check` then loads each file into the same PyTorch model with
// `load_state_dict(strict=True)` and compares PyTorch's output with Ember's.

/// Gives every parameter and buffer of `model` reproducible values from `generator`.
private func fill(_ model: Module, _ generator: Generator) {
    for (name, p) in model.namedParameters() {
        Init.normal_(p, std: name.contains("weight") ? 0.3 : 0.1, generator: generator)
    }
    for (name, b) in model.namedBuffers() {
        if name.hasSuffix("running_mean") { Init.uniform_(b, -0.5, 0.5, generator: generator) }
        if name.hasSuffix("running_var") { Init.uniform_(b, 0.5, 2, generator: generator) }
        if name.hasSuffix("num_batches_tracked") { Init.constant_(b, 7) }
    }
}

/// Saves `state` and `io` to temporary files, then compares them with (or writes them to)
/// the committed fixtures.
private func exportForPyTorch(_ name: String, state: TensorDict, io: TensorDict) throws {
    let dir = fixturesDirectory()
    let statePath = dir + "/nn_ember_\(name).safetensors", ioPath = dir + "/nn_ember_\(name)_io.safetensors"
    let write = ProcessInfo.processInfo.environment["EMBER_NN_WRITE_FIXTURES"] == "1"
        || !FileManager.default.fileExists(atPath: statePath) || !FileManager.default.fileExists(atPath: ioPath)
    if write {
        try save(state, to: statePath, metadata: ["format": "pt", "generator": "Tests/EmberNNTests/EmberToPyTorchTests.swift"])
        try save(io, to: ioPath)
        return
    }
    // The committed files must be what the code produces now.
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("ember-\(UUID().uuidString).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    try save(state, to: tmp)
    let roundTrip = try load(tmp)
    let committed = try load(statePath), committedIO = try load(ioPath)
    #expect(committed.keys == state.keys, "\(name): state dict keys changed; rerun with EMBER_NN_WRITE_FIXTURES=1")
    for (key, t) in roundTrip {
        guard let c = committed[key] else { continue }
        #expect(c.dtype == t.dtype, "\(key)")
        assertClose(t, c, rtol: 1e-6, atol: 1e-7, "\(name): \(key) (rerun with EMBER_NN_WRITE_FIXTURES=1 after a deliberate change)")
    }
    for (key, t) in io {
        guard let c = committedIO[key] else {
            Issue.record("\(name): committed io file lacks \(key)")
            continue
        }
        assertClose(t, c, rtol: 1e-5, atol: 1e-6, "\(name) io: \(key)")
    }
}

@Suite struct EmberToPyTorch {
    @Test func mlpStateDictForPyTorch() throws {
        let g = Generator(seed: 11)
        let model = MLP()
        fill(model, g)
        model.eval()
        let input = Tensor.randn([5, 20], generator: g)
        let out = withNoGrad { model(input) }
        try exportForPyTorch("mlp", state: model.stateDict(), io: ["input": input, "out": out])
    }

    @Test func everyLayerStateDictForPyTorch() throws {
        let g = Generator(seed: 12)
        let model = AllLayers()
        fill(model, g)
        model.eval()
        let ids = Tensor.randint(0, 12, [6, 5], generator: g)
        let img = Tensor.randn([6, 4, 3, 3], generator: g)
        let out = withNoGrad { model(ids, img) }
        let state = model.stateDict()
        #expect(state["bn1.num_batches_tracked"]!.dtype == .int64)
        try exportForPyTorch("all", state: state, io: ["ids": ids, "img": img, "out": out])
    }
}
