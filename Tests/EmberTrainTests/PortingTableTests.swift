import Foundation
import Testing
import Ember
import EmberData
import EmberNN
import EmberOptim
import EmberVision

/// Every Ember spelling of the README's "Porting from PyTorch" table, compiled and run, so the
/// table cannot drift from the API.
@Suite struct PortingTableTests {
    @Test func everyRowCompilesAndRuns() throws {
        manualSeed(0)
        let t = Tensor([[1, 2], [3, 4]] as [[Float]])
        let z = Tensor.zeros(4, 3), r = Tensor.randn(4, 3), f = Tensor.full(2, 2, value: 7)
        #expect(z.shape == [4, 3] && r.shape == [4, 3] && f.sum().item() == 28)
        #expect(Tensor.arange(10).numel == 10 && Tensor.eye(3).trace().item() == 3 && Tensor.linspace(0, 1, steps: 5).numel == 5)
        let x = Tensor.randn(2, 6)
        #expect(x.shape == [2, 6] && x.size() == [2, 6] && x.size(1) == 6 && x.ndim == 2 && x.dtype == .float32)
        let v: Float = t.sum().item()
        let rows: [[Float]] = t.tolist()
        #expect(v == 10 && rows == [[1, 2], [3, 4]])
        #expect(x.view(-1, 3).shape == [4, 3] && x.reshape(2, 6).shape == [2, 6] && x.flatten(startDim: 1).shape == [2, 6])
        let cube = Tensor.randn(2, 3, 4)
        #expect(x.t().shape == [6, 2] && x.transpose(0, 1).shape == [6, 2] && cube.permute(2, 0, 1).shape == [4, 2, 3])
        #expect(x.unsqueeze(0).shape == [1, 2, 6] && Tensor.zeros(2, 1).squeeze(1).shape == [2] && Tensor.zeros(1, 3).expand(4, 3).shape == [4, 3])
        #expect(Tensor.cat([x, x], dim: 1).shape == [2, 12] && Tensor.stack([x, x]).shape == [2, 2, 6])
        let mask = x .> 0
        #expect(x[0].shape == [6] && x[TensorIndex.all, 1..<3].shape == [2, 2] && x[mask].dim == 1)
        let a = Tensor.randn(3, 4), b = Tensor.randn(4, 2), c = Tensor.randn(3, 4).abs() + 1
        _ = (a.matmul(b), a * c + 1, a / c, a.floorDivide(c), a.remainder(c))
        _ = (a.div(c, roundingMode: .trunc), a.fmod(c))
        _ = (a.sum(dim: 1), a.mean(), a.std(dim: 0), a.amax(dims: [1]), a.amin(dim: 1))
        _ = (a.max(dim: 1), a.argmax(dim: 1), a.topk(2), a.sort())
        let lo = Tensor.zeros(4)
        _ = (a.clamp(min: 0, max: 1), a.clamp(min: lo), Tensor.where(mask, x, x * 2))
        _ = (a.tril(), Tensor.randn(3).diag(), Tensor.randn(3, 3).trace())
        #expect(Tensor.einsum("bij,bjk->bik", Tensor.randn(2, 3, 4), Tensor.randn(2, 4, 5)).shape == [2, 3, 5])
        #expect(a.allclose(a.clone()) && a.equal(a.clone()))
        let labels = Tensor([0, 2, 2, 1] as [Int64])
        #expect(labels.unique(returnCounts: true).counts?.toArray(as: Int64.self) == [1, 1, 2] && labels.bincount().numel == 3)
        #expect(Tensor([0.2, 0.8] as [Float]).multinomial(1).shape == [1])
        _ = (a.normalize(), a.cosineSimilarity(c), a.cdist(c))
        let w = Tensor.randn(3).requiresGrad_()
        let y = (w * w).sum()
        let g = grad(outputs: [y], inputs: [w], retainGraph: true)
        y.backward()
        #expect(g[0]!.allclose(w.grad!) && w.detach().clone().requiresGrad == false)
        withNoGrad { _ = w * 2 }
        setGradEnabled(false); setGradEnabled(true)
        let threads = numThreads
        setNumThreads(threads)
        let model = Sequential(Conv2d(1, 8, kernelSize: 3, stride: 2), ReLU(), Dropout(p: 0.2), Flatten(), Linear(8 * 3 * 3, 10))
        let images = Tensor.randn(4, 1, 7, 7)
        _ = (relu(images), images.softmax(dim: -1), maxPool2d(images, kernelSize: 2))
        let logits = model(images)
        let loss = crossEntropy(logits, Tensor([1, 2, 3, 4] as [Int64])) + mseLoss(logits, Tensor.zeros(4, 10))
        let logp = logits.logSoftmax(dim: 1)
        _ = (klDiv(logp, logp.exp().detach(), reduction: .batchMean), CTCLoss(zeroInfinity: true)(logp.unsqueeze(1), Tensor([1, 2] as [Int64]), inputLengths: [4], targetLengths: [2]))
        #expect(interpolate(images, scaleFactor: [2], mode: .bilinear).shape == [4, 1, 14, 14] && pad(images, [1, 1], mode: .reflect).shape == [4, 1, 7, 9])
        model.train(); model.eval()
        #expect(model.parameters().count == 4 && model.namedParameters().first?.name == "0.weight")
        model.train()
        let sgd = SGD(model.parameters(), lr: 0.01)
        let adam = Adam(model.parameters(), lr: 1e-3)
        let scheduler = StepLR(sgd, stepSize: 10)
        sgd.zeroGrad()
        loss.backward()
        _ = try clipGradNorm_(model.parameters(), maxNorm: 1.0)
        sgd.step(); adam.step(); scheduler.step()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("porting-\(getpid()).safetensors").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try save(model.stateDict(), to: path)
        _ = try model.loadStateDict(try load(path))
        let loader = DataLoader(TensorDataset(Tensor.randn(10, 3), Tensor.zeros(10)), batchSize: 4, shuffle: true)
        #expect(loader.map { $0.0.shape[0] } == [4, 4, 2])
        #expect(model.double().parameters().allSatisfy { $0.dtype == .float64 })
    }

    @Test func tensorRowsFromZerosLikeToHooksCompileAndRun() {
        manualSeed(1)
        let x = Tensor.randn(3, 4)
        #expect(Tensor.zerosLike(x).sum().item() == Float(0) && Tensor.onesLike(x).sum().item() == Float(12) && Tensor.randLike(x).shape == [3, 4])
        #expect(x.float().dtype == .float32 && x.long().dtype == .int64 && x.to(.float64).dtype == .float64)
        let p = x.abs() + 1
        #expect(p.exp().shape == [3, 4] && p.log().min().item() >= Float(0) && p.sqrt().shape == [3, 4] && x.pow(2).allclose(x * x))
        _ = (x.sigmoid(), x.tanh(), gelu(x), silu(x))
        let mask = x .> 0
        let idx = Tensor([0, 2] as [Int64]), columns = Tensor([[0], [1], [3]] as [[Int64]])
        #expect(x.maskedFill(mask, 0).max().item() <= Float(0) && x.indexSelect(0, idx).shape == [2, 4] && x.gather(1, columns).shape == [3, 1])
        let a = Tensor.randn(3, 4), b = Tensor.randn(4, 5), batched = Tensor.randn(2, 3, 4)
        let w = Tensor.randn(5, 4), bias = Tensor.randn(5)
        #expect(a.mm(b).shape == [3, 5] && batched.bmm(Tensor.randn(2, 4, 5)).shape == [2, 3, 5] && linear(x, weight: w, bias: bias).shape == [3, 5])
        #expect(x.chunk(2, dim: 1).count == 2 && x.split(2).map(\.shape) == [[2, 4], [1, 4]] && x.flip(0)[0].equal(x[2]))
        #expect(x.cumsum(dim: 0)[2].allclose(x.sum(dim: 0)) && x.argsort().dtype == .int64 && x.norm().item() > Float(0))
        #expect((p .> 0).any().item(as: Bool.self) && (p .> 0).all().item(as: Bool.self) && x.t().contiguous().isContiguous)
        let leaf = Tensor.randn(3).requiresGrad_()
        let doubled = leaf * 1
        doubled.registerHook { g in g * 2 }
        let mid = leaf * 3
        mid.retainGrad()
        (doubled.sum() + mid.sum()).backward()
        #expect(leaf.grad!.allclose(Tensor.full(3, value: 5)) && mid.grad!.allclose(Tensor.ones(3)))
    }

    @Test func moduleAndTrainingRowsCompileAndRun() throws {
        manualSeed(2)
        let embedding = Embedding(1000, 64), lstm = LSTM(32, 64, batchFirst: true)
        #expect(embedding(Tensor([[1, 2, 3]] as [[Int64]])).shape == [1, 3, 64] && lstm(Tensor.randn(2, 5, 32)).output.shape == [2, 5, 64])
        let image = Tensor.randn(2, 16, 8, 8)
        #expect(BatchNorm2d(16)(image).shape == image.shape && LayerNorm(64)(Tensor.randn(2, 64)).shape == [2, 64] && GroupNorm(4, 16)(image).shape == image.shape)
        #expect(Flatten()(AdaptiveAvgPool2d(1)(MaxPool2d(2)(image))).shape == [2, 16])
        let attention = MultiheadAttention(embedDim: 64, numHeads: 4), encoderLayer = TransformerEncoderLayer(dModel: 64, nhead: 4)
        let sequence = Tensor.randn(5, 2, 64)
        #expect(attention(sequence, sequence, sequence).output.shape == [5, 2, 64] && encoderLayer(sequence).shape == [5, 2, 64])
        let first = Linear(4, 8), second = Linear(8, 3)
        let list = ModuleList([first, second])
        let model = Sequential(first, ReLU(), second)
        var visited = 0
        model.apply { _ in visited += 1 }
        model.zeroGrad()
        #expect(list.count == 2 && visited == 4)
        Init.kaimingUniform_(first.weight)
        Init.xavierUniform_(second.weight)
        Init.zeros_(second.bias!)
        let features = Tensor.randn(6, 4), labels = Tensor([0, 1, 2, 0, 1, 2] as [Int64])
        let logits = model(features)
        let losses = [CrossEntropyLoss()(logits, labels), MSELoss()(logits, Tensor.zeros(6, 3)), BCEWithLogitsLoss()(logits, Tensor.ones(6, 3)),
                      nllLoss(logSoftmax(logits, dim: 1), labels), binaryCrossEntropyWithLogits(logits, Tensor.zeros(6, 3))]
        #expect(losses.allSatisfy { $0.dim == 0 } && losses[0].allclose(losses[3]))
        let optimizer = AdamW(model.parameters(), lr: 1e-3, weightDecay: 0.01)
        let cosine = CosineAnnealingLR(optimizer, tMax: 10)
        let plateau = ReduceLROnPlateau(optimizer)
        losses.reduce(Tensor.zeros([]), +).backward()
        optimizer.step(); cosine.step()
        let valLoss = 0.5
        plateau.step(metric: valLoss)
        let parts = randomSplit(TensorDataset(features, labels), lengths: [0.8, 0.2])
        #expect(parts.map(\.count).reduce(0, +) == 6 && pad(features, [1, 1]).shape == [6, 6])
        let inputs = [Tensor.randn([3], dtype: .float64, requiresGrad: true)]
        let f: ([Tensor]) -> Tensor = { $0[0].square().sum() }
        #expect(gradcheck(f, inputs: inputs).passed)
    }

    @Test func visionRowsCompileAndRun() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/cat", withIntermediateDirectories: true)
        let img = Tensor.randint(0, 256, [3, 20, 24]).to(.uint8), p = root + "/cat/a.png"
        try writePNG(img, to: p)
        #expect(try readImage(p).equal(img))
        let t = Compose([Resize(16), CenterCrop(14), ConvertImageDtype(.float32)])
        let folder = try ImageFolder(root: root, transform: t)
        #expect(folder.classes == ["cat"] && folder[0].0.shape == [3, 14, 14] && folder[0].0.dtype == .float32)
        let a = Tensor([[0, 0, 10, 10], [1, 1, 11, 11]] as [[Float]]), b = Tensor([[0, 0, 10, 10]] as [[Float]])
        let scores = Tensor([0.9, 0.8] as [Float])
        #expect(boxIou(a, b).shape == [2, 1] && nms(a, scores, iouThreshold: 0.5).toArray(as: Int64.self) == [0])
        #expect(resnet18(numClasses: 10).fc.outFeatures == 10)
    }
}
