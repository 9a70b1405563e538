import Ember
import EmberTestSupport
import Foundation
import Testing

// Pooling: finite-difference gradchecks, PyTorch 1.13 fixtures
// (Tests/Fixtures/pool.safetensors, made by scripts/make_conv_fixtures.py), PyTorch's tie
// and divisor rules by hand, and error traps.

let poolGradchecks: [OpGradcheck] = [
    OpGradcheck("maxPool2d k2", [[2, 2, 4, 4]]) { maxPool2d($0[0], kernelSize: (2, 2)) },
    OpGradcheck("maxPool2d stride padding dilation", [[1, 2, 6, 7]]) {
        maxPool2d($0[0], kernelSize: (3, 2), stride: (2, 1), padding: (1, 1), dilation: (1, 2))
    },
    OpGradcheck("maxPool2d ceilMode", [[2, 1, 5, 7]]) { maxPool2d($0[0], kernelSize: (2, 3), stride: (2, 2), ceilMode: true) },
    OpGradcheck("maxPool2d permuted unbatched", [[3, 4, 5]], permuted: [0]) { maxPool2d($0[0], kernelSize: (2, 2), stride: (1, 2)) },
    OpGradcheck("maxPool2dWithIndices values", [[1, 2, 5, 5]]) { maxPool2dWithIndices($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)).0 },
    OpGradcheck("maxPool1d", [[2, 2, 9]]) { maxPool1d($0[0], kernelSize: 3, stride: 2, padding: 1, ceilMode: true) },
    OpGradcheck("avgPool2d k2", [[2, 2, 4, 4]]) { avgPool2d($0[0], kernelSize: (2, 2)) },
    OpGradcheck("avgPool2d padding countIncludePad", [[1, 2, 5, 6]]) { avgPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)) },
    OpGradcheck("avgPool2d countIncludePad false", [[1, 2, 5, 6]]) {
        avgPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false)
    },
    OpGradcheck("avgPool2d ceilMode", [[2, 1, 5, 7]]) { avgPool2d($0[0], kernelSize: (2, 3), stride: (2, 2), padding: (1, 1), ceilMode: true) },
    OpGradcheck("avgPool2d ceilMode exclude pad", [[2, 1, 5, 7]]) {
        avgPool2d($0[0], kernelSize: (2, 3), stride: (2, 2), padding: (1, 1), ceilMode: true, countIncludePad: false)
    },
    OpGradcheck("avgPool2d divisorOverride permuted", [[1, 3, 4, 4]], permuted: [0]) { avgPool2d($0[0], kernelSize: (2, 2), stride: (1, 1), divisorOverride: 3) },
    OpGradcheck("avgPool1d", [[2, 2, 9]]) { avgPool1d($0[0], kernelSize: 4, stride: 3, padding: 2, ceilMode: true, countIncludePad: false) },
    OpGradcheck("adaptiveAvgPool2d uneven", [[2, 2, 7, 5]]) { adaptiveAvgPool2d($0[0], outputSize: (3, 2)) },
    OpGradcheck("adaptiveAvgPool2d larger output", [[1, 2, 3, 2]]) { adaptiveAvgPool2d($0[0], outputSize: (4, 5)) },
    OpGradcheck("adaptiveAvgPool2d unbatched permuted", [[3, 5, 5]], permuted: [0]) { adaptiveAvgPool2d($0[0], outputSize: (2, 3)) },
    OpGradcheck("adaptiveAvgPool1d", [[2, 3, 7]]) { adaptiveAvgPool1d($0[0], outputSize: 3) },
]

let poolSecondOrder: [OpGradcheck] = [
    OpGradcheck("maxPool2d", [[1, 2, 4, 5]]) { maxPool2d($0[0], kernelSize: (2, 2), stride: (1, 2)).square() },
    OpGradcheck("avgPool2d", [[1, 2, 5, 5]]) { avgPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), ceilMode: true).square() },
    OpGradcheck("adaptiveAvgPool2d", [[1, 2, 5, 4]]) { adaptiveAvgPool2d($0[0], outputSize: (3, 3)).square() },
]

/// The fixture's max-pooling cases store the values and the int64 indices.
private func withIndices(_ r: (Tensor, Tensor)) -> [Tensor] { [r.0, r.1] }

let poolFixtureCases: [OpCase] = [
    OpCase("max_pool2d.k2", multi: { withIndices(maxPool2dWithIndices($0[0], kernelSize: (2, 2))) }),
    OpCase("max_pool2d.k3s2p1", multi: { withIndices(maxPool2dWithIndices($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1))) }),
    OpCase("max_pool2d.dilated", multi: {
        withIndices(maxPool2dWithIndices($0[0], kernelSize: (2, 3), stride: (1, 1), padding: (1, 1), dilation: (2, 2)))
    }),
    OpCase("max_pool2d.ceil", multi: { withIndices(maxPool2dWithIndices($0[0], kernelSize: (3, 3), stride: (2, 2), ceilMode: true)) }),
    OpCase("max_pool2d.ceil_pad", multi: {
        withIndices(maxPool2dWithIndices($0[0], kernelSize: (2, 3), stride: (2, 2), padding: (1, 1), ceilMode: true))
    }),
    OpCase("max_pool2d.ties", multi: { withIndices(maxPool2dWithIndices($0[0], kernelSize: (3, 3), stride: (1, 1))) }),
    OpCase("max_pool2d.unbatched", multi: { withIndices(maxPool2dWithIndices($0[0], kernelSize: (2, 2), stride: (1, 2))) }),
    OpCase("max_pool2d.f32", multi: { withIndices(maxPool2dWithIndices($0[0], kernelSize: (2, 2))) }),
    OpCase("max_pool2d.f32_wide_ties", multi: { withIndices(maxPool2dWithIndices($0[0], kernelSize: (2, 2))) }),
    OpCase("max_pool2d.f32_stride_1x2", multi: { withIndices(maxPool2dWithIndices($0[0], kernelSize: (2, 2), stride: (1, 2))) }),
    OpCase("max_pool1d.basic", multi: { withIndices(maxPool1dWithIndices($0[0], kernelSize: 3, stride: 2, padding: 1)) }),
    OpCase("max_pool1d.ceil_dilated", multi: { withIndices(maxPool1dWithIndices($0[0], kernelSize: 2, stride: 2, dilation: 2, ceilMode: true)) }),
    OpCase("avg_pool2d.k2") { avgPool2d($0[0], kernelSize: (2, 2)) },
    OpCase("avg_pool2d.k3s2p1") { avgPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)) },
    OpCase("avg_pool2d.k3s2p1_exclude_pad") { avgPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false) },
    OpCase("avg_pool2d.ceil") { avgPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), ceilMode: true) },
    OpCase("avg_pool2d.ceil_pad") { avgPool2d($0[0], kernelSize: (2, 3), stride: (2, 2), padding: (1, 1), ceilMode: true) },
    OpCase("avg_pool2d.ceil_pad_exclude") {
        avgPool2d($0[0], kernelSize: (2, 3), stride: (2, 2), padding: (1, 1), ceilMode: true, countIncludePad: false)
    },
    OpCase("avg_pool2d.divisor") { avgPool2d($0[0], kernelSize: (2, 2), stride: (1, 1), divisorOverride: 3) },
    OpCase("avg_pool2d.f32") { avgPool2d($0[0], kernelSize: (2, 2)) },
    OpCase("avg_pool1d.basic") { avgPool1d($0[0], kernelSize: 4, stride: 3, padding: 2, ceilMode: true, countIncludePad: false) },
    OpCase("adaptive_avg_pool2d.uneven") { adaptiveAvgPool2d($0[0], outputSize: (3, 4)) },
    OpCase("adaptive_avg_pool2d.global") { adaptiveAvgPool2d($0[0], outputSize: (1, 1)) },
    OpCase("adaptive_avg_pool2d.upsample") { adaptiveAvgPool2d($0[0], outputSize: (5, 4)) },
    OpCase("adaptive_avg_pool2d.unbatched") { adaptiveAvgPool2d($0[0], outputSize: (2, 3)) },
    OpCase("adaptive_avg_pool2d.f32") { adaptiveAvgPool2d($0[0], outputSize: (4, 3)) },
    OpCase("adaptive_avg_pool1d.basic") { adaptiveAvgPool1d($0[0], outputSize: 4) },
]

@Suite struct PoolingTests {
    @Test(arguments: poolGradchecks) func gradcheckFirstOrder(_ c: OpGradcheck) { c.check() }
    @Test(arguments: poolSecondOrder) func gradcheckSecondOrder(_ c: OpGradcheck) { c.checkSecondOrder() }
    @Test(arguments: poolFixtureCases) func againstPyTorch(_ c: OpCase) { checkAgainstFixture("pool", c) }
    @Test func tableCoversFixture() { checkFixtureCoverage("pool", poolFixtureCases) }

    /// Ties go to the first maximum in row-major window order, and only it gets the gradient.
    @Test func tiesGoToTheFirstMaximum() {
        let x = Tensor([1, 3, 3, 0, 3, 2, 1, 1, 1] as [Double], shape: [1, 1, 3, 3], requiresGrad: true)
        let (y, idx) = maxPool2dWithIndices(x, kernelSize: (2, 2), stride: (1, 1))
        #expect(y.toArray() == [3, 3, 3, 3])
        #expect(idx.toArray(as: Int64.self) == [1, 1, 4, 4])
        y.sum().backward()
        #expect(x.grad!.toArray() == [0, 2, 0, 0, 2, 0, 0, 0, 0])
    }

    @Test func nanIsTheMaximum() {
        let x = Tensor([1, .nan, 5, 2] as [Double], shape: [1, 1, 2, 2])
        let (y, idx) = maxPool2dWithIndices(x, kernelSize: (2, 2))
        #expect(y.item().isNaN)
        #expect(idx.item(as: Int64.self) == 1)
    }

    /// PyTorch's divisors at a padded corner: 9 (window with padding), 4 (input only), 3 (override).
    @Test func avgPoolDivisors() {
        let x = Tensor.ones([1, 1, 4, 4])
        #expect(avgPool2d(x, kernelSize: (3, 3), padding: (1, 1)).toArray()[0] == Float(4) / 9)
        #expect(avgPool2d(x, kernelSize: (3, 3), padding: (1, 1), countIncludePad: false).toArray()[0] == 1)
        #expect(avgPool2d(x, kernelSize: (3, 3), padding: (1, 1), divisorOverride: 3).toArray()[0] == Float(4) / 3)
        // ceilMode: the last window covers one column of the input and none of the padding.
        let y = avgPool2d(Tensor.ones([1, 1, 2, 5]), kernelSize: (2, 2), ceilMode: true)
        #expect(y.shape == [1, 1, 1, 3])
        #expect(y.toArray() == [1, 1, 1])
    }

    @Test func adaptiveWindowsOverlap() {
        // 5 → 3: rows [0, 2), [1, 4), [3, 5).
        let x = Tensor([0, 1, 2, 3, 4] as [Double], shape: [1, 1, 5])
        #expect(adaptiveAvgPool1d(x, outputSize: 3).toArray() == [0.5, 2, 3.5])
    }

    @Test func largeBatchUsesEveryPlane() {
        let x = Tensor.randn([16, 32, 28, 28], generator: Generator(seed: 5)).requiresGrad_()
        let y = maxPool2d(x, kernelSize: (2, 2))
        let expected = x.detach().reshape([16, 32, 14, 2, 14, 2]).amax(dims: [3, 5])
        assertClose(y, expected, rtol: 0, atol: 0)
        y.sum().backward()
        #expect(x.grad!.sum().item() == Double(y.numel))
    }

    // MARK: Errors: the message names the op and the shapes.

    @Test func outputTooSmallTraps() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = maxPool2d(Tensor.zeros([2, 3, 1, 1]), kernelSize: (2, 2))
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("[maxPool2d]") && message.contains("[2, 3, 1, 1]") && message.contains("(0 x 0)"))
    }

    @Test func badPaddingAndRankTrap() async {
        await #expect(processExitsWith: .failure) { _ = avgPool2d(Tensor.zeros([1, 1, 6, 6]), kernelSize: (2, 2), padding: (2, 0)) }
        await #expect(processExitsWith: .failure) { _ = maxPool1d(Tensor.zeros([1, 1, 6, 6]), kernelSize: 2) }
        await #expect(processExitsWith: .failure) { _ = adaptiveAvgPool2d(Tensor.zeros([4, 4]), outputSize: (2, 2)) }
    }
}
