import Ember
import EmberNN
import EmberTestSupport
import Testing

// Ember's fused batch-norm op (`Tensor.batchNorm`, used by BatchNorm1d/2d/3d in float32 and
// float64): gradcheck and gradgradcheck in float64 (the second order runs on the composite
// backward), agreement with the definition computed from tensor ops, the running-statistics
// update, and a large channel mean in float32. The layers are checked against PyTorch in
// NormalizationAgainstPyTorchTests and ConvModelsAgainstPyTorchTests.

/// The definition: `(x - mean) / √(var + eps) · w + b` over all dims but 1, from tensor ops.
private func referenceBatchNorm(_ x: Tensor, _ w: Tensor?, _ b: Tensor?, mean: Tensor? = nil, variance: Tensor? = nil, eps: Double) -> Tensor {
    var channelShape = [Int](repeating: 1, count: x.dim)
    channelShape[1] = x.shape[1]
    let dims = [0] + Array(2..<x.dim)
    let m = mean?.reshape(channelShape) ?? x.mean(dims: dims, keepDim: true)
    let v = variance?.reshape(channelShape) ?? (x - m).square().mean(dims: dims, keepDim: true)
    var y = (x - m) * (v + eps).rsqrt()
    if let w { y = y * w.reshape(channelShape) }
    if let b { y = y + b.reshape(channelShape) }
    return y
}

@Suite struct BatchNormOp {
    @Test func gradcheckTrainingAndEval() {
        let g = Generator(seed: 11)
        // Short rows (L < 16: [N, C] and small planes) and long rows (L = 20) take different loops.
        for shape in [[3, 2, 5], [4, 3], [2, 2, 3, 4], [2, 2, 4, 5]] {
            let c = shape[1]
            let inputs = [(Tensor.randn(shape, dtype: .float64, generator: g) * 2 + 1).detach().requiresGrad_(),
                          Tensor.randn([c], dtype: .float64, generator: g).requiresGrad_(),
                          Tensor.randn([c], dtype: .float64, generator: g).requiresGrad_()]
            let train: ([Tensor]) -> Tensor = {
                $0[0].batchNorm(runningMean: nil, runningVar: nil, weight: $0[1], bias: $0[2], training: true, eps: 1e-3)
            }
            let first = gradcheck(train, inputs: inputs)
            #expect(first.passed, "training \(shape): \(first)")
            let second = gradgradcheck(train, inputs: inputs)
            #expect(second.passed, "training, second order \(shape): \(second)")
            let rm = Tensor.randn([c], dtype: .float64, generator: g), rv = Tensor.rand([c], dtype: .float64, generator: g) + 0.5
            let eval: ([Tensor]) -> Tensor = {
                $0[0].batchNorm(runningMean: rm, runningVar: rv, weight: $0[1], bias: $0[2], training: false, eps: 1e-3)
            }
            let evalFirst = gradcheck(eval, inputs: inputs)
            #expect(evalFirst.passed, "eval \(shape): \(evalFirst)")
            let evalSecond = gradgradcheck(eval, inputs: inputs)
            #expect(evalSecond.passed, "eval, second order \(shape): \(evalSecond)")
            let plain = gradcheck({ $0[0].batchNorm(runningMean: nil, runningVar: nil, training: true) }, inputs: [inputs[0]])
            #expect(plain.passed, "no affine \(shape): \(plain)")
        }
    }

    @Test func matchesDefinitionAndUpdatesRunningStats() {
        let g = Generator(seed: 12)
        let x = (Tensor.randn([8, 4, 6, 5], dtype: .float64, generator: g) * 3 + 2).detach().requiresGrad_()
        let w = Tensor.randn([4], dtype: .float64, generator: g).requiresGrad_()
        let b = Tensor.randn([4], dtype: .float64, generator: g).requiresGrad_()
        let rm = Tensor.randn([4], dtype: .float64, generator: g), rv = Tensor.rand([4], dtype: .float64, generator: g) + 0.5
        let rm0 = rm.clone(), rv0 = rv.clone()
        let y = x.batchNorm(runningMean: rm, runningVar: rv, weight: w, bias: b, training: true, momentum: 0.25, eps: 1e-5)
        let x2 = x.detach().requiresGrad_(), w2 = w.detach().requiresGrad_(), b2 = b.detach().requiresGrad_()
        let reference = referenceBatchNorm(x2, w2, b2, eps: 1e-5)
        assertClose(y, reference, rtol: 1e-12, atol: 1e-12, "training forward")
        let weights = Tensor.randn(x.shape, dtype: .float64, generator: g)
        (y * weights).sum().backward()
        (reference * weights).sum().backward()
        assertClose(x.grad!, x2.grad!, rtol: 1e-10, atol: 1e-12, "grad x")
        assertClose(w.grad!, w2.grad!, rtol: 1e-10, atol: 1e-12, "grad weight")
        assertClose(b.grad!, b2.grad!, rtol: 1e-10, atol: 1e-12, "grad bias")
        // running = 0.75 · running + 0.25 · batch, with the unbiased variance (n = 8·6·5).
        let n = 240.0
        let batchMean = x.detach().mean(dims: [0, 2, 3]), batchVar = (x.detach() - batchMean.reshape([1, 4, 1, 1])).square().mean(dims: [0, 2, 3])
        assertClose(rm, rm0 * 0.75 + batchMean * 0.25, rtol: 1e-12, atol: 1e-12, "running_mean")
        assertClose(rv, rv0 * 0.75 + batchVar * (0.25 * n / (n - 1)), rtol: 1e-12, atol: 1e-12, "running_var")

        let ye = x2.detach().batchNorm(runningMean: rm, runningVar: rv, weight: w2, bias: b2, training: false, eps: 1e-5)
        assertClose(ye, referenceBatchNorm(x2.detach(), w2, b2, mean: rm, variance: rv, eps: 1e-5), rtol: 1e-12, atol: 1e-12, "eval forward")
        // Running statistics stay as they were in evaluation.
        assertClose(rm, rm0 * 0.75 + batchMean * 0.25, rtol: 1e-12, atol: 1e-12, "running_mean after eval")
    }

    @Test func stridedRunningStatistics() {
        // Running statistics that are views with stride 2 are updated in place like contiguous ones.
        let g = Generator(seed: 14)
        let x = Tensor.randn([6, 4, 3], dtype: .float64, generator: g)
        let storage = Tensor.rand([4, 2], dtype: .float64, generator: g) + 0.5
        let rm = storage.transpose(0, 1)[0], rv = storage.transpose(0, 1)[1]
        #expect(!rm.isContiguous)
        let crm = rm.clone(), crv = rv.clone()
        let y = x.batchNorm(runningMean: rm, runningVar: rv, training: true, momentum: 0.5)
        let yc = x.batchNorm(runningMean: crm, runningVar: crv, training: true, momentum: 0.5)
        assertClose(y, yc, rtol: 1e-12, atol: 1e-12, "output")
        assertClose(rm, crm, rtol: 1e-12, atol: 1e-12, "running_mean")
        assertClose(storage.transpose(0, 1)[1], crv, rtol: 1e-12, atol: 1e-12, "running_var")
        assertClose(x.batchNorm(runningMean: rm, runningVar: rv, training: false),
                    x.batchNorm(runningMean: crm, runningVar: crv, training: false), rtol: 1e-12, atol: 1e-12, "eval")
    }

    @Test func largeMeanInFloat32() {
        // A channel mean 10^4 times its spread: the shifted sums keep the variance exact.
        let g = Generator(seed: 13)
        let x64 = Tensor.randn([16, 3, 9, 9], dtype: .float64, generator: g) + 1e4
        let x = x64.to(.float32).requiresGrad_()
        let y = x.batchNorm(runningMean: nil, runningVar: nil, training: true)
        let x64r = x.detach().to(.float64).requiresGrad_()
        let reference = referenceBatchNorm(x64r, nil, nil, eps: 1e-5)
        assertClose(y.to(.float64), reference, rtol: 1e-3, atol: 2e-3, "forward")
        let weights = Tensor.randn(x.shape, dtype: .float64, generator: g)
        (y.to(.float64) * weights).sum().backward()
        (reference * weights).sum().backward()
        assertClose(x.grad!.to(.float64), x64r.grad!, rtol: 1e-3, atol: 2e-3, "grad x")
    }

    @Test func layersUseTheFusedOp() {
        let bn = BatchNorm2d(3)
        let x = Tensor.randn([4, 3, 5, 5], requiresGrad: true)
        #expect(bn(x).gradFn?.name == "NativeBatchNormBackward0")
        bn.eval()
        #expect(bn(x).gradFn?.name == "NativeBatchNormBackward0")
    }
}
