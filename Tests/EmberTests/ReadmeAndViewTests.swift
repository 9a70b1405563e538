import Ember
import EmberTestSupport
import Testing

/// The README's example, checked value for value and as printed, and the view semantics it
/// describes.
@Suite struct ReadmeExample {
    let a = Tensor([[1, 2, 3], [4, 5, 6]] as [[Float]])

    @Test func broadcastThenSum() {
        let b = Tensor([10, 20, 30] as [Float])
        let c = (a * b + 1).sum(dim: 0)
        #expect(c.description == "tensor([ 52., 142., 272.])")
        #expect(c.dtype == .float32)
        #expect(c.toArray() == [52, 142, 272])
    }

    @Test func matmulWithTranspose() {
        let m = a.matmul(a.transpose(0, 1))
        #expect(m.description == "tensor([[14., 32.], [32., 77.]])")
        #expect(m.shape == [2, 2])
    }

    @Test func transposeIsAView() {
        let t = a.transpose(0, 1)
        #expect(!t.isContiguous)
        #expect(t.shape == [3, 2])
        #expect(t.strides == [1, 3])
        #expect(t.storage === a.storage)
        #expect(t.contiguous().isContiguous)
    }

    @Test func writingThroughAViewIsVisibleInTheBase() {
        let base = Tensor([[1, 2, 3], [4, 5, 6]] as [[Float]])
        let t = base.transpose(0, 1)
        t[0, 1] = Tensor(scalar: Float(100))        // t[0, 1] is base[1, 0]
        #expect(base.toArray() == [1, 2, 3, 100, 5, 6])
        let row = base[1]
        row.mul_(2)
        #expect(base.toArray() == [1, 2, 3, 200, 10, 12])
        base.select(1, 2).fill_(-1)
        #expect(t.toArray() == [1, 200, 2, 10, -1, -1])
    }

    @Test func gradientDescentConverges() {
        let x = Tensor([1.0, 2.0, 3.0], requiresGrad: true)
        let y = Tensor([2.0, 4.0, 6.0])
        for _ in 0..<1000 {
            let loss = ((x - y) * (x - y)).mean()
            loss.backward()
            withNoGrad {
                x.sub_(x.grad! * 0.5)
                x.grad!.zero_()
            }
        }
        assertClose(x, y, rtol: 0, atol: 1e-6)
        #expect(x.requiresGrad && x.isLeaf)
        #expect(x.description == "tensor([2.0000, 4.0000, 6.0000], requires_grad=True)")
    }

    @Test func broadcastShapesFollowPyTorch() {
        #expect(broadcastShapes([3, 1, 4], [2, 4]) == [3, 2, 4])
        #expect(broadcastShapes([], [2, 3]) == [2, 3])
        #expect(broadcastShapes([0, 1], [1, 5]) == [0, 5])
    }
}

/// Views share storage and never copy; gradients flow back through them.
@Suite struct ViewSemantics {
    @Test func viewsShareStorage() {
        let x = Tensor((0..<24).map(Double.init), shape: [2, 3, 4], dtype: .float64)
        let views = [
            x.transpose(0, 2), x.permute([1, 2, 0]), x.reshape([6, 4]), x.view([4, 6]),
            x.narrow(2, start: 1, length: 2), x.select(1, 1), x.slice(2, 0, 4, step: 2),
            x[1, 1..<3], x.unsqueeze(0), x.expand([5, 2, 3, 4]), x.unflatten(2, [2, 2]),
        ]
        for v in views { #expect(v.storage === x.storage) }
        #expect(x.slice(2, 0, 4, step: 2).toArray(as: Double.self) == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22])
        #expect(x[1, 1..<3].toArray(as: Double.self) == [16, 17, 18, 19, 20, 21, 22, 23])
    }

    @Test func reshapeOfNonContiguousCopies() {
        let x = Tensor((0..<6).map(Double.init), shape: [2, 3], dtype: .float64)
        let r = x.transpose(0, 1).reshape([6])
        #expect(r.storage !== x.storage)
        #expect(r.toArray(as: Double.self) == [0, 3, 1, 4, 2, 5])
    }

    @Test func gradientThroughStridedSlices() {
        let x = Tensor((0..<12).map(Double.init), shape: [3, 4], dtype: .float64, requiresGrad: true)
        let y = x.transpose(0, 1).slice(0, 1, 4, step: 2) * 3   // rows 1 and 3 of x's columns
        y.sum().backward()
        #expect(x.grad!.toArray(as: Double.self) == [0, 3, 0, 3, 0, 3, 0, 3, 0, 3, 0, 3])
    }
}
