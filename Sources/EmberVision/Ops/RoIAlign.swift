import Ember

/// Bilinearly sampled, average-pooled features of each region of interest (torchvision:
/// `torchvision.ops.roi_align(input, boxes, output_size, spatial_scale, sampling_ratio, aligned)`).
///
/// `input` is `[N, C, H, W]`; `rois` is `[K, 5]`: the batch index, then `x1, y1, x2, y2` in the
/// image's coordinates, scaled by `spatialScale` onto the feature map. Each of the
/// `outputSize` bins averages a grid of `samplingRatio × samplingRatio` samples (or
/// `ceil(roi size / bins)` per side when `samplingRatio <= 0`); `aligned` shifts by half a pixel
/// so box edges fall on pixel edges. Returns `[K, C, outH, outW]`, differentiable in `input`
/// (the samples are one gather and weighted sum, so the gradient scatters back through them).
///
/// ```swift
/// let pooled = roiAlign(features, rois: rois, outputSize: (7, 7), spatialScale: 1.0 / 16, samplingRatio: 2, aligned: true)
/// ```
public func roiAlign(_ input: Tensor, rois: Tensor, outputSize: (height: Int, width: Int), spatialScale: Double = 1,
                     samplingRatio: Int = -1, aligned: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(input.dim == 4 && input.dtype.isFloatingPoint, "roiAlign", "expected a floating-point input [N, C, H, W], got \(input.dtype) \(input.shape)", file: file, line: line)
    check(rois.dim == 2 && rois.shape[1] == 5, "roiAlign", "expected rois of shape [K, 5] (batch index, x1, y1, x2, y2), got \(rois.shape)", file: file, line: line)
    check(outputSize.height > 0 && outputSize.width > 0, "roiAlign", "outputSize must be positive, got \(outputSize)", file: file, line: line)
    let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (ph, pw) = outputSize
    let r = rois.detach().to(.float64).contiguous().toArray(as: Double.self)
    let k = rois.shape[0]
    var cells: [[(Int, Double)]] = []
    cells.reserveCapacity(k * ph * pw)
    for roi in 0..<k {
        let b = r[5 * roi]
        check(b >= 0 && b < Double(n) && b == b.rounded(.down), "roiAlign",
              "roi \(roi) names batch index \(b), but the input holds \(n) images", file: file, line: line)
        check(r[(5 * roi + 1)...(5 * roi + 4)].allSatisfy(\.isFinite), "roiAlign", "roi \(roi) has a coordinate that is not finite", file: file, line: line)
        let batch = Int(b)
        let offset = aligned ? 0.5 : 0
        let x0 = r[5 * roi + 1] * spatialScale - offset, y0 = r[5 * roi + 2] * spatialScale - offset
        var rw = r[5 * roi + 3] * spatialScale - offset - x0, rh = r[5 * roi + 4] * spatialScale - offset - y0
        if !aligned { rw = max(rw, 1); rh = max(rh, 1) }
        let binH = rh / Double(ph), binW = rw / Double(pw)
        let gridH = samplingRatio > 0 ? samplingRatio : Int((rh / Double(ph)).rounded(.up))
        let gridW = samplingRatio > 0 ? samplingRatio : Int((rw / Double(pw)).rounded(.up))
        let count = Double(max(gridH * gridW, 1))
        for py in 0..<ph {
            for px in 0..<pw {
                var taps: [(Int, Double)] = []
                for iy in 0..<max(gridH, 0) {
                    let y = y0 + Double(py) * binH + (Double(iy) + 0.5) * binH / Double(gridH)
                    for ix in 0..<max(gridW, 0) {
                        let x = x0 + Double(px) * binW + (Double(ix) + 0.5) * binW / Double(gridW)
                        bilinearTaps(y: y, x: x, h: h, w: w, base: batch * h * w, scale: 1 / count, into: &taps)
                    }
                }
                cells.append(taps)
            }
        }
    }
    let width = max(cells.map(\.count).max() ?? 1, 1)
    var index = [Int64](repeating: 0, count: cells.count * width), weight = [Double](repeating: 0, count: cells.count * width)
    for (i, taps) in cells.enumerated() {
        for (j, tap) in taps.enumerated() {
            index[i * width + j] = Int64(tap.0)
            weight[i * width + j] = tap.1
        }
    }
    let rows = input.permute([0, 2, 3, 1]).reshape([n * h * w, c])
    let gathered = rows.indexSelect(0, Tensor(index, shape: nil, dtype: .int64)) * Tensor(weight, shape: [index.count, 1], dtype: input.dtype)
    let pooled = gathered.reshape([k, ph, pw, width, c]).sum(dim: 3)
    return pooled.permute([0, 3, 1, 2]).contiguous()
}

/// The four taps of torchvision's `bilinear_interpolate` at `(y, x)` (none outside the map).
private func bilinearTaps(y: Double, x: Double, h: Int, w: Int, base: Int, scale: Double, into taps: inout [(Int, Double)]) {
    if y < -1 || y > Double(h) || x < -1 || x > Double(w) { return }
    var y = max(y, 0), x = max(x, 0)
    var yLow = Int(y), xLow = Int(x), yHigh: Int, xHigh: Int
    if yLow >= h - 1 { yLow = h - 1; yHigh = h - 1; y = Double(yLow) } else { yHigh = yLow + 1 }
    if xLow >= w - 1 { xLow = w - 1; xHigh = w - 1; x = Double(xLow) } else { xHigh = xLow + 1 }
    let ly = y - Double(yLow), lx = x - Double(xLow), hy = 1 - ly, hx = 1 - lx
    taps.append((base + yLow * w + xLow, hy * hx * scale))
    taps.append((base + yLow * w + xHigh, hy * lx * scale))
    taps.append((base + yHigh * w + xLow, ly * hx * scale))
    taps.append((base + yHigh * w + xHigh, ly * lx * scale))
}

/// `roiAlign` with one `[L_i, 4]` tensor of xyxy boxes per image instead of batch-indexed rois
/// (torchvision: `roi_align(input, boxes: List[Tensor], ...)`); the output rows follow the
/// boxes in order, image by image.
///
/// ```swift
/// let pooled = roiAlign(features, boxes: [boxesOfImage0, boxesOfImage1], outputSize: (7, 7), spatialScale: 0.25)
/// ```
public func roiAlign(_ input: Tensor, boxes: [Tensor], outputSize: (height: Int, width: Int), spatialScale: Double = 1,
                     samplingRatio: Int = -1, aligned: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(boxes.allSatisfy { $0.dim == 2 && $0.shape[1] == 4 }, "roiAlign",
          "expected one [L, 4] tensor of boxes per image, got shapes \(boxes.map(\.shape))", file: file, line: line)
    let rois = boxes.enumerated().map { i, b in
        Tensor.cat([Tensor.full([b.shape[0], 1], Double(i), dtype: b.dtype), b.detach()], dim: 1)
    }
    let all = rois.isEmpty ? Tensor.zeros([0, 5], dtype: input.dtype) : Tensor.cat(rois, dim: 0)
    return roiAlign(input, rois: all, outputSize: outputSize, spatialScale: spatialScale, samplingRatio: samplingRatio,
                    aligned: aligned, file: file, line: line)
}
