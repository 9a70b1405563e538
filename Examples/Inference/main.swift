// Inference with nothing of EmberTrain: a model defined here, weights loaded from a safetensors
// state dict written by `ember train --model mlp` (runs/NAME/model.safetensors) or by PyTorch
// (`safetensors.torch.save_file(model.state_dict(), path)` for the same nn.Module), predictions
// printed for the first test images (README.md). Without a file (`--quick`, make test) it saves
// this model's own fresh weights and loads them back, checking that the outputs agree.
import Ember
import EmberData
import EmberNN
#if canImport(Glibc)
import Glibc
#endif

final class MLP: Module, @unchecked Sendable {                          // class MLP(nn.Module):
    let fc1 = Linear(784, 512), fc2 = Linear(512, 256), fc3 = Linear(256, 10)   // the state dict: fc1.weight, fc1.bias, ...
    override func forward(_ x: Tensor) -> Tensor {
        // ember train's MLP standardizes with Fashion-MNIST's pixel statistics inside forward.
        let h = (x.flatten(startDim: 1) - 0.2860) / 0.3530
        return fc3(fc2(fc1(h).relu()).relu())
    }
}

let file = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("--") }
let model = MLP()
let test = try FashionMNIST(train: false)
let (images, labels) = test.batch(at: Array(0..<8))
if let file {
    try model.loadStateDict(try load(file))                            // model.load_state_dict(load_file(path))
} else {
    let path = "/tmp/ember-inference-example-\(getpid()).safetensors"
    let before = withNoGrad { model.eval()(images) }
    try save(model.stateDict(), to: path)                              // save_file(model.state_dict(), path)
    let fresh = MLP()
    try fresh.loadStateDict(try load(path))
    let after = withNoGrad { fresh.eval()(images) }
    print("saved and reloaded \(path): outputs equal: \(before.equal(after))")
    if !before.equal(after) { fatalError("the reloaded model's outputs differ") }
}
model.eval()                                                            // model.eval()
let predicted = withNoGrad { model(images).argmax(dim: 1) }            // with torch.no_grad(): model(x).argmax(1)
print("predicted: \(predicted.toArray(as: Int64.self).map { FashionMNIST.classes[Int($0)] })")
print("actual:    \(labels.toArray(as: Int64.self).map { FashionMNIST.classes[Int($0)] })")
