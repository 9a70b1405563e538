import EmberNN
import EmberTestSupport
import Testing

// BatchNorm variants checked against PyTorch 1.13 in float64 (Tests/Fixtures/nn_norm.safetensors):
// BatchNorm1d on [N, C, L], cumulative averaging (momentum nil), affine: false and
// trackRunningStats: false.

@Suite struct NormalizationAgainstPyTorch {
    let t = loadFixture("nn_norm")

    @Test func batchNorm1dOnSequences() {
        let bn = BatchNorm1d(3, dtype: .float64)
        bn.weight = t["bn1d3d.weight"]!
        bn.bias = t["bn1d3d.bias"]!
        let x = t["bn1d3d.x"]!.requiresGrad_()
        let out = bn(x)
        assertClose(out, t["bn1d3d.out"]!, rtol: 1e-10, atol: 1e-12, "out")
        (out * t["bn1d3d.w"]!).sum().backward()
        assertClose(x.grad!, t["bn1d3d.grad_x"]!, rtol: 1e-10, atol: 1e-12, "grad_x")
        assertClose(bn.weight!.grad!, t["bn1d3d.grad_weight"]!, rtol: 1e-10, atol: 1e-12, "grad_weight")
        assertClose(bn.bias!.grad!, t["bn1d3d.grad_bias"]!, rtol: 1e-10, atol: 1e-12, "grad_bias")
        assertClose(bn.runningMean!, t["bn1d3d.running_mean"]!, rtol: 1e-10, atol: 1e-12, "running_mean")
        assertClose(bn.runningVar!, t["bn1d3d.running_var"]!, rtol: 1e-10, atol: 1e-12, "running_var")
        bn.eval()
        assertClose(bn(x), t["bn1d3d.out_eval"]!, rtol: 1e-10, atol: 1e-12, "out_eval")
    }

    @Test func cumulativeMovingAverage() {
        let bn = BatchNorm2d(2, momentum: nil, dtype: .float64)
        _ = bn(t["cma.x1"]!)
        let out = bn(t["cma.x2"]!)
        assertClose(out, t["cma.out"]!, rtol: 1e-10, atol: 1e-12, "out")
        assertClose(bn.runningMean!, t["cma.running_mean"]!, rtol: 1e-10, atol: 1e-12, "running_mean")
        assertClose(bn.runningVar!, t["cma.running_var"]!, rtol: 1e-10, atol: 1e-12, "running_var")
        #expect(bn.numBatchesTracked!.item() == t["cma.num_batches_tracked"]!.item())
    }

    @Test func withoutAffine() {
        let bn = BatchNorm1d(3, momentum: 0.3, affine: false, dtype: .float64)
        #expect(bn.parameters().isEmpty)
        #expect(bn.stateDict().keys == ["running_mean", "running_var", "num_batches_tracked"])
        assertClose(bn(t["noaffine.x"]!), t["noaffine.out"]!, rtol: 1e-10, atol: 1e-12, "out")
        bn.eval()
        assertClose(bn(t["noaffine.x"]!), t["noaffine.out_eval"]!, rtol: 1e-10, atol: 1e-12, "out_eval")
    }

    @Test func withoutRunningStats() {
        let bn = BatchNorm1d(3, trackRunningStats: false, dtype: .float64)
        #expect(bn.stateDict().keys == ["weight", "bias"])
        #expect(bn.runningMean == nil && bn.numBatchesTracked == nil)
        bn.eval()
        assertClose(bn(t["notrack.x"]!), t["notrack.out_eval"]!, rtol: 1e-10, atol: 1e-12, "out_eval")
    }
}
