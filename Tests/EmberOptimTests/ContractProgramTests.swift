import Ember
import EmberNN
import EmberOptim
import Testing

/// The contract program, exactly as written (with `MSELoss` from EmberNN): it must
/// print what PyTorch prints, `tensor([1.9988, 3.9975, 5.9963], requires_grad=True)`.
@Test func classicGradientDescentWithSGDAndMSELoss() {
    let x = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
    let y = Tensor([2.0, 4.0, 6.0])
    let lossFn = MSELoss()
    let optimizer = SGD([x], lr: 0.01)
    for _ in 0..<1000 {
        optimizer.zeroGrad()
        let loss = lossFn(x, y)
        loss.backward()
        optimizer.step()
    }
    #expect(x.description == "tensor([1.9988, 3.9975, 5.9963], requires_grad=True)")
    let expected: [Float] = [1.9988, 3.9975, 5.9963]
    #expect(zip(x.toArray(), expected).allSatisfy { Swift.abs($0 - $1) < 1e-4 })
}
