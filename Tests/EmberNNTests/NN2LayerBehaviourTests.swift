import Ember
import EmberNN
import Testing

// The layers of issue 20 section 4 as modules: state-dict keys and printed forms as PyTorch's,
// running statistics and evaluation mode, and fold as unfold's adjoint.

@Suite struct NN2LayerBehaviour {
    @Test func stateDictKeysAsPyTorch() {
        #expect(InstanceNorm2d(3, affine: true, trackRunningStats: true).stateDict().keys
            == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
        #expect(InstanceNorm1d(3).stateDict().keys.isEmpty)
        #expect(EmbeddingBag(5, 2).stateDict().keys == ["weight"])
        #expect(Conv3d(2, 4, kernelSize: 3).stateDict().keys == ["weight", "bias"])
        #expect(Conv3d(2, 4, kernelSize: 3).weight.shape == [4, 2, 3, 3, 3])
        #expect(ConvTranspose3d(4, 6, kernelSize: 2, groups: 2).weight.shape == [4, 3, 2, 2, 2])
        #expect(ConvTranspose1d(4, 6, kernelSize: 3, bias: false).stateDict().keys == ["weight"])
    }

    @Test func modulesPrintAsPyTorch() {
        let expected: [(Module, String)] = [
            (InstanceNorm1d(3, affine: true), "InstanceNorm1d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=False)"),
            (EmbeddingBag(5, 2, mode: .sum, paddingIdx: 0), "EmbeddingBag(5, 2, mode=sum, padding_idx=0)"),
            (Upsample(scaleFactor: [2], mode: .bilinear), "Upsample(scale_factor=2.0, mode=bilinear)"),
            (ReplicationPad1d((1, 3)), "ReplicationPad1d((1, 3))"),
            (ZeroPad2d((1, 1, 2, 0)), "ZeroPad2d((1, 1, 2, 0))"),
            (Fold(outputSize: (4, 5), kernelSize: (2, 2)), "Fold(output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=1)"),
            (Unfold(kernelSize: (2, 3)), "Unfold(kernel_size=(2, 3), dilation=1, padding=0, stride=1)"),
            (LocalResponseNorm(2), "LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)"),
            (PixelShuffle(2), "PixelShuffle(upscale_factor=2)"), (PixelUnshuffle(2), "PixelUnshuffle(downscale_factor=2)"),
            (ChannelShuffle(2), "ChannelShuffle(groups=2)"),
            (AdaptiveMaxPool2d((2, 3)), "AdaptiveMaxPool2d(output_size=(2, 3))"), (AdaptiveMaxPool1d(3), "AdaptiveMaxPool1d(output_size=3)"),
            (AdaptiveAvgPool3d((1, 2, 2)), "AdaptiveAvgPool3d(output_size=(1, 2, 2))"),
            (MaxPool3d(2), "MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
            (AvgPool3d(2), "AvgPool3d(kernel_size=2, stride=2, padding=0)"),
            (Conv3d(1, 8, kernelSize: 3, padding: 1), "Conv3d(1, 8, kernel_size=(3, 3, 3), stride=(1, 1, 1), padding=(1, 1, 1))"),
            (ConvTranspose3d(8, 4, kernelSize: 2, stride: 2), "ConvTranspose3d(8, 4, kernel_size=(2, 2, 2), stride=(2, 2, 2))"),
            (ConvTranspose1d(8, 4, kernelSize: 3, stride: 2), "ConvTranspose1d(8, 4, kernel_size=(3,), stride=(2,))"),
        ]
        for (module, text) in expected { #expect(module.description == text) }
    }

    @Test func instanceNormRunningStatisticsInEval() {
        let norm = InstanceNorm2d(2, momentum: 0.5, trackRunningStats: true)
        let x = Tensor.randn([3, 2, 4, 4], generator: Generator(seed: 8)) * 2 + 1
        _ = norm(x)
        #expect(norm.numBatchesTracked!.item(as: Int64.self) == 1)
        let means = x.mean(dims: [2, 3]).mean(dim: 0)
        #expect(closeEnough(norm.runningMean!, means * 0.5))
        norm.eval()
        let y = norm(x)
        let expected = (x - norm.runningMean!.reshape([1, 2, 1, 1])) * (norm.runningVar!.reshape([1, 2, 1, 1]) + 1e-5).rsqrt()
        #expect(closeEnough(y, expected))
        #expect(closeEnough(InstanceNorm2d(2)(x[0]), InstanceNorm2d(2)(x).select(0, 0)))   // unbatched
    }

    @Test func foldIsTheAdjointOfUnfold() {
        // <unfold(x), c> == <x, fold(c)> for any x and columns c.
        let g = Generator(seed: 9)
        let x = Tensor.randn([2, 3, 5, 6], dtype: .float64, generator: g)
        let cols = unfold(x, kernelSize: (2, 3), dilation: (2, 1), padding: (1, 1), stride: (1, 2))
        let c = Tensor.randn(cols.shape, dtype: .float64, generator: g)
        let folded = fold(c, outputSize: (5, 6), kernelSize: (2, 3), dilation: (2, 1), padding: (1, 1), stride: (1, 2))
        #expect(Swift.abs((cols * c).sum().item() - (x * folded).sum().item()) < 1e-9)
    }

    @Test func interpolateIdentityAndUpsampleShapes() {
        let x = Tensor.randn([1, 2, 4, 5], generator: Generator(seed: 10))
        #expect(closeEnough(interpolate(x, size: [4, 5], mode: .bilinear), x))
        #expect(closeEnough(interpolate(x, size: [4, 5], mode: .bicubic, alignCorners: true), x))
        #expect(Upsample(scaleFactor: [2, 3])(x).shape == [1, 2, 8, 15])
        #expect(closeEnough(pixelUnshuffle(pixelShuffle(x.repeat([1, 2, 1, 1]), upscaleFactor: 2), downscaleFactor: 2), x.repeat([1, 2, 1, 1])))
    }

    private func closeEnough(_ a: Tensor, _ b: Tensor) -> Bool {
        a.shape == b.shape && (a - b).abs().max().item() < 1e-5
    }
}
