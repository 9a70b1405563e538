import EmberNN

// The models of scripts/make_nn_fixtures.py, declared with the same modules in the same
// order, so their state dicts have PyTorch's keys in PyTorch's order.

/// `MLP` in the fixture script: fc1 = Linear(20, 32), fc2 = Linear(32, 10).
final class MLP: Module, @unchecked Sendable {
    let fc1 = Linear(20, 32)
    let fc2 = Linear(32, 10)
    override func forward(_ x: Tensor) -> Tensor { fc2(relu(fc1(x))) }
}

/// `AllLayers` in the fixture script: one of every EmberNN layer.
final class AllLayers: Module, @unchecked Sendable {
    let emb = Embedding(12, 8, paddingIdx: 0)
    let fc = Linear(8, 16)
    let bil = Bilinear(16, 8, 12)
    let bn1 = BatchNorm1d(12)
    let ln = LayerNorm(12)
    let prelu = PReLU(numParameters: 12)
    let acts = ModuleList([
        ReLU(), LeakyReLU(negativeSlope: 0.2), ELU(alpha: 0.7), GELU(), GELU(approximate: "tanh"), SiLU(),
        Sigmoid(), Tanh(), Softmax(dim: 1), LogSoftmax(dim: 1), Softplus(beta: 2, threshold: 5),
        Hardtanh(minVal: -0.5, maxVal: 0.5),
    ])
    let drop = Dropout(p: 0.3)
    let bn2 = BatchNorm2d(4)
    let gn = GroupNorm(2, 4)
    let drop2d = Dropout2d(p: 0.25)
    let flat = Flatten()
    let proj = Linear(4 * 3 * 3, 6)
    let unflat = Unflatten(1, [2, 3])
    let ident = Identity()
    let head = Sequential(Linear(12 * 13 + 6, 16), ReLU(), Linear(16, 5))

    func callAsFunction(_ ids: Tensor, _ img: Tensor) -> Tensor {
        let e = emb(ids).mean(dim: 1)
        let h = fc(e)
        let b = ln(bn1(bil(h, e)))
        let features = drop(Tensor.cat([prelu(b)] + acts.map { $0(b) }, dim: 1))
        var i = drop2d(gn(bn2(img)))
        i = ident(flat(unflat(proj(flat(i)))))
        return head(Tensor.cat([features, i], dim: 1))
    }
}
