import Ember
import EmberNN
import EmberTestSupport
import Testing

// The layers of issue 20 section 4 (pixel and channel shuffles, padding modes, instance and
// local response normalization, adaptive pooling, interpolation, fold/unfold, embedding bags)
// checked against PyTorch 1.13 in float32, from Tests/Fixtures/nn2.safetensors.

let nn2LayerCases: [OpCase] = [
    OpCase("pixel_shuffle") { PixelShuffle(2)($0[0]) },
    OpCase("pixel_unshuffle") { PixelUnshuffle(2)($0[0]) },
    OpCase("channel_shuffle") { ChannelShuffle(3)($0[0]) },
    OpCase("pad.zero2d") { ZeroPad2d((1, 2, 0, 3))($0[0]) },
    OpCase("pad.reflect2d") { ReflectionPad2d((2, 1, 1, 3))($0[0]) },
    OpCase("pad.replicate2d") { ReplicationPad2d((3, 0, 2, 1))($0[0]) },
    OpCase("pad.reflect1d") { ReflectionPad1d(2)($0[0]) },
    OpCase("pad.replicate1d") { ReplicationPad1d((1, 3))($0[0]) },
    OpCase("pad.circular") { pad($0[0], [2, 3], mode: .circular) },
    OpCase("instance_norm.affine") { instanceNorm($0[0], weight: $0[1], bias: $0[2], eps: 1e-3) },
    OpCase("instance_norm.1d") { InstanceNorm1d(3)($0[0]) },
    OpCase("instance_norm.running", multi: { t in
        let rm = Tensor.zeros([3]), rv = Tensor.ones([3])
        return [instanceNorm(t[0], runningMean: rm, runningVar: rv, useInputStats: true, momentum: 0.2), rm, rv]
    }),
    OpCase("instance_norm.eval") { instanceNorm($0[0], runningMean: $0[1], runningVar: $0[2], useInputStats: false) },
    OpCase("local_response_norm") { LocalResponseNorm(3, alpha: 0.5, beta: 0.75, k: 1.5)($0[0]) },
    OpCase("local_response_norm.3d") { localResponseNorm($0[0], size: 2, alpha: 0.3) },
    OpCase("adaptive_max_pool1d") { AdaptiveMaxPool1d(3)($0[0]) },
    OpCase("adaptive_max_pool2d") { AdaptiveMaxPool2d((3, 2))($0[0]) },
    OpCase("adaptive_max_pool2d.divisible") { AdaptiveMaxPool2d((3, 2))($0[0]) },
    OpCase("adaptive_max_pool2d.unbatched") { adaptiveMaxPool2d($0[0], outputSize: (2, 2)) },
    OpCase("adaptive_avg_pool1d") { AdaptiveAvgPool1d(4)($0[0]) },
    OpCase("adaptive_avg_pool3d") { AdaptiveAvgPool3d((2, 3, 4))($0[0]) },
    OpCase("interp.nearest1d") { interpolate($0[0], scaleFactor: [2.5]) },
    OpCase("interp.nearest2d") { Upsample(size: [7, 3])($0[0]) },
    OpCase("interp.linear") { interpolate($0[0], scaleFactor: [2.5], mode: .linear) },
    OpCase("interp.bilinear") { interpolate($0[0], size: [7, 9], mode: .bilinear) },
    OpCase("interp.bilinear_corners") { Upsample(scaleFactor: [1.5], mode: .bilinear, alignCorners: true)($0[0]) },
    OpCase("interp.bilinear_down") { interpolate($0[0], size: [3, 2], mode: .bilinear) },
    OpCase("interp.bicubic") { interpolate($0[0], size: [6, 7], mode: .bicubic) },
    OpCase("interp.bicubic_corners") { interpolate($0[0], size: [3, 8], mode: .bicubic, alignCorners: true) },
    // Bicubic weights change sign, so the gradient sums cancel and keep fewer float32 digits.
    OpCase("interp.bicubic_scale", rtol: 1e-4, atol: 1e-5) { interpolate($0[0], scaleFactor: [1.7, 0.6], mode: .bicubic) },
    OpCase("interp.nearest_down") { interpolate($0[0], scaleFactor: [0.45]) },
    OpCase("interp.trilinear") { interpolate($0[0], size: [5, 3, 4], mode: .trilinear) },
    OpCase("unfold") { Unfold(kernelSize: (2, 3), dilation: (1, 2), padding: (1, 1), stride: (2, 1))($0[0]) },
    OpCase("fold") { Fold(outputSize: (5, 6), kernelSize: (2, 3), dilation: (1, 2), padding: (1, 1), stride: (2, 1))($0[0]) },
    OpCase("embedding_bag.mean") { embeddingBag($0[0], weight: $0[2], offsets: $0[1]) },
    OpCase("embedding_bag.sum_weights") { embeddingBag($0[0], weight: $0[2], offsets: $0[1], mode: .sum, perSampleWeights: $0[3]) },
    OpCase("embedding_bag.max_2d") { embeddingBag($0[0], weight: $0[1], mode: .max) },
    OpCase("embedding_bag.padding_last_offset") {
        embeddingBag($0[0], weight: $0[2], offsets: $0[1], includeLastOffset: true, paddingIdx: 0)
    },
    OpCase("conv3d") { conv3d($0[0], $0[1], bias: $0[2], stride: (2, 1, 1), padding: (1, 0, 1), dilation: (1, 2, 1)) },
    OpCase("conv3d.groups") { conv3d($0[0], $0[1], groups: 2) },
    OpCase("conv_transpose3d") { convTranspose3d($0[0], $0[1], bias: $0[2], stride: (2, 2, 2), padding: (1, 1, 1), outputPadding: (1, 0, 1)) },
    OpCase("conv_transpose3d.dilated_groups") { convTranspose3d($0[0], $0[1], groups: 2, dilation: (2, 1, 1)) },
    OpCase("conv_transpose1d") { t in
        let m = ConvTranspose1d(3, 4, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1)
        m.weight = t[1]
        m.bias = t[2]
        return m(t[0])
    },
    OpCase("max_pool3d") { maxPool3d($0[0], kernelSize: (2, 3, 2), stride: (2, 1, 2), padding: (1, 1, 0)) },
    OpCase("max_pool3d.ceil_dilated") { maxPool3d($0[0], kernelSize: (2, 2, 2), dilation: (2, 1, 1), ceilMode: true) },
    OpCase("avg_pool3d") { avgPool3d($0[0], kernelSize: (2, 3, 2), stride: (2, 1, 2), padding: (1, 1, 0)) },
    OpCase("avg_pool3d.exclude_pad_ceil") { AvgPool3d(3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false)($0[0]) },
]

@Suite struct NN2LayersAgainstPyTorch {
    @Test(arguments: nn2LayerCases) func layer(_ c: OpCase) { checkAgainstFixture("nn2", c) }
}
