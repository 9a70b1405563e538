import Foundation
import Ember
import EmberNN
import Testing

// The one `Loss` protocol and `Reduction` enum across every loss, the printed form of the new
// modules (PyTorch's repr), and the errors a misuse stops with (exit tests).

/// A loss of two tensors through the protocol alone, as generic training code calls it.
private func pairLoss(_ loss: some Loss, _ input: Tensor, _ target: Tensor) -> Double { loss(input, target).item() }

@Suite struct NN2Behaviour {
    @Test func everyLossConformsToLoss() {
        let losses: [any Loss] = [
            MSELoss(), L1Loss(), SmoothL1Loss(), HuberLoss(), CrossEntropyLoss(), NLLLoss(), BCELoss(), BCEWithLogitsLoss(),
            KLDivLoss(reduction: .batchMean), CosineEmbeddingLoss(), MarginRankingLoss(), PoissonNLLLoss(), GaussianNLLLoss(),
            HingeEmbeddingLoss(), SoftMarginLoss(), MultiLabelSoftMarginLoss(), MultiLabelMarginLoss(), MultiMarginLoss(),
            TripletMarginLoss(), TripletMarginWithDistanceLoss(), CTCLoss(),
        ]
        let arity = losses.map { type(of: $0).inputNames.count }
        #expect(arity == [2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 2, 3, 2, 2, 2, 2, 2, 3, 3, 4])
        #expect(CTCLoss.inputNames == ["log_probs", "targets", "input_lengths", "target_lengths"])
        #expect(losses[8].reduction == .batchMean)
        #expect(losses.dropFirst(9).allSatisfy { $0.reduction == .mean })
    }

    @Test func arrayFormMatchesTypedCalls() {
        let g = Generator(seed: 1)
        let a = Tensor.randn([4, 3], generator: g), b = Tensor.randn([4, 3], generator: g), c = Tensor.randn([4, 3], generator: g)
        #expect(MSELoss()([a, b]).item() == MSELoss()(a, b).item())
        #expect(pairLoss(SoftMarginLoss(), a, b.sign()) == softMarginLoss(a, b.sign()).item())
        #expect(TripletMarginLoss()([a, b, c]).item() == tripletMarginLoss(a, b, c).item())
        let y = Tensor([1.0, -1.0, 1.0, -1.0]), u = a.select(1, 0), v = b.select(1, 0)
        #expect(MarginRankingLoss(margin: 0.2)([u, v, y]).item() == MarginRankingLoss(margin: 0.2)(u, v, y).item())
        var loss: any Loss = GaussianNLLLoss()
        loss.reduction = .sum
        #expect(loss([a, b, c.abs()]).item() == gaussianNLLLoss(a, b, variance: c.abs(), reduction: .sum).item())
    }

    @Test func klDivBatchMeanIsAReduction() {
        let x = Tensor.randn([4, 5], generator: Generator(seed: 2)).logSoftmax(dim: 1)
        let p = Tensor.randn([4, 5], generator: Generator(seed: 3)).softmax(dim: 1)
        let sum = klDiv(x, p, reduction: .sum).item()
        #expect(Swift.abs(KLDivLoss(reduction: .batchMean)(x, p).item() - sum / 4) < 1e-6)
    }

    @Test func ctcMeanDividesByTargetLengths() {
        let lp = Tensor.randn([6, 2, 4], generator: Generator(seed: 4)).logSoftmax(dim: 2)
        let targets = Tensor([[1, 2, 3], [2, 0, 0]] as [[Int]])
        let each = ctcLoss(lp, targets, inputLengths: [6, 6], targetLengths: [3, 1], reduction: .none).toArray()
        let mean = ctcLoss(lp, targets, inputLengths: [6, 6], targetLengths: [3, 1]).item()
        #expect(Swift.abs(mean - Double(each[0] / 3 + each[1] / 1) / 2) < 1e-5)
        #expect(each.allSatisfy { $0 > 0 && $0.isFinite })
        let impossible = ctcLoss(lp, targets, inputLengths: [2, 6], targetLengths: [3, 1], reduction: .none).toArray()
        #expect(impossible[0] == .infinity && impossible[1] == each[1])
    }

    @Test func modulesPrintAsPyTorch() {
        #expect(Threshold(0.1, 20).description == "Threshold(threshold=0.1, value=20)")
        #expect(CELU().description == "CELU(alpha=1.0)")
        #expect(GLU().description == "GLU(dim=-1)")
        #expect(Softmin(dim: 1).description == "Softmin(dim=1)")
        let plain: [(Module, String)] = [
            (Mish(), "Mish()"), (ReLU6(), "ReLU6()"), (Hardswish(), "Hardswish()"), (Hardsigmoid(), "Hardsigmoid()"),
            (SELU(), "SELU()"), (Softsign(), "Softsign()"), (Tanhshrink(), "Tanhshrink()"), (LogSigmoid(), "LogSigmoid()"),
            (Softmax2d(), "Softmax2d()"), (PairwiseDistance(), "PairwiseDistance()"),
        ]
        for (module, text) in plain { #expect(module.description == text) }
    }

    private func stderrText(_ result: ExitTest.Result?) -> String {
        String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    }

    @Test func batchMeanOutsideKLDivStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = MSELoss(reduction: .batchMean)(Tensor.zeros([2, 3]), Tensor.zeros([2, 3]))
        }
        let text = stderrText(result)
        #expect(text.contains("[mseLoss] reduction .batchMean is only defined for klDiv / KLDivLoss"), "\(text)")
    }

    @Test func wrongTensorCountStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = TripletMarginLoss()(Tensor.zeros([2, 3]), Tensor.zeros([2, 3]))
        }
        let text = stderrText(result)
        #expect(text.contains("TripletMarginLoss takes 3 tensors (anchor, positive, negative), got 2"), "\(text)")
    }

    @Test func gluNeedsAnEvenDim() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = glu(Tensor.zeros([2, 5]))
        }
        let text = stderrText(result)
        #expect(text.contains("[glu] halving dimension must be even, but dimension 1 of shape [2, 5] is size 5"), "\(text)")
    }
}
