import Ember
import EmberNN
import EmberVision

/// A single-stage detector on an 8×8 grid (stride 4) over 32×32 images, in the spirit of
/// YOLO/FCOS: three conv blocks, then per cell an objectness logit, class logits and a box
/// (centre offset in the cell through a sigmoid, width and height as `8 · exp(t)`).
final class GridDetector: Module, @unchecked Sendable {
    static let stride = 4, cells = 8, anchor: Float = 8
    let conv1 = Conv2d(1, 16, kernelSize: 3, padding: 1)
    let conv2 = Conv2d(16, 32, kernelSize: 3, padding: 1)
    let conv3 = Conv2d(32, 64, kernelSize: 3, padding: 1)
    let conv4 = Conv2d(64, 64, kernelSize: 3, padding: 1)
    let head: Conv2d
    let pool = MaxPool2d(2)
    let classes: Int

    init(classes: Int) {
        self.classes = classes
        head = Conv2d(64, 1 + classes + 4, kernelSize: 1)
        super.init()
    }

    /// `[N, 1 + classes + 4, 8, 8]`.
    override func forward(_ x: Tensor) -> Tensor {
        var h = pool(conv1(x).relu())        // 16×16
        h = pool(conv2(h).relu())            // 8×8
        h = conv3(h).relu()
        h = conv4(h).relu()
        return head(h)
    }

    /// The raw outputs as `[N, 64, 1 + classes + 4]` (one row per cell, row-major over the grid).
    func cellsOf(_ out: Tensor) -> Tensor {
        out.permute([0, 2, 3, 1]).reshape([out.shape[0], Self.cells * Self.cells, 1 + classes + 4])
    }

    /// Boxes xyxy in pixels from the box outputs `[M, 4]` of cells `cellIndex` (`[M]`, 0..<64).
    static func decode(_ t: Tensor, cellIndex: [Int]) -> Tensor {
        let col = Tensor(cellIndex.map { Float($0 % cells) }, shape: [cellIndex.count, 1], dtype: .float32)
        let row = Tensor(cellIndex.map { Float($0 / cells) }, shape: [cellIndex.count, 1], dtype: .float32)
        let cx = (col + t.narrow(1, start: 0, length: 1).sigmoid()) * Double(stride)
        let cy = (row + t.narrow(1, start: 1, length: 1).sigmoid()) * Double(stride)
        let wh = t.narrow(1, start: 2, length: 2).clamp(min: -4, max: 4).exp() * Double(anchor)
        return boxConvert(Tensor.cat([cx, cy, wh], dim: 1), from: .cxcywh, to: .xyxy)
    }
}

/// The training targets of a batch: per cell whether an object's centre falls in it, and for
/// those cells the object's class and box.
struct Targets {
    var objectness: Tensor         // [N, 64] float 0/1
    var positives: [Int]           // flat indices n * 64 + cell
    var labels: Tensor             // [P] int64
    var boxes: Tensor              // [P, 4] xyxy

    init(_ objects: ArraySlice<[(label: Int, box: [Float])]>) {
        var obj = [Float](repeating: 0, count: objects.count * 64)
        var positives: [Int] = [], labels: [Int64] = [], boxes: [Float] = []
        for (n, list) in objects.enumerated() {
            for o in list {
                let cx = (o.box[0] + o.box[2]) / 2, cy = (o.box[1] + o.box[3]) / 2
                let cell = min(Int(cy) / GridDetector.stride, 7) * 8 + min(Int(cx) / GridDetector.stride, 7)
                if obj[n * 64 + cell] == 1 { continue }   // one object per cell
                obj[n * 64 + cell] = 1
                positives.append(n * 64 + cell)
                labels.append(Int64(o.label))
                boxes += o.box
            }
        }
        objectness = Tensor(obj, shape: [objects.count, 64], dtype: .float32)
        self.positives = positives
        self.labels = Tensor(labels, shape: nil, dtype: .int64)
        self.boxes = Tensor(boxes, shape: [positives.count, 4], dtype: .float32)
    }
}

/// Objectness (binary cross-entropy over every cell), class (cross-entropy) and box
/// (generalized IoU loss) on the cells holding an object.
func detectionLoss(_ model: GridDetector, _ out: Tensor, _ t: Targets) -> Tensor {
    let cells = model.cellsOf(out)
    let n = cells.shape[0]
    let flat = cells.reshape([n * 64, 1 + model.classes + 4])
    let objectness = binaryCrossEntropyWithLogits(flat.select(1, 0).reshape([n, 64]), t.objectness)
    guard !t.positives.isEmpty else { return objectness }
    let pos = flat.indexSelect(0, Tensor(t.positives.map(Int64.init), shape: nil, dtype: .int64))
    let cls = crossEntropy(pos.narrow(1, start: 1, length: model.classes), t.labels)
    let boxes = GridDetector.decode(pos.narrow(1, start: 1 + model.classes, length: 4), cellIndex: t.positives.map { $0 % 64 })
    let box = generalizedBoxIouLoss(boxes, t.boxes, reduction: .mean)
    return objectness * 5 + cls + box * 2
}

/// One detection: image, class, score and xyxy box.
struct Detection {
    var image: Int
    var label: Int
    var score: Float
    var box: [Float]
}

/// Every image's detections after thresholding (`score = objectness · class probability`)
/// and non-maximum suppression per class (`batchedNms`).
func detect(_ model: GridDetector, _ images: Tensor, firstImage: Int, scoreThreshold: Float = 0.05) -> [Detection] {
    let cells = model.cellsOf(model(images))
    var found: [Detection] = []
    for n in 0..<cells.shape[0] {
        let c = cells[n]
        let obj = c.select(1, 0).sigmoid()
        let probs = c.narrow(1, start: 1, length: model.classes).softmax(dim: 1)
        let best = probs.max(dim: 1)
        let scores = (obj * best.values).toArray(as: Float.self)
        let keepCells = scores.indices.filter { scores[$0] >= scoreThreshold }
        if keepCells.isEmpty { continue }
        let index = Tensor(keepCells.map(Int64.init), shape: nil, dtype: .int64)
        let boxes = GridDetector.decode(c.narrow(1, start: 1 + model.classes, length: 4).indexSelect(0, index), cellIndex: keepCells)
        let labels = best.indices.indexSelect(0, index)
        let s = Tensor(keepCells.map { scores[$0] }, shape: nil, dtype: .float32)
        let keep = batchedNms(boxes, s, categories: labels, iouThreshold: 0.4).toArray(as: Int64.self).map(Int.init)
        let b = boxes.toArray(as: Float.self), l = labels.toArray(as: Int64.self)
        for k in keep {
            found.append(Detection(image: firstImage + n, label: Int(l[k]), score: scores[keepCells[k]], box: Array(b[(4 * k)..<(4 * k + 4)])))
        }
    }
    return found
}
