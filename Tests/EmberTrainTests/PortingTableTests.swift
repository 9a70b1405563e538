import Foundation
import Testing
import Ember
import EmberData
import EmberNN
import EmberOptim

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
}
