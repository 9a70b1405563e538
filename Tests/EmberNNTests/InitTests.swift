import EmberNN
import EmberTestSupport
import Testing

// Initializers: PyTorch's gains and fans, and the distributions they draw (bounds, mean and
// standard deviation over 500,000 values), orthogonality, and the layers' default inits.

/// Mean, standard deviation, min and max of a tensor's values.
private func stats(_ t: Tensor) -> (mean: Double, std: Double, min: Double, max: Double) {
    let v = t.toArray(as: Double.self)
    let mean = v.reduce(0, +) / Double(v.count)
    let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)
    return (mean, variance.squareRoot(), v.min()!, v.max()!)
}

/// Checks a U(-bound, bound) sample: inside the bounds, reaching them, std bound/√3.
private func expectUniform(_ t: Tensor, bound: Double, sourceLocation: SourceLocation = #_sourceLocation) {
    let s = stats(t)
    #expect(s.min >= -bound && s.max <= bound, "values outside ±\(bound): \(s.min)...\(s.max)", sourceLocation: sourceLocation)
    #expect(s.max > bound * 0.999 && s.min < -bound * 0.999, "values don't reach ±\(bound)", sourceLocation: sourceLocation)
    #expect(Swift.abs(s.mean) < bound * 0.01, "mean \(s.mean)", sourceLocation: sourceLocation)
    #expect(Swift.abs(s.std / (bound / 3.0.squareRoot()) - 1) < 0.01, "std \(s.std), expected \(bound / 3.0.squareRoot())", sourceLocation: sourceLocation)
}

/// Checks an N(mean, std²) sample.
private func expectNormal(_ t: Tensor, mean: Double = 0, std: Double, sourceLocation: SourceLocation = #_sourceLocation) {
    let s = stats(t)
    #expect(Swift.abs(s.mean - mean) < std * 0.01, "mean \(s.mean), expected \(mean)", sourceLocation: sourceLocation)
    #expect(Swift.abs(s.std / std - 1) < 0.01, "std \(s.std), expected \(std)", sourceLocation: sourceLocation)
}

@Suite struct Initialization {
    @Test func gainsArePyTorchs() {
        // Values printed by torch.nn.init.calculate_gain in PyTorch 1.13.
        #expect(Init.calculateGain(.linear) == 1)
        #expect(Init.calculateGain(.conv2d) == 1)
        #expect(Init.calculateGain(.sigmoid) == 1)
        #expect(Init.calculateGain(.tanh) == 1.6666666666666667)
        #expect(Init.calculateGain(.relu) == 1.4142135623730951)
        #expect(Init.calculateGain(.leakyRelu()) == 1.4141428569978354)
        #expect(Init.calculateGain(.leakyRelu(negativeSlope: 0.2)) == 1.3867504905630728)
        #expect(Init.calculateGain(.selu) == 0.75)
    }

    @Test func fansAreSize1And0TimesTheReceptiveField() {
        #expect(Init.calculateFans(Tensor.zeros([3, 4])) == (4, 3))
        #expect(Init.calculateFans(Tensor.zeros([8, 4, 3, 3])) == (36, 72))
    }

    @Test func uniformFamilies() {
        let g = Generator(seed: 1)
        let w = Tensor.zeros([1000, 500])
        Init.kaimingUniform_(w, generator: g)   // a = 0, leaky_relu: gain √2
        expectUniform(w, bound: 2.0.squareRoot() * (3.0 / 500).squareRoot())
        Init.kaimingUniform_(w, a: 5.0.squareRoot(), mode: .fanOut, generator: g)
        expectUniform(w, bound: 1 / 1000.0.squareRoot())
        Init.xavierUniform_(w, gain: 2, generator: g)
        expectUniform(w, bound: 2 * (6.0 / 1500).squareRoot())
        Init.uniform_(w, -1, 3, generator: g)
        let s = stats(w)
        #expect(s.min >= -1 && s.max < 3 && Swift.abs(s.mean - 1) < 0.01)
    }

    @Test func normalFamilies() {
        let g = Generator(seed: 2)
        let w = Tensor.zeros([1000, 500])
        Init.kaimingNormal_(w, mode: .fanOut, nonlinearity: .relu, generator: g)
        expectNormal(w, std: 2.0.squareRoot() / 1000.0.squareRoot())
        Init.kaimingNormal_(w, nonlinearity: .tanh, generator: g)
        expectNormal(w, std: (5.0 / 3) / 500.0.squareRoot())
        Init.xavierNormal_(w, generator: g)
        expectNormal(w, std: (2.0 / 1500).squareRoot())
        Init.normal_(w, mean: 2, std: 3, generator: g)
        expectNormal(w, mean: 2, std: 3)
    }

    @Test func constants() {
        let w = Tensor.randn([3, 4]).requiresGrad_()
        Init.constant_(w, 0.5)
        #expect(w.toArray().allSatisfy { $0 == 0.5 })
        Init.zeros_(w)
        #expect(w.toArray().allSatisfy { $0 == 0 })
        Init.ones_(w)
        #expect(w.toArray().allSatisfy { $0 == 1 })
        #expect(w.requiresGrad && w.isLeaf)
    }

    @Test(arguments: [[30, 50], [50, 30], [8, 2, 3, 3], [16, 16]])
    func orthogonalRowsOrColumns(_ shape: [Int]) {
        let w = Tensor.zeros(shape)
        Init.orthogonal_(w, gain: 2, generator: Generator(seed: 3))
        let m = w.reshape([shape[0], -1])
        let product = m.shape[0] <= m.shape[1] ? m.mm(m.mT) : m.mT.mm(m)
        assertClose(product, Tensor.eye(product.shape[0]) * 4, rtol: 0, atol: 1e-5, "W Wᵀ or Wᵀ W for \(shape)")
    }

    @Test func sameSeedSameValues() {
        let a = Init.xavierUniform_(Tensor.zeros([4, 5]), generator: Generator(seed: 9))
        let b = Init.xavierUniform_(Tensor.zeros([4, 5]), generator: Generator(seed: 9))
        #expect(a.toArray() == b.toArray())
        let c = Init.orthogonal_(Tensor.zeros([4, 5]), generator: Generator(seed: 9))
        let d = Init.orthogonal_(Tensor.zeros([4, 5]), generator: Generator(seed: 9))
        #expect(c.toArray() == d.toArray())
    }

    @Test func layersStartAsPyTorchs() {
        let fc = Linear(400, 1000)
        expectUniform(fc.weight, bound: 1 / 20)   // kaiming_uniform_(a=√5): 1/√fan_in
        let b = stats(fc.bias!)
        #expect(b.min >= -0.05 && b.max <= 0.05)
        let bil = Bilinear(100, 50, 100)
        expectUniform(bil.weight, bound: 0.1)
        let emb = Embedding(1000, 500, paddingIdx: -1)
        #expect(emb.paddingIdx == 999)
        #expect(emb.weight[999].abs().sum().item() == 0)
        expectNormal(emb.weight[0..<999], std: 1)
        let bn = BatchNorm2d(3)
        #expect(bn.weight!.toArray() == [1, 1, 1] && bn.bias!.toArray() == [0, 0, 0])
        #expect(bn.runningMean!.toArray() == [0, 0, 0] && bn.runningVar!.toArray() == [1, 1, 1])
        #expect(PReLU().weight.toArray() == [0.25])
    }
}
