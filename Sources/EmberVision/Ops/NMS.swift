import Ember

/// Non-maximum suppression: the indices (int64, by decreasing score) of the boxes kept after
/// dropping every box whose IoU with a higher-scoring kept box exceeds `iouThreshold`
/// (torchvision: `torchvision.ops.nms(boxes, scores, iou_threshold)`). Boxes are `[N, 4]` xyxy.
///
/// ```swift
/// let keep = nms(boxes, scores, iouThreshold: 0.5)
/// let kept = boxes.indexSelect(0, keep)
/// ```
public func nms(_ boxes: Tensor, _ scores: Tensor, iouThreshold: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkBoxes(boxes, "nms", file: file, line: line)
    check(scores.dim == 1 && scores.shape[0] == boxes.shape[0], "nms",
          "expected one score per box: scores \(scores.shape) for boxes \(boxes.shape)", file: file, line: line)
    let b = boxes.detach().to(.float32).contiguous().toArray(as: Float.self)
    let order = scores.detach().argsort(dim: 0, descending: true).toArray(as: Int64.self).map(Int.init)
    return Tensor(suppress(b, order: order, threshold: Float(iouThreshold)).map(Int64.init), shape: nil, dtype: .int64)
}

/// torchvision's CPU `nms_kernel`: walk boxes by score, keep one, suppress later boxes above
/// the threshold (float32 arithmetic, as torchvision's float kernel).
private func suppress(_ b: [Float], order: [Int], threshold: Float) -> [Int] {
    let n = order.count
    var suppressed = [Bool](repeating: false, count: n)
    var keep: [Int] = []
    func area(_ i: Int) -> Float { (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]) }
    for a in 0..<n where !suppressed[a] {
        let i = order[a]
        keep.append(i)
        let ia = area(i)
        for c in (a + 1)..<max(n, a + 1) where !suppressed[c] {
            let j = order[c]
            let w = max(0, min(b[4 * i + 2], b[4 * j + 2]) - max(b[4 * i], b[4 * j]))
            let h = max(0, min(b[4 * i + 3], b[4 * j + 3]) - max(b[4 * i + 1], b[4 * j + 1]))
            let inter = w * h
            if inter / (ia + area(j) - inter) > threshold { suppressed[c] = true }
        }
    }
    return keep
}

/// NMS within each category: boxes of different `categories` (int64 `[N]`) never suppress
/// each other; the kept indices come by decreasing score (torchvision:
/// `torchvision.ops.batched_nms(boxes, scores, idxs, iou_threshold)`).
///
/// ```swift
/// let keep = batchedNms(boxes, scores, categories: labels, iouThreshold: 0.5)
/// ```
public func batchedNms(_ boxes: Tensor, _ scores: Tensor, categories: Tensor, iouThreshold: Double,
                       file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkBoxes(boxes, "batchedNms", file: file, line: line)
    check(scores.dim == 1 && scores.shape[0] == boxes.shape[0] && categories.dim == 1 && categories.shape[0] == boxes.shape[0], "batchedNms",
          "expected one score and one category per box: scores \(scores.shape), categories \(categories.shape), boxes \(boxes.shape)", file: file, line: line)
    let b = boxes.detach().to(.float32).contiguous().toArray(as: Float.self)
    let s = scores.detach().to(.float64).contiguous().toArray(as: Double.self)
    let cats = categories.to(.int64).contiguous().toArray(as: Int64.self)
    let order = scores.detach().argsort(dim: 0, descending: true).toArray(as: Int64.self).map(Int.init)
    var byCategory: [Int64: [Int]] = [:]
    for i in order { byCategory[cats[i], default: []].append(i) }
    var kept: [Int] = []
    for (_, members) in byCategory { kept += suppress(b, order: members, threshold: Float(iouThreshold)) }
    // Decreasing score; ties by the position in the global score order, as a stable merge would.
    let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
    kept.sort { s[$0] != s[$1] ? s[$0] > s[$1] : rank[$0]! < rank[$1]! }
    return Tensor(kept.map(Int64.init), shape: nil, dtype: .int64)
}
