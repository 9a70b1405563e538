/// Mean average precision at an IoU threshold (PASCAL VOC 2010+, all-point interpolation):
/// per class, detections by decreasing score are true positives when they overlap a not yet
/// matched ground-truth box of their class by at least `iou`; AP is the area under the
/// precision envelope over recall; mAP averages the classes.
func meanAveragePrecision(_ detections: [Detection], truth: [[(label: Int, box: [Float])]], classes: Int, iou: Float = 0.5) -> (map: Double, perClass: [Double]) {
    var perClass: [Double] = []
    for c in 0..<classes {
        let dets = detections.filter { $0.label == c }.sorted { $0.score > $1.score }
        var matched = truth.map { $0.map { _ in false } }
        let positives = truth.reduce(0) { $0 + $1.filter { $0.label == c }.count }
        if positives == 0 { continue }
        var tp: [Double] = [], fp: [Double] = []
        for d in dets {
            var bestIoU: Float = 0, bestK = -1
            for (k, t) in truth[d.image].enumerated() where t.label == c {
                let v = boxPairIoU(d.box, t.box)
                if v > bestIoU { bestIoU = v; bestK = k }
            }
            if bestK >= 0 && bestIoU >= iou && !matched[d.image][bestK] {
                matched[d.image][bestK] = true
                tp.append(1); fp.append(0)
            } else {
                tp.append(0); fp.append(1)
            }
        }
        var ctp = 0.0, cfp = 0.0
        var recall: [Double] = [0], precision: [Double] = [1]
        for k in tp.indices {
            ctp += tp[k]; cfp += fp[k]
            recall.append(ctp / Double(positives))
            precision.append(ctp / (ctp + cfp))
        }
        // The precision envelope, then the area under it.
        for k in stride(from: precision.count - 2, through: 0, by: -1) { precision[k] = max(precision[k], precision[k + 1]) }
        var ap = 0.0
        for k in 1..<recall.count { ap += (recall[k] - recall[k - 1]) * precision[k] }
        perClass.append(ap)
    }
    return (perClass.isEmpty ? 0 : perClass.reduce(0, +) / Double(perClass.count), perClass)
}

/// IoU of two xyxy boxes.
func boxPairIoU(_ a: [Float], _ b: [Float]) -> Float {
    let w = max(0, min(a[2], b[2]) - max(a[0], b[0])), h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    let inter = w * h
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return union > 0 ? inter / union : 0
}
