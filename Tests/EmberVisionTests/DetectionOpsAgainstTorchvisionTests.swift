import Ember
import EmberTestSupport
import EmberVision
import Testing

// torchvision.ops 0.14 on float32 boxes and features (Tests/Fixtures/vision_ops.safetensors):
// values within float32's default tolerance, the GIoU loss's and RoIAlign's input gradients
// too; NMS indices exactly.

private let formats: [(String, BoxFormat)] = [("xyxy", .xyxy), ("xywh", .xywh), ("cxcywh", .cxcywh)]

let visionOpCases: [OpCase] = [
    OpCase("box_iou") { boxIou($0[0], $0[1]) },
    OpCase("generalized_box_iou") { generalizedBoxIou($0[0], $0[1]) },
    OpCase("giou_loss.none") { generalizedBoxIouLoss($0[0], $0[1]) },
    OpCase("giou_loss.mean") { generalizedBoxIouLoss($0[0], $0[1], reduction: .mean) },
    OpCase("giou_loss.sum") { generalizedBoxIouLoss($0[0], $0[1], reduction: .sum) },
    OpCase("nms.0.5") { nms($0[0], $0[1], iouThreshold: 0.5) },
    OpCase("nms.0.2") { nms($0[0], $0[1], iouThreshold: 0.2) },
    OpCase("batched_nms") { batchedNms($0[0], $0[1], categories: $0[2], iouThreshold: 0.4) },
    OpCase("roi_align.s2.aligned", atol: 1e-5) { roiAlign($0[0], rois: $0[1], outputSize: (3, 4), samplingRatio: 2, aligned: true) },
    OpCase("roi_align.adaptive", atol: 1e-5) { roiAlign($0[0], rois: $0[1], outputSize: (2, 2), spatialScale: 0.5) },
    OpCase("roi_align.adaptive.aligned", atol: 1e-5) { roiAlign($0[0], rois: $0[1], outputSize: (3, 3), aligned: true) },
] + formats.flatMap { s in
    formats.filter { $0.0 != s.0 }.map { d in OpCase("box_convert.\(s.0).\(d.0)") { boxConvert($0[0], from: s.1, to: d.1) } }
}

@Suite struct DetectionOpsAgainstTorchvision {
    @Test(arguments: visionOpCases) func op(_ c: OpCase) { checkAgainstFixture("vision_ops", c) }

    @Test func tableCoversFixture() { checkFixtureCoverage("vision_ops", visionOpCases) }

    @Test func nmsKeepsEverythingAtThresholdOneAndOneBoxOfDuplicates() {
        let boxes = Tensor([[0, 0, 10, 10], [0, 0, 10, 10], [20, 20, 30, 30]] as [[Float]])
        let scores = Tensor([0.5, 0.9, 0.7] as [Float])
        #expect(nms(boxes, scores, iouThreshold: 0.5).toArray(as: Int64.self) == [1, 2])
        #expect(nms(boxes, scores, iouThreshold: 1).toArray(as: Int64.self) == [1, 2, 0])
        let none = nms(Tensor(empty: [0, 4]), Tensor(empty: [0]), iouThreshold: 0.5)
        #expect(none.shape == [0] && none.dtype == .int64)
    }

    @Test func boxConvertRoundTrips() {
        let b = Tensor([[1, 2, 5, 9], [0, 0, 3, 4]] as [[Float]])
        for (_, f) in formats {
            assertClose(boxConvert(boxConvert(b, from: .xyxy, to: f), from: f, to: .xyxy), b, "round trip through \(f)")
        }
    }

    @Test func roiAlignTakesBoxesPerImage() {
        let x = Tensor.randn([2, 3, 10, 12], generator: Generator(seed: 3))
        let first = Tensor([[1.2, 0.7, 7.9, 6.1]] as [[Float]]), second = Tensor([[0, 0, 11, 9], [3.3, 2.1, 5, 8.8]] as [[Float]])
        let rois = Tensor([[0, 1.2, 0.7, 7.9, 6.1], [1, 0, 0, 11, 9], [1, 3.3, 2.1, 5, 8.8]] as [[Float]])
        let a = roiAlign(x, boxes: [first, second], outputSize: (2, 3), samplingRatio: 2)
        #expect(a.shape == [3, 3, 2, 3] && a.equal(roiAlign(x, rois: rois, outputSize: (2, 3), samplingRatio: 2)))
    }
}
