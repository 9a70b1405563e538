import Ember
import EmberTestSupport
import Testing

/// Tensors with a zero-sized dimension go through every op family as in PyTorch: the shapes
/// come out right, reductions give their identities, and nothing reads or writes out of bounds.
@Suite struct EmptyTensors {
    let empty = Tensor.zeros([0, 3], dtype: .float64)

    @Test func elementwise() {
        #expect((empty + Tensor.ones([3], dtype: .float64)).shape == [0, 3])
        #expect((empty * 2).shape == [0, 3])
        #expect(empty.exp().shape == [0, 3])
        #expect(empty.transpose(0, 1).sigmoid().shape == [3, 0])
        #expect((Tensor.zeros([0, 1]) + Tensor.ones([1, 4])).shape == [0, 4])
        #expect((empty .> 0).shape == [0, 3])
        #expect(Tensor.where(empty .> 0, empty, 1.0).shape == [0, 3])
        #expect(empty.to(.float16).shape == [0, 3])
        #expect(empty.toArray(as: Double.self).isEmpty)
    }

    @Test func reductionsGiveIdentities() {
        #expect(empty.sum().item() == 0)
        #expect(empty.sum().shape == [])
        assertClose(empty.sum(dim: 0), Tensor.zeros([3], dtype: .float64))
        #expect(empty.sum(dim: 1).shape == [0])
        #expect(empty.sum(dim: 1, keepDim: true).shape == [0, 1])
        #expect(empty.prod().item() == 1)
        assertClose(empty.prod(dims: [0]), Tensor.ones([3], dtype: .float64))
        #expect(empty.mean().item().isNaN)                      // 0 / 0, as PyTorch
        #expect(empty.max(dim: 1).values.shape == [0])
        #expect(empty.max(dim: 1).indices.shape == [0])
        #expect(empty.amax(dims: [1]).shape == [0])
        #expect(empty.cumsum(dim: 0).shape == [0, 3])
        #expect(empty.cumsum(dim: 1).shape == [0, 3])
        #expect(empty.softmax(dim: 1).shape == [0, 3])
        #expect(empty.logsumexp(dim: 1).shape == [0])
        #expect(empty.norm().item() == 0)
        #expect(empty.sort(dim: 1).values.shape == [0, 3])
        #expect(empty.any().item(as: Bool.self) == false)
        #expect(empty.all().item(as: Bool.self) == true)
    }

    @Test func matmul() {
        let a = Tensor.zeros([0, 3], dtype: .float64), b = Tensor.ones([3, 4], dtype: .float64)
        #expect(a.matmul(b).shape == [0, 4])
        // A zero inner dimension gives zeros, not uninitialized memory.
        let k0 = Tensor.ones([2, 0], dtype: .float64).matmul(Tensor.ones([0, 4], dtype: .float64))
        assertClose(k0, Tensor.zeros([2, 4], dtype: .float64))
        let f32 = Tensor.ones([2, 0]).mm(Tensor.ones([0, 5]))
        assertClose(f32, Tensor.zeros([2, 5]))
        #expect(Tensor.ones([0, 2, 3]).bmm(Tensor.ones([0, 3, 4])).shape == [0, 2, 4])
        assertClose(Tensor.ones([3, 2, 0]).bmm(Tensor.ones([3, 0, 4])), Tensor.zeros([3, 2, 4]))
        #expect(Tensor.ones([0]).dot(Tensor.ones([0])).item() == 0)
        #expect(Tensor.ones([2, 0, 3]).matmul(Tensor.ones([3, 4])).shape == [2, 0, 4])
    }

    @Test func joinAndIndex() {
        let x = Tensor([1, 2, 3, 4, 5, 6] as [Double], shape: [2, 3], dtype: .float64)
        assertClose(Tensor.cat([empty, x], dim: 0), x)
        assertClose(Tensor.cat([x, empty, x], dim: 0), Tensor.cat([x, x], dim: 0))
        #expect(Tensor.cat([empty, empty], dim: 1).shape == [0, 6])
        #expect(Tensor.stack([empty, empty]).shape == [2, 0, 3])
        #expect(x.narrow(1, start: 1, length: 0).shape == [2, 0])
        #expect(x.slice(0, 2, 2).shape == [0, 3])
        #expect(x.indexSelect(0, Tensor([] as [Int], dtype: .int64)).shape == [0, 3])
        #expect(empty.reshape([3, 0]).shape == [3, 0])
        #expect(empty.flip([0]).shape == [0, 3])
        #expect(empty.repeat([2, 2]).shape == [0, 6])
    }

    @Test func backwardThroughEmpty() {
        let x = Tensor.zeros([0, 3], dtype: .float64, requiresGrad: true)
        let w = Tensor.ones([3, 2], dtype: .float64, requiresGrad: true)
        (x.matmul(w).exp() * 2).sum().backward()
        #expect(x.grad?.shape == [0, 3])
        assertClose(w.grad!, Tensor.zeros([3, 2], dtype: .float64))
        let y = Tensor([1, 2] as [Double], dtype: .float64, requiresGrad: true)
        Tensor.cat([y, Tensor.zeros([0], dtype: .float64)], dim: 0).sum().backward()
        assertClose(y.grad!, Tensor.ones([2], dtype: .float64))
    }
}

/// float64 tensors stay float64 through every path, and keep double precision.
@Suite struct Float64Paths {
    @Test func dtypeIsKept() {
        let x = Tensor([[1, 2], [3, 4]] as [[Double]], dtype: .float64)
        #expect(x.dtype == .float64)
        let results = [
            x + 1, 2 * x, x / 3, x - x, x.exp(), x.sigmoid(), x.sum(), x.mean(dim: 0), x.softmax(dim: 1),
            x.matmul(x), x.variance(dim: 0), x.norm(), x.cumsum(dim: 1), x.max(dim: 0).values,
            x.transpose(0, 1).contiguous(), Tensor.cat([x, x]), x.gelu(), x.pow(2.5), x.clamp(min: 1.5),
        ]
        for r in results { #expect(r.dtype == .float64) }
    }

    @Test func promotion() {
        let d = Tensor([1.5] as [Double], dtype: .float64), f = Tensor([2.5] as [Float])
        let i = Tensor([3] as [Int])
        #expect((d + f).dtype == .float64)
        #expect((f + i).dtype == .float32)
        #expect((i + 1.5).dtype == .float32)       // int tensor with a float scalar: default float
        #expect((i + 2).dtype == .int64)
        #expect((i / i).dtype == .float32)         // true division
        #expect(i.sum().dtype == .int64)
        #expect(Tensor([true, false]).sum().dtype == .int64)
        #expect((d + f).item() == 4)
    }

    @Test func keepsDoublePrecision() {
        // 1 + 1e-12 is lost in float32 and kept in float64.
        let x = Tensor([1, 1e-12] as [Double], dtype: .float64)
        #expect(x.sum().item() == 1 + 1e-12)
        #expect(x.to(.float32).sum().item() == 1)
        let tenths = Tensor([Double](repeating: 0.1, count: 10), dtype: .float64)
        #expect(Swift.abs(tenths.sum().item() - 1) < 1e-15)
        // 3 survives next to 1e15 in float64 (float32's spacing there is 2^26).
        let big = Tensor([1e15] as [Double], dtype: .float64)
        #expect(((big + 3) - 1e15).item() == 3)
        #expect(((big.to(.float32) + 3) - 1e15).item() == 0)
        let m = Tensor([[1 + 1e-10, 2], [3, 4]] as [[Double]], dtype: .float64)
        let p = m.matmul(m).toArray(as: Double.self)
        #expect(p[0] == (1 + 1e-10) * (1 + 1e-10) + 6)
    }

    @Test func printsWithDtype() {
        #expect(Tensor([1.5, 2] as [Double], dtype: .float64).description == "tensor([1.5000, 2.0000], dtype=torch.float64)")
        #expect(Tensor([1, 2] as [Int]).description == "tensor([1, 2])")
    }

    @Test func gradientsAreFloat64() {
        let x = Tensor([0.5, -1, 2] as [Double], dtype: .float64, requiresGrad: true)
        (x.tanh() * x).sum().backward()
        #expect(x.grad?.dtype == .float64)
        let xs: [Double] = [0.5, -1, 2]
        let expected = xs.map { v -> Double in let t = tanh(v); return t + v * (1 - t * t) }
        assertClose(x.grad!, Tensor(expected, dtype: .float64), rtol: 1e-14, atol: 0)
    }
}

#if canImport(Glibc)
import Glibc
#endif
