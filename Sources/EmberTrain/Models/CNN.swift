import Ember
import EmberNN

/// The small convolutional network `ember train --model cnn` trains, shown for 28×28 gray
/// images (other sizes and channel counts change `conv1`'s inputs and `fc1`'s width to
/// `64 · ⌊H/4⌋ · ⌊W/4⌋`):
///
/// ```
/// conv1 C→32 3×3 pad 1, [bn1], ReLU, max pool 2      [N, 32, 14, 14]
/// conv2 32→64 3×3 pad 1, [bn2], ReLU, max pool 2     [N, 64, 7, 7]
/// flatten, fc1 3136→128, [bn3], ReLU, [dropout]      [N, 128]
/// fc2 128→classes                                    [N, classes]
/// ```
///
/// BatchNorm layers (`bn1`, `bn2`, `bn3`) and dropout are optional. Inputs are standardized
/// with fixed constants first: `(x - inputMean) / inputStd` (not state: the state dict holds
/// only the layers, with PyTorch's names).
///
/// ```swift
/// let model = CNN(classes: 10, inputMean: 0.2860, inputStd: 0.3530)
/// let logits = model(images)   // images [N, 1, 28, 28] → [N, 10]
/// ```
public final class CNN: Module, @unchecked Sendable {
    /// First convolution, 1 → 32 channels.
    public let conv1: Conv2d
    /// BatchNorm after `conv1`, when enabled.
    public let bn1: BatchNorm2d?
    /// Second convolution, 32 → 64 channels.
    public let conv2: Conv2d
    /// BatchNorm after `conv2`, when enabled.
    public let bn2: BatchNorm2d?
    /// 2×2 max pooling after each convolution.
    public let pool: MaxPool2d
    /// The hidden fully connected layer, 3136 → 128.
    public let fc1: Linear
    /// BatchNorm after `fc1`, when enabled.
    public let bn3: BatchNorm1d?
    /// The output layer, 128 → classes.
    public let fc2: Linear
    /// Dropout after the hidden layer's activation (p = 0 is the identity).
    public let dropout: Dropout
    /// Subtracted from the input.
    public let inputMean: Double
    /// The input is divided by this.
    public let inputStd: Double
    /// The input images' `[C, H, W]`.
    public let imageShape: [Int]

    /// The CNN for `classes` classes of `imageShape` images (`[C, H, W]`, H and W at least 4).
    public init(classes: Int = 10, imageShape: [Int] = [1, 28, 28], batchNorm: Bool = false, dropout p: Double = 0,
                inputMean: Double = 0, inputStd: Double = 1, file: StaticString = #fileID, line: UInt = #line) {
        check(imageShape.count == 3 && imageShape[0] > 0 && imageShape[1] >= 4 && imageShape[2] >= 4, "CNN",
              "imageShape must be [C, H, W] with H and W at least 4, got \(imageShape)", file: file, line: line)
        self.imageShape = imageShape
        conv1 = Conv2d(imageShape[0], 32, kernelSize: 3, padding: 1)
        bn1 = batchNorm ? BatchNorm2d(32) : nil
        conv2 = Conv2d(32, 64, kernelSize: 3, padding: 1)
        bn2 = batchNorm ? BatchNorm2d(64) : nil
        pool = MaxPool2d(2)
        fc1 = Linear(64 * (imageShape[1] / 4) * (imageShape[2] / 4), 128)
        bn3 = batchNorm ? BatchNorm1d(128) : nil
        fc2 = Linear(128, classes)
        dropout = Dropout(p: p)
        self.inputMean = inputMean
        self.inputStd = inputStd
        super.init()
    }

    /// Logits `[N, classes]` for images `[N, C, H, W]` (or flattened, `[N, C·H·W]`).
    public override func forward(_ x: Tensor) -> Tensor {
        var h = x.dim == 2 ? x.reshape([x.shape[0]] + imageShape) : x
        if inputMean != 0 || inputStd != 1 { h = (h - inputMean) / inputStd }
        h = conv1(h)
        if let bn1 { h = bn1(h) }
        h = pool(h.relu())
        h = conv2(h)
        if let bn2 { h = bn2(h) }
        h = pool(h.relu()).flatten(startDim: 1)
        h = fc1(h)
        if let bn3 { h = bn3(h) }
        h = dropout(h.relu())
        return fc2(h)
    }
}

extension ModelZoo {
    /// The small CNN of `config`.
    static func makeCNN(_ config: RunConfig, numClasses: Int, imageShape: [Int], pixelStatistics: (mean: Double, std: Double)) throws -> Module {
        CNN(classes: numClasses, imageShape: imageShape, batchNorm: config.batchNorm, dropout: config.dropout,
            inputMean: pixelStatistics.mean, inputStd: pixelStatistics.std)
    }
}
