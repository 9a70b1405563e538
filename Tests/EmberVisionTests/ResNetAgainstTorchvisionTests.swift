import Ember
import EmberNN
import EmberTestSupport
import EmberVision
import Foundation
import Testing

// torchvision 0.14's resnet18 against EmberVision's `resnet18`, with every parameter and
// buffer set by the formula of scripts/make_resnet_fixtures.py (Tests/Fixtures/resnet.safetensors
// holds only the logits, the small network's gradients and the key lists, not 46 MB of weights).
//
// Tolerances: in float64 the same network's eval logits (|logit| ≤ 0.39) differ from
// PyTorch's float32 ones by 4e-8, and Ember sums convolutions in another order (im2col +
// GEMM over K ≤ 4608 terms: about √K·2⁻²⁴ ≈ 4e-6 relative per layer, over 20 layers), so eval
// logits must agree to 1e-5 absolute. Train-mode BatchNorm divides by batch standard
// deviations of as few as 8 values per channel (layer4 at 2×2), which amplifies rounding:
// PyTorch's own float32-vs-float64 difference there is 3.6e-6 on logits up to 1.7, so 1e-4.
// Gradients: PyTorch's float32-vs-float64 error is 2.5e-6 of each tensor's largest entry;
// they must agree to 1e-4 of it.

/// The fixture's hash codes in -8...8 of elements 0..<n of tensor t
/// (scripts/make_resnet_fixtures.py: `code`).
private func fixtureCodes(_ t: Int, _ n: Int) -> [Double] {
    let mask: UInt64 = 0xFFFF_FFFF
    return (0..<n).map { i in
        var h = (UInt64(i + 1) &* 2_654_435_761 &+ UInt64((t + 1) * 40503)) & mask
        h ^= h >> 13
        h = (h &* 2_246_822_519) & mask
        h ^= h >> 16
        return Double(Int(h % 17) - 8)
    }
}

/// State-dict entry `name` (index t) of `shape`, by the fixture's formula (`formula_value`).
private func formulaValue(_ t: Int, _ name: String, _ shape: [Int]) -> Tensor {
    if name.hasSuffix("num_batches_tracked") { return Tensor([t], shape: [], dtype: .int64) }
    let n = shape.reduce(1, *)
    let c = fixtureCodes(t, n)
    let v: [Double]
    if shape.count >= 2 {
        let e = Int((log2(Double(n / shape[0])) / 2).rounded(.down))
        let scale = Double(sign: .plus, exponent: -e, significand: 1)
        v = c.map { $0 / 8 * scale }
    } else if name.hasSuffix("running_var") {
        v = c.map { 1 + ($0 + 8) / 32 }
    } else if name.hasSuffix("weight") {
        v = c.map { 1 + $0 / 64 }
    } else {
        v = c.map { $0 / 64 }
    }
    return Tensor(v.map { Float($0) }, shape: shape)
}

/// The input of the fixture's `formula_input(t, shape)`.
private func formulaInput(_ t: Int, _ shape: [Int]) -> Tensor {
    Tensor(fixtureCodes(t, shape.reduce(1, *)).map { Float($0 / 8) }, shape: shape)
}

/// The `[(key, shape)]` list the fixture's metadata `key` holds (PyTorch's state_dict order).
private func fixtureKeys(_ fixture: Fixture, _ key: String) throws -> [(String, [Int])] {
    let text = try #require(fixture.metadata[key])
    let list = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[Any]])
    return try list.map { entry in (try #require(entry[0] as? String), try #require(entry[1] as? [Int])) }
}

/// Sets `model` to the formula's state dict through a safetensors file, loaded strictly.
private func loadFormulaWeights(into model: Module, keys: [(String, [Int])]) throws {
    var dict = TensorDict()
    for (t, (name, shape)) in keys.enumerated() { dict[name] = formulaValue(t, name, shape) }
    let folder = TempFolder()
    defer { folder.remove() }
    try save(dict, to: folder.file("resnet18.safetensors"))
    try model.loadStateDict(load(folder.file("resnet18.safetensors")))
}

@Suite struct ResNetAgainstTorchvision {
    @Test func resnet18HasTorchvisionsKeysAndShapesInOrder() throws {
        let keys = try fixtureKeys(try readFixture("resnet"), "resnet18_keys")
        let sd = resnet18(numClasses: 10).stateDict()
        #expect(sd.keys == keys.map(\.0))
        #expect(sd.keys.map { sd[$0]!.shape } == keys.map(\.1))
        #expect(keys.count == 122)
    }

    @Test func resnet18LoadsTorchvisionWeightsAndGivesItsLogits() throws {
        let fixture = try readFixture("resnet")
        let model = resnet18(numClasses: 10)
        try loadFormulaWeights(into: model, keys: try fixtureKeys(fixture, "resnet18_keys"))
        model.eval()
        try withNoGrad {
            assertClose(model(formulaInput(1000, [2, 3, 64, 64])), try #require(fixture.tensors["eval64"]), rtol: 0, atol: 1e-5)
            assertClose(model(formulaInput(1000, [1, 3, 224, 224])), try #require(fixture.tensors["eval224"]), rtol: 0, atol: 1e-5)
            model.train()
            assertClose(model(formulaInput(1000, [2, 3, 64, 64])), try #require(fixture.tensors["train64"]), rtol: 0, atol: 1e-4)
        }
    }

    @Test func smallResNetGradientsMatchPyTorch() throws {
        let fixture = try readFixture("resnet")
        let model = resnet18Small(numClasses: 10, inChannels: 1, width: 4)
        let keys = try fixtureKeys(fixture, "small_keys")
        #expect(model.stateDict().keys == keys.map(\.0))
        try loadFormulaWeights(into: model, keys: keys)
        model.train()
        let logits = model(formulaInput(1001, [2, 1, 28, 28]))
        assertClose(logits, try #require(fixture.tensors["small.logits"]), rtol: 0, atol: 1e-4)
        crossEntropy(logits, Tensor([3, 7])).backward()
        let params = model.namedParameters()
        #expect(params.count == fixture.tensors.keys.filter { $0.hasPrefix("small.grad.") }.count)
        for (name, p) in params {
            let expected = try #require(fixture.tensors["small.grad." + name], "no gradient of \(name) in the fixture")
            let grad = try #require(p.grad, "\(name) has no gradient")
            let scale = expected.abs().max().item(as: Double.self)
            assertClose(grad, expected, rtol: 0, atol: 1e-4 * scale, name)
        }
    }

    @Test func smallVariantKeepsTorchvisionNamesWithAThreeByThreeStem() {
        let big = resnet18(numClasses: 10).stateDict(), small = resnet18Small(numClasses: 10, inChannels: 3).stateDict()
        #expect(small.keys == big.keys)
        for key in big.keys where key != "conv1.weight" { #expect(small[key]!.shape == big[key]!.shape, "\(key)") }
        #expect(small["conv1.weight"]!.shape == [64, 3, 3, 3])
        #expect(big["conv1.weight"]!.shape == [64, 3, 7, 7])
        let narrow = resnet18Small(numClasses: 10, inChannels: 1, width: 16).stateDict()
        #expect(narrow.keys == big.keys)
        #expect(narrow["layer4.1.conv2.weight"]!.shape == [128, 128, 3, 3] && narrow["fc.weight"]!.shape == [10, 128])
    }

    @Test func initializationFollowsTorchvision() {
        manualSeed(7)
        let model = resnet18Small(numClasses: 10, inChannels: 1, width: 32, zeroInitResidual: true)
        // kaiming_normal_(fan_out, relu): std √(2 / (out · 3 · 3)).
        let w = model.layer3[0].namedParameters().first { $0.name == "conv2.weight" }!.tensor
        let std = w.std().item(as: Double.self), expected = (2.0 / Double(128 * 9)).squareRoot()
        #expect(abs(std - expected) < 0.05 * expected)
        let block = model.layer1[1] as! BasicBlock
        #expect(block.bn1.weight!.toArray(as: Float.self).allSatisfy { $0 == 1 })
        #expect(block.bn2.weight!.toArray(as: Float.self).allSatisfy { $0 == 0 })
        #expect(block.bn1.bias!.toArray(as: Float.self).allSatisfy { $0 == 0 })
        #expect(model(Tensor.randn([2, 1, 28, 28])).shape == [2, 10])
    }
}
