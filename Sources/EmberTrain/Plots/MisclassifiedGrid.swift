import Ember
import EmberNN
import EmberVision

/// One image the model got wrong: its true class, the predicted class and the softmax
/// probability of that prediction.
public struct Mistake {
    /// The input image, `[C, H, W]` float in [0, 1].
    public let image: Tensor
    /// The true class index.
    public let truth: Int
    /// The predicted class index.
    public let predicted: Int
    /// The predicted class's probability.
    public let confidence: Double

    /// A mistake on `image`: `truth` predicted as `predicted` with probability `confidence`.
    public init(image: Tensor, truth: Int, predicted: Int, confidence: Double) {
        self.image = image
        self.truth = truth
        self.predicted = predicted
        self.confidence = confidence
    }
}

/// The `count` images of `loader` that `model` (in eval mode) misclassifies with the highest
/// confidence, most confident first: the mistakes worth looking at before any table.
///
/// ```swift
/// let worst = mostConfidentMistakes(model, on: testLoader, count: 16)
/// ```
public func mostConfidentMistakes(_ model: Module, on loader: ClassificationLoader, count: Int = 16) -> [Mistake] {
    let wasTraining = model.training
    _ = model.eval()
    defer { _ = model.train(wasTraining) }
    var worst: [Mistake] = []
    withNoGrad {
        for (x, y) in loader {
            let p = model(x).softmax(dim: 1).to(.float64)
            let best = p.max(dim: 1)
            let conf = best.values.toArray(as: Double.self), pred = best.indices.toArray(as: Int64.self)
            let truth = y.toArray(as: Int64.self)
            for i in 0..<truth.count where pred[i] != truth[i] {
                if worst.count == count, let last = worst.last, conf[i] <= last.confidence { continue }
                worst.append(Mistake(image: x[i], truth: Int(truth[i]), predicted: Int(pred[i]), confidence: conf[i]))
                worst.sort { $0.confidence > $1.confidence }
                if worst.count > count { worst.removeLast() }
            }
        }
    }
    return worst
}

/// The mistakes as one RGB uint8 image `[3, H, W]`: each image enlarged to about 84 pixels,
/// under a caption `T: true class` (green) and `P: predicted NN%` (red), `columns` per row.
///
/// ```swift
/// try writePNG(mistakesGrid(worst, classNames: FashionMNIST.classes), to: "runs/cnn/misclassified.png")
/// ```
public func mistakesGrid(_ mistakes: [Mistake], classNames: [String], columns: Int = 4) -> Tensor {
    guard let first = mistakes.first else { return Tensor.full([3, 8, 8], 255, dtype: .uint8) }
    let h = first.image.shape[first.image.dim - 2], w = first.image.shape[first.image.dim - 1]
    let scale = max(1, min(8, (84 + max(h, w) - 1) / max(h, w)))
    let tileW = max(w * scale, 84), caption = 20
    let chars = (tileW + 1) / 6
    func clip(_ s: String) -> String { s.count <= chars ? s : String(s.prefix(chars - 1)) + "." }
    let tiles: [Tensor] = mistakes.map { m in
        var img = m.image.dim == 2 ? m.image.unsqueeze(0) : m.image
        if img.shape[0] == 1 { img = img.expand([3, h, w]) }
        img = img.narrow(0, start: 0, length: 3)
        let pixels = (img * 255 + 0.5).clamp(min: 0, max: 255).to(.uint8)
        let big = scale == 1 ? pixels : pixels.unsqueeze(2).unsqueeze(4).expand([3, h, scale, w, scale]).reshape([3, h * scale, w * scale])
        let tile = Tensor.zeros([3, caption + h * scale, tileW], dtype: .uint8)
        tile.narrow(1, start: caption, length: h * scale).narrow(2, start: (tileW - w * scale) / 2, length: w * scale).copy_(big)
        let name = { (i: Int) in i < classNames.count ? classNames[i] : "class \(i)" }
        let percent = Int((m.confidence * 100).rounded())
        var out = drawText(tile, clip("T: " + name(m.truth)), x: 1, y: 1, color: (80, 220, 80))
        out = drawText(out, clip("P: \(percent)% " + name(m.predicted)), x: 1, y: 11, color: (255, 90, 90))
        return out
    }
    return makeGrid(Tensor.stack(tiles), nrow: columns, padding: 2, padValue: 255)
}
