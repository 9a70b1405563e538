import Ember
import EmberNN
import Foundation
import Testing

/// The program from the EmberNN issue, as written there (only the file path is a temporary one).
final class Net: Module, @unchecked Sendable {
    let fc1 = Linear(784, 128)
    let fc2 = Linear(128, 10)
    override func forward(_ x: Tensor) -> Tensor {
        var x = x.flatten(startDim: 1)
        x = relu(fc1(x))
        return fc2(x)
    }
}

@Test func issueProgramCompilesAndRuns() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ember-nn-\(UUID().uuidString).safetensors").path
    defer { try? FileManager.default.removeItem(atPath: path) }

    let model = Net()
    let criterion = CrossEntropyLoss()
    let inputs = Tensor.randn([64, 1, 28, 28])
    let labels = Tensor.randint(0, 10, [64])
    let loss = criterion(model(inputs), labels)
    loss.backward()
    print(model, loss.item(), model.fc1.weight.grad!.shape)
    try save(model.stateDict(), to: path)
    try model.loadStateDict(load(path))

    #expect(model.fc1.weight.grad!.shape == [128, 784])
    #expect(loss.item() > 1.5 && loss.item() < 3.5)   // about log(10) for a fresh model
    #expect(model.description == """
        Net(
          (fc1): Linear(in_features=784, out_features=128, bias=True)
          (fc2): Linear(in_features=128, out_features=10, bias=True)
        )
        """)
    #expect(model.stateDict().keys == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
}
