import EmberNN
import EmberTestSupport
import Testing

// Convolutional models loaded from PyTorch state dicts (scripts/make_cnn_fixtures.py) must give
// PyTorch's outputs (train and eval), loss, gradients and BatchNorm statistics.

final class CNN: Module, @unchecked Sendable {
    let conv1 = Conv2d(1, 8, kernelSize: 3, padding: 1)
    let bn1 = BatchNorm2d(8)
    let pool = MaxPool2d(2)
    let conv2 = Conv2d(8, 16, kernelSize: 3, padding: 1)
    let drop = Dropout(p: 0.25)
    let fc = Linear(16 * 3 * 3, 10)

    override func forward(_ x: Tensor) -> Tensor {
        var x = pool(relu(bn1(conv1(x))))
        x = pool(relu(conv2(x)))
        return fc(drop(x.flatten(startDim: 1)))
    }
}

final class ConvAll: Module, @unchecked Sendable {
    let same = Conv2d(2, 4, kernelSize: (3, 3), padding: .same)
    let grouped = Conv2d(4, 6, kernelSize: 3, stride: 2, padding: 1, groups: 2, bias: false)
    let up = ConvTranspose2d(6, 4, kernelSize: 3, stride: 2, outputPadding: 1)
    let avg = AvgPool2d(2)
    let adapt = AdaptiveAvgPool2d((3, 3))
    let conv1d = Conv1d(4, 5, kernelSize: 3, padding: 1)
    let maxpool1d = MaxPool1d(2)
    let avgpool1d = AvgPool1d(2)
    let fc = Linear(5 * 2, 3)

    override func forward(_ x: Tensor) -> Tensor {
        var x = same(x).tanh()
        x = grouped(x).tanh()
        x = avg(up(x).tanh())
        x = adapt(x)
        x = conv1d(x.flatten(startDim: 2))
        x = avgpool1d(maxpool1d(x))
        return fc(x.flatten(startDim: 1))
    }
}

@Suite struct ConvModelsAgainstPyTorch {
    private func check(_ name: String, _ model: Module, dropouts: [Module] = []) throws {
        let (state, keys, repr) = try loadStateFixture("nn_\(name)_state")
        let io = loadFixture("nn_\(name)_io")
        #expect(model.stateDict().keys == keys)
        #expect(model.description == repr, "print(model) differs from PyTorch's")
        try model.loadStateDict(state)
        model.train()
        for d in dropouts { d.eval() }
        let out = model(io["input"]!)
        assertClose(out, io["out_train"]!, rtol: 1e-5, atol: 1e-6, "out_train")
        let loss = CrossEntropyLoss()(out, io["target"]!)
        assertClose(loss, io["loss"]!, rtol: 1e-5, atol: 1e-6, "loss")
        loss.backward()
        for (pname, p) in model.namedParameters() {
            assertClose(p.grad ?? Tensor.zerosLike(p), io["grad.\(pname)"]!, rtol: 1e-4, atol: 1e-5, "grad.\(pname)")
        }
        for (bname, b) in model.namedBuffers() {
            assertClose(b, io["after.\(bname)"]!, rtol: 1e-5, atol: 1e-6, "after.\(bname)")
        }
        model.eval()
        assertClose(withNoGrad { model(io["input"]!) }, io["out_eval"]!, rtol: 1e-5, atol: 1e-6, "out_eval")
    }

    @Test func cnnWithBatchNormPoolingAndDropout() throws {
        let model = CNN()
        try check("cnn", model, dropouts: [model.drop])
    }

    @Test func everyConvolutionAndPoolingLayer() throws {
        try check("convall", ConvAll())
    }

    @Test func convLayersHavePyTorchShapesAndInit() {
        let conv = Conv2d(3, 16, kernelSize: 5)
        #expect(conv.weight.shape == [16, 3, 5, 5] && conv.bias!.shape == [16])
        let bound = 1 / Double(3 * 25).squareRoot()
        #expect(conv.weight.abs().max().item() <= bound + 1e-7)
        #expect(conv.bias!.abs().max().item() <= bound + 1e-7)
        #expect(ConvTranspose2d(8, 4, kernelSize: 3, groups: 2).weight.shape == [8, 2, 3, 3])
        #expect(conv(Tensor.randn([2, 3, 9, 9])).shape == [2, 16, 5, 5])
    }
}
