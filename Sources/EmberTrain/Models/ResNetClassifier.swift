import Ember
import EmberNN
import EmberVision

/// The ResNet-18 `ember train --model resnet` trains: EmberVision's `ResNet` with
/// torchvision's state-dict names (`conv1`, `bn1`, `layer1.0.conv1`, ..., `fc`), adapted to the
/// data's channels and image size:
///
/// - images smaller than 128×128 (28×28 Fashion-MNIST, 32×32 CIFAR) get the small stem (3×3
///   stride-1 `conv1`, no max pooling), as `resnet18Small`;
/// - larger images get torchvision's ImageNet stem (7×7 stride-2 `conv1` and 3×3 max pooling).
///
/// `width` sets the channels of `layer1` (64 in torchvision; 16 or 32 train several times
/// faster). Inputs are standardized with fixed constants first, `(x - inputMean) / inputStd`
/// (not state, as in `CNN`), and flattened inputs `[N, C·H·W]` are reshaped to `imageShape`.
/// In PyTorch the state dict loads into `torchvision.models.resnet18(num_classes=classes)`
/// with `conv1` replaced to match (see `resnet18Small`).
///
/// ```swift
/// let model = ResNetClassifier(classes: 10, imageShape: [1, 28, 28], width: 32)
/// let logits = model(images)   // [N, 1, 28, 28] → [N, 10]
/// ```
public final class ResNetClassifier: ResNet, @unchecked Sendable {
    /// Subtracted from the input.
    public let inputMean: Double
    /// The input is divided by this.
    public let inputStd: Double
    /// The input images' `[C, H, W]`.
    public let imageShape: [Int]

    /// The smallest image side that gets torchvision's ImageNet stem; smaller images get the small stem.
    public static let imagenetStemMinSide = 128

    /// A ResNet-18 for `classes` classes of `imageShape` images (`[C, H, W]`).
    public init(classes: Int = 10, imageShape: [Int] = [1, 28, 28], width: Int = 64, zeroInitResidual: Bool = false,
                inputMean: Double = 0, inputStd: Double = 1, file: StaticString = #fileID, line: UInt = #line) {
        check(imageShape.count == 3 && imageShape.allSatisfy { $0 > 0 }, "ResNetClassifier",
              "imageShape must be [C, H, W] with positive sizes, got \(imageShape)", file: file, line: line)
        self.imageShape = imageShape
        self.inputMean = inputMean
        self.inputStd = inputStd
        let stem: ResNetStem = min(imageShape[1], imageShape[2]) >= Self.imagenetStemMinSide ? .imagenet : .small
        super.init(layers: [2, 2, 2, 2], numClasses: classes, inChannels: imageShape[0], width: width, stem: stem,
                   zeroInitResidual: zeroInitResidual, file: file, line: line)
    }

    /// Logits `[N, classes]` for images `[N, C, H, W]` (or flattened, `[N, C·H·W]`).
    public override func forward(_ x: Tensor) -> Tensor {
        var h = x.dim == 2 ? x.reshape([x.shape[0]] + imageShape) : x
        if inputMean != 0 || inputStd != 1 { h = (h - inputMean) / inputStd }
        return super.forward(h)
    }
}

extension ModelZoo {
    /// The ResNet-18 of `config` (`--width`, default 64).
    static func makeResNet(_ config: RunConfig, numClasses: Int, imageShape: [Int], pixelStatistics: (mean: Double, std: Double)) -> Module {
        ResNetClassifier(classes: numClasses, imageShape: imageShape, width: config.width ?? RunConfig.defaultResNetWidth,
                         inputMean: pixelStatistics.mean, inputStd: pixelStatistics.std)
    }
}
