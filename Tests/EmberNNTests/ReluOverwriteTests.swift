import Ember
import EmberNN
import Testing

/// `relu` writes over a temporary argument that nothing else can see (so evaluation holds one
/// activation where it held two), and copies whenever anything could tell the difference.
@Suite struct ReluOverwriteTests {
    /// A fresh tensor that reports where its buffer is.
    final class Maker {
        var address: UnsafeMutableRawPointer?
        func make(_ values: [Float]) -> Tensor {
            let t = Tensor(values)
            address = t.storage.data
            return t
        }
    }

    @Test func temporaryIsOverwritten() {
        let maker = Maker()
        let y = withNoGrad { relu(maker.make([-1, 2, -3, 4])) }
        #expect(y.toArray() == [0, 2, 0, 4])
        #expect(y.storage.data == maker.address)
    }

    @Test func tensorStillHeldIsCopied() {
        let x = Tensor([-1, 2, -3, 4] as [Float])
        let y = withNoGrad { relu(x) }
        #expect(y.storage.data != x.storage.data)
        #expect(x.toArray() == [-1, 2, -3, 4])
        #expect(y.toArray() == [0, 2, 0, 4])
    }

    /// A temporary view or detached alias shares its storage with a tensor still held.
    @Test func sharedStorageIsCopied() {
        let x = Tensor([-1, 2, -3, 4] as [Float])
        _ = withNoGrad { relu(x.view([2, 2])) }
        _ = withNoGrad { relu(x.detach()) }
        _ = relu(x.detach())
        #expect(x.toArray() == [-1, 2, -3, 4])
    }

    /// With grad, a temporary in the graph keeps its history: relu records a node and the
    /// gradient is PyTorch's.
    @Test func graphTemporaryIsNotOverwritten() {
        let w = Tensor([-1, 2, -3, 4] as [Float]).requiresGrad_()
        let y = relu(w * 2)
        #expect(y.gradFn != nil)
        y.sum().backward()
        #expect(w.grad!.toArray() == [0, 2, 0, 2])
    }
}
