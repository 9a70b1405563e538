import Ember

/// How a box's four numbers are laid out (torchvision: the `in_fmt`/`out_fmt` strings of `box_convert`).
public enum BoxFormat: String, Sendable, CaseIterable {
    /// Corners: `x1, y1, x2, y2` (torchvision: `"xyxy"`).
    case xyxy
    /// Top-left corner and size: `x, y, w, h` (torchvision: `"xywh"`).
    case xywh
    /// Centre and size: `cx, cy, w, h` (torchvision: `"cxcywh"`).
    case cxcywh
}

/// Boxes `[..., 4]` converted from `from` to `to` (torchvision: `torchvision.ops.box_convert(boxes, in_fmt, out_fmt)`).
/// Differentiable.
///
/// ```swift
/// let corners = boxConvert(predicted, from: .cxcywh, to: .xyxy)
/// ```
public func boxConvert(_ boxes: Tensor, from: BoxFormat, to: BoxFormat, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(boxes.dim >= 1 && boxes.shape[boxes.dim - 1] == 4, "boxConvert", "expected boxes of shape [..., 4], got \(boxes.shape)", file: file, line: line)
    if from == to { return boxes }
    let c = boxes.unbind(-1)
    // Everything goes through corners, as torchvision does.
    let (x1, y1, x2, y2): (Tensor, Tensor, Tensor, Tensor)
    switch from {
    case .xyxy: (x1, y1, x2, y2) = (c[0], c[1], c[2], c[3])
    case .xywh: (x1, y1, x2, y2) = (c[0], c[1], c[0] + c[2], c[1] + c[3])
    case .cxcywh: (x1, y1, x2, y2) = (c[0] - c[2] * 0.5, c[1] - c[3] * 0.5, c[0] + c[2] * 0.5, c[1] + c[3] * 0.5)
    }
    switch to {
    case .xyxy: return Tensor.stack([x1, y1, x2, y2], dim: -1)
    case .xywh: return Tensor.stack([x1, y1, x2 - x1, y2 - y1], dim: -1)
    case .cxcywh: return Tensor.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], dim: -1)
    }
}

/// The areas `(x2 - x1)(y2 - y1)` of boxes `[N, 4]` in xyxy form (torchvision: `torchvision.ops.box_area`).
///
/// ```swift
/// let areas = boxArea(boxes)   // [N]
/// ```
public func boxArea(_ boxes: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkBoxes(boxes, "boxArea", file: file, line: line)
    let c = boxes.unbind(-1)
    return (c[2] - c[0]) * (c[3] - c[1])
}

func checkBoxes(_ boxes: Tensor, _ op: StaticString, file: StaticString, line: UInt) {
    check(boxes.dim == 2 && boxes.shape[1] == 4, op, "expected boxes of shape [N, 4] (x1, y1, x2, y2), got \(boxes.shape)", file: file, line: line)
    check(boxes.dtype.isFloatingPoint, op, "expected floating-point boxes, got \(boxes.dtype)", file: file, line: line)
}

/// Intersection and union of every pair of boxes, `[N, M]` each.
private func interUnion(_ a: Tensor, _ b: Tensor) -> (inter: Tensor, union: Tensor) {
    let areaA = boxArea(a), areaB = boxArea(b)
    let lt = a.narrow(1, start: 0, length: 2).unsqueeze(1).maximum(b.narrow(1, start: 0, length: 2))
    let rb = a.narrow(1, start: 2, length: 2).unsqueeze(1).minimum(b.narrow(1, start: 2, length: 2))
    let wh = (rb - lt).clamp(min: 0)
    let inter = wh.select(-1, 0) * wh.select(-1, 1)
    return (inter, areaA.unsqueeze(1) + areaB - inter)
}

/// Intersection over union of every box in `a` `[N, 4]` with every box in `b` `[M, 4]`, xyxy
/// form: `[N, M]` (torchvision: `torchvision.ops.box_iou`). Differentiable.
///
/// ```swift
/// let iou = boxIou(predicted, truth)   // [N, M] in [0, 1]
/// ```
public func boxIou(_ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkBoxes(a, "boxIou", file: file, line: line)
    checkBoxes(b, "boxIou", file: file, line: line)
    let (inter, union) = interUnion(a, b)
    return inter / union
}

/// Generalized IoU of every pair, `[N, M]` in [-1, 1]: the IoU minus the share of the smallest
/// enclosing box that neither box covers (torchvision: `torchvision.ops.generalized_box_iou`).
///
/// ```swift
/// let giou = generalizedBoxIou(predicted, truth)
/// ```
public func generalizedBoxIou(_ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkBoxes(a, "generalizedBoxIou", file: file, line: line)
    checkBoxes(b, "generalizedBoxIou", file: file, line: line)
    let (inter, union) = interUnion(a, b)
    let iou = inter / union
    let lt = a.narrow(1, start: 0, length: 2).unsqueeze(1).minimum(b.narrow(1, start: 0, length: 2))
    let rb = a.narrow(1, start: 2, length: 2).unsqueeze(1).maximum(b.narrow(1, start: 2, length: 2))
    let wh = (rb - lt).clamp(min: 0)
    let area = wh.select(-1, 0) * wh.select(-1, 1)
    return iou - (area - union) / area
}

/// How a loss over many boxes is reduced (torchvision: `reduction`).
public enum BoxLossReduction: String, Sendable {
    /// One loss per box pair.
    case none
    /// The mean (0 for no boxes).
    case mean
    /// The sum.
    case sum
}

/// `1 - GIoU` of matching boxes `a[i]`, `b[i]` (`[N, 4]` each, xyxy), with `eps` guarding the
/// divisions (torchvision: `torchvision.ops.generalized_box_iou_loss(boxes1, boxes2, reduction, eps)`).
/// Differentiable in both.
///
/// ```swift
/// let loss = generalizedBoxIouLoss(predicted, truth, reduction: .mean)
/// loss.backward()
/// ```
public func generalizedBoxIouLoss(_ a: Tensor, _ b: Tensor, reduction: BoxLossReduction = .none, eps: Double = 1e-7,
                                  file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    checkBoxes(a, "generalizedBoxIouLoss", file: file, line: line)
    check(a.shape == b.shape, "generalizedBoxIouLoss", "boxes must pair up: shapes \(a.shape) and \(b.shape) differ", file: file, line: line)
    let p = a.unbind(-1), g = b.unbind(-1)
    let iw = (p[2].minimum(g[2]) - p[0].maximum(g[0])).clamp(min: 0)
    let ih = (p[3].minimum(g[3]) - p[1].maximum(g[1])).clamp(min: 0)
    let inter = iw * ih
    let union = (p[2] - p[0]) * (p[3] - p[1]) + (g[2] - g[0]) * (g[3] - g[1]) - inter
    let iou = inter / (union + eps)
    let enclosing = (p[2].maximum(g[2]) - p[0].minimum(g[0])) * (p[3].maximum(g[3]) - p[1].minimum(g[1]))
    let loss = 1 - (iou - (enclosing - union) / (enclosing + eps))
    switch reduction {
    case .none: return loss
    case .sum: return loss.sum()
    case .mean: return loss.numel > 0 ? loss.mean() : loss.sum() * 0
    }
}
