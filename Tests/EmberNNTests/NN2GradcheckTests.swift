import Ember
import EmberNN
import Testing

// Every new differentiable op of issue 20 section 4 under gradcheck in float64: the gradients
// autograd computes against central finite differences, on random inputs away from kinks.

/// One op under gradcheck: its name, its float64 input shapes (scaled by `scale`, or made
/// positive), and the function of those inputs.
struct NN2GradcheckCase: CustomTestStringConvertible, Sendable {
    let name: String
    let shapes: [[Int]]
    let scale: Double
    let positive: Bool
    let f: @Sendable ([Tensor]) -> Tensor
    var testDescription: String { name }

    init(_ name: String, _ shapes: [[Int]], scale: Double = 1, positive: Bool = false, _ f: @escaping @Sendable ([Tensor]) -> Tensor) {
        (self.name, self.shapes, self.scale, self.positive, self.f) = (name, shapes, scale, positive, f)
    }

    func inputs() -> [Tensor] {
        let g = Generator(seed: 11)
        return shapes.map { shape in
            let base = positive ? Tensor.rand(shape, dtype: .float64, generator: g) + 0.2 : Tensor.randn(shape, dtype: .float64, generator: g)
            return (base * scale).detach().requiresGrad_()
        }
    }
}

private let labels = Tensor([[1.0, -1.0, 1.0, -1.0], [-1.0, -1.0, 1.0, 1.0], [1.0, 1.0, -1.0, 1.0]], dtype: .float64)
private let counts = Tensor([[0.0, 1.0, 3.0, 2.0], [5.0, 0.0, 1.0, 4.0], [2.0, 2.0, 0.0, 7.0]], dtype: .float64)
private let bits = Tensor([[1.0, 0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0, 1.0], [1.0, 1.0, 0.0, 1.0, 0.0]], dtype: .float64)

let nn2GradcheckCases: [NN2GradcheckCase] = [
    NN2GradcheckCase("mish", [[3, 4]], scale: 2) { mish($0[0]) },
    NN2GradcheckCase("hardswish", [[3, 4]], scale: 2.5) { hardswish($0[0]) },
    NN2GradcheckCase("hardsigmoid", [[3, 4]], scale: 2.5) { hardsigmoid($0[0]) },
    NN2GradcheckCase("selu", [[3, 4]]) { selu($0[0]) },
    NN2GradcheckCase("celu", [[3, 4]]) { celu($0[0], alpha: 0.6) },
    NN2GradcheckCase("relu6", [[3, 4]], scale: 4) { relu6($0[0] + 2) },
    NN2GradcheckCase("softsign", [[3, 4]]) { softsign($0[0]) },
    NN2GradcheckCase("tanhshrink", [[3, 4]]) { tanhshrink($0[0]) },
    NN2GradcheckCase("threshold", [[3, 4]]) { threshold($0[0], threshold: 0.1, value: 3) },
    NN2GradcheckCase("glu", [[3, 4]]) { glu($0[0], dim: 1) },
    NN2GradcheckCase("logSigmoid", [[3, 4]], scale: 4) { logSigmoid($0[0]) },
    NN2GradcheckCase("softmin", [[3, 4]]) { softmin($0[0], dim: 0) },
    NN2GradcheckCase("softmax2d", [[2, 3, 2, 2]]) { softmax2d($0[0]) },
    NN2GradcheckCase("gelu tanh", [[3, 4]], scale: 2) { gelu($0[0], approximate: "tanh") },
    NN2GradcheckCase("pairwiseDistance", [[3, 4], [3, 4]]) { pairwiseDistance($0[0], $0[1], p: 3) },
    NN2GradcheckCase("poissonNLLLoss", [[3, 4]]) { poissonNLLLoss($0[0], counts, full: true, reduction: .none) },
    NN2GradcheckCase("poissonNLLLoss rate", [[3, 4]], positive: true) { poissonNLLLoss($0[0], counts, logInput: false, reduction: .sum) },
    NN2GradcheckCase("gaussianNLLLoss", [[3, 4], [3, 4], [3]], positive: true) {
        gaussianNLLLoss($0[0], $0[1], variance: $0[2], full: true, reduction: .none)
    },
    NN2GradcheckCase("hingeEmbeddingLoss", [[3, 4]]) { hingeEmbeddingLoss($0[0], labels, margin: 0.8, reduction: .none) },
    NN2GradcheckCase("softMarginLoss", [[3, 4]], scale: 2) { softMarginLoss($0[0], labels) },
    NN2GradcheckCase("multilabelSoftMarginLoss", [[3, 5], [5]]) { multilabelSoftMarginLoss($0[0], bits, weight: $0[1], reduction: .none) },
    NN2GradcheckCase("multilabelMarginLoss", [[3, 5]]) {
        multilabelMarginLoss($0[0], Tensor([[3, 0, -1, 1, 2], [4, 4, 1, 2, -1], [0, 1, 2, 3, 4]] as [[Int]]), reduction: .none)
    },
    NN2GradcheckCase("multiMarginLoss p2 weight", [[4, 5], [5]], scale: 0.5) {
        multiMarginLoss($0[0], Tensor([0, 3, 4, 1] as [Int]), p: 2, margin: 0.9, weight: $0[1], reduction: .none)
    },
    NN2GradcheckCase("tripletMarginLoss swap", [[4, 3], [4, 3], [4, 3]]) {
        tripletMarginLoss($0[0], $0[1], $0[2], margin: 2, swap: true, reduction: .none)
    },
    NN2GradcheckCase("tripletMarginWithDistanceLoss", [[4, 3], [4, 3], [4, 3]]) {
        tripletMarginWithDistanceLoss($0[0], $0[1], $0[2], distance: { ($0 - $1).square().sum(dim: 1) }, margin: 3, reduction: .none)
    },
    NN2GradcheckCase("ctcLoss on logits", [[6, 2, 4]]) {
        ctcLoss($0[0].logSoftmax(dim: 2), Tensor([[1, 2, 2], [3, 1, 0]] as [[Int]]), inputLengths: [6, 5], targetLengths: [3, 2], reduction: .none)
    },
    NN2GradcheckCase("ctcLoss on log-probabilities", [[5, 2, 3]], scale: 0.5) {
        ctcLoss($0[0], Tensor([1, 1, 2] as [Int]), inputLengths: [5, 4], targetLengths: [2, 1], blank: 0, reduction: .mean)
    },
    NN2GradcheckCase("ctcLoss zeroInfinity", [[4, 2, 3]]) {
        ctcLoss($0[0].logSoftmax(dim: 2), Tensor([[1, 1, 2], [2, 0, 0]] as [[Int]]), inputLengths: [3, 4], targetLengths: [3, 1],
                reduction: .sum, zeroInfinity: true)
    },
    NN2GradcheckCase("pixelShuffle pixelUnshuffle", [[1, 4, 2, 3], [1, 1, 4, 2]]) {
        Tensor.cat([pixelShuffle($0[0], upscaleFactor: 2).reshape([-1]), pixelUnshuffle($0[1], downscaleFactor: 2).reshape([-1])])
    },
    NN2GradcheckCase("channelShuffle", [[2, 6, 2]]) { channelShuffle($0[0], groups: 2) * Tensor.arange(6, dtype: .float64).reshape([1, 6, 1]) },
    NN2GradcheckCase("pad reflect replicate circular", [[1, 2, 3, 4]]) {
        pad($0[0], [2, 1, 1, 2], mode: .reflect).sum(dim: 1) + pad($0[0], [2, 1, 1, 2], mode: .replicate).sum(dim: 1) * 0.5
            + pad($0[0], [2, 1, 1, 2], mode: .circular).sum(dim: 1) * 0.25
    },
    NN2GradcheckCase("instanceNorm", [[2, 3, 5], [3], [3]]) { instanceNorm($0[0], weight: $0[1], bias: $0[2]) },
    NN2GradcheckCase("localResponseNorm", [[2, 4, 3]]) { localResponseNorm($0[0], size: 3, alpha: 0.5, k: 1) },
    NN2GradcheckCase("adaptiveMaxPool2d", [[1, 2, 5, 4]]) { adaptiveMaxPool2d($0[0], outputSize: (3, 3)) },
    NN2GradcheckCase("adaptiveMaxPool1d", [[2, 2, 7]]) { adaptiveMaxPool1d($0[0], outputSize: 3) },
    NN2GradcheckCase("adaptiveMaxPool2d divisible", [[1, 2, 4, 6]]) { adaptiveMaxPool2d($0[0], outputSize: (2, 3)) },
    NN2GradcheckCase("interpolate trilinear", [[1, 1, 2, 3, 2]]) { interpolate($0[0], size: [3, 4, 3], mode: .trilinear) },
    NN2GradcheckCase("adaptiveAvgPool3d", [[1, 1, 3, 4, 5]]) { adaptiveAvgPool3d($0[0], outputSize: (2, 3, 2)) },
    NN2GradcheckCase("interpolate bilinear", [[1, 1, 3, 4]]) { interpolate($0[0], size: [5, 3], mode: .bilinear) },
    NN2GradcheckCase("interpolate bicubic aligned", [[1, 1, 3, 4]]) { interpolate($0[0], size: [4, 6], mode: .bicubic, alignCorners: true) },
    NN2GradcheckCase("interpolate nearest", [[1, 2, 3]]) { interpolate($0[0], scaleFactor: [1.7]) },
    NN2GradcheckCase("unfold", [[1, 2, 4, 5]]) { unfold($0[0], kernelSize: (2, 2), padding: (1, 0), stride: (1, 2)) },
    NN2GradcheckCase("fold", [[1, 8, 10]]) { fold($0[0], outputSize: (4, 5), kernelSize: (2, 2), padding: (1, 0), stride: (1, 2)) },
    NN2GradcheckCase("embeddingBag sum weighted", [[6, 3], [7]]) {
        embeddingBag(Tensor([1, 2, 4, 5, 4, 3, 2] as [Int]), weight: $0[0], offsets: Tensor([0, 2, 2] as [Int]), mode: .sum, perSampleWeights: $0[1])
    },
    NN2GradcheckCase("embeddingBag mean max", [[6, 3]]) {
        embeddingBag(Tensor([[1, 2, 4], [5, 4, 4]] as [[Int]]), weight: $0[0]) + embeddingBag(Tensor([[1, 2, 4], [5, 0, 3]] as [[Int]]), weight: $0[0], mode: .max)
    },
    NN2GradcheckCase("conv3d", [[1, 2, 4, 3, 3], [2, 1, 2, 2, 2], [2]]) {
        conv3d($0[0], $0[1], bias: $0[2], stride: (2, 1, 1), padding: (1, 1, 0), groups: 2)
    },
    NN2GradcheckCase("convTranspose3d", [[1, 2, 2, 2, 2], [2, 2, 2, 2, 2], [2]]) {
        convTranspose3d($0[0], $0[1], bias: $0[2], stride: (2, 1, 2), padding: (1, 0, 0), outputPadding: (1, 0, 1))
    },
    NN2GradcheckCase("maxPool3d", [[1, 1, 4, 4, 3]]) { maxPool3d($0[0], kernelSize: (2, 2, 2), stride: (1, 2, 1), padding: (1, 0, 1)) },
    NN2GradcheckCase("avgPool3d", [[1, 1, 4, 4, 3]]) { avgPool3d($0[0], kernelSize: (3, 2, 2), stride: (2, 1, 1), padding: (1, 1, 0), ceilMode: true, countIncludePad: false) },
]

@Suite struct NN2Gradcheck {
    @Test(arguments: nn2GradcheckCases) func gradients(_ c: NN2GradcheckCase) {
        let result = gradcheck(c.f, inputs: c.inputs())
        #expect(result.passed, "\(c.name): \(result)")
    }
}
