import Testing
import EmberOptim
import EmberTestSupport

/// The gradient-descent contract program (with the loss written out: EmberNN's MSELoss is
/// the same formula).
@Test func gradientDescentContract() {
    let x = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
    let y = Tensor([2.0, 4.0, 6.0])
    let optimizer = SGD([x], lr: 0.01)
    for _ in 0..<1000 {
        optimizer.zeroGrad()
        let loss = (x - y).square().mean()
        loss.backward()
        optimizer.step()
    }
    // PyTorch prints tensor([1.9988, 3.9975, 5.9963], requires_grad=True).
    assertClose(x.detach(), Tensor([1.9988, 3.9975, 5.9963]), rtol: 0, atol: 5e-5)
    if let expected = trajectoryFixture["contract.x"] {
        assertClose(x.detach(), expected, rtol: 1e-6, atol: 0)
    }
    #expect(x.requiresGrad)
}
