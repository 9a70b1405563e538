import Ember
import EmberNN

/// The first layers of a `ResNet`.
public enum ResNetStem: String, Sendable, Codable, CaseIterable {
    /// torchvision's ImageNet stem for 224×224 images: `conv1` 7×7 stride 2 padding 3, `bn1`,
    /// ReLU, `maxpool` 3×3 stride 2 padding 1 (a 32× smaller feature map at `layer4`).
    case imagenet
    /// A stem for small images (28×28, 32×32, as in CIFAR ResNets): `conv1` 3×3 stride 1
    /// padding 1, `bn1`, ReLU, and no max pooling (an 8× smaller feature map at `layer4`).
    case small
}

/// A residual network of `BasicBlock`s (torchvision: `torchvision.models.resnet.ResNet`),
/// with torchvision's state-dict names: `conv1`, `bn1`, `layer1.0.conv1`, ...,
/// `layer2.0.downsample.0`, `layer2.0.downsample.1`, ..., `fc`. A state dict saved from
/// torchvision's `resnet18` loads strictly into `resnet18()` and gives the same logits.
///
/// ```
/// conv1, bn1, ReLU, [maxpool]          (the stem)
/// layer1  blocks × width,   stride 1
/// layer2  blocks × 2·width, stride 2
/// layer3  blocks × 4·width, stride 2
/// layer4  blocks × 8·width, stride 2
/// avgpool to 1×1, flatten, fc 8·width → classes
/// ```
///
/// Convolutions start from kaiming_normal_(mode: fan_out, nonlinearity: relu), BatchNorm from
/// weight 1 and bias 0, `fc` from Linear's default, as torchvision initializes them.
///
/// ```swift
/// let model = resnet18(numClasses: 10)
/// try model.loadStateDict(load("resnet18.safetensors"))     // weights saved by torchvision
/// let logits = model.eval()(images)                          // [N, 3, 224, 224] → [N, 10]
/// ```
open class ResNet: Module, @unchecked Sendable {
    /// The stem's convolution: 7×7 stride 2 (`.imagenet`) or 3×3 stride 1 (`.small`),
    /// `inChannels` → `width`, no bias.
    public let conv1: Conv2d
    /// BatchNorm after `conv1`.
    public let bn1: BatchNorm2d
    /// The stem's 3×3 stride-2 max pooling (`.imagenet`), nil for `.small`.
    public let maxpool: MaxPool2d?
    /// `width` channels, stride 1.
    public let layer1: Sequential
    /// `2·width` channels, the first block strides by 2.
    public let layer2: Sequential
    /// `4·width` channels, the first block strides by 2.
    public let layer3: Sequential
    /// `8·width` channels, the first block strides by 2.
    public let layer4: Sequential
    /// Averages each channel to 1×1 (torchvision: `nn.AdaptiveAvgPool2d((1, 1))`).
    public let avgpool: AdaptiveAvgPool2d
    /// The classifier, `8·width` → classes.
    public let fc: Linear
    /// The stem.
    public let stem: ResNetStem
    /// The channels of `layer1` (torchvision's ResNet has 64).
    public let width: Int

    /// A ResNet of `BasicBlock`s with `layers[i]` blocks in stage i+1 (torchvision:
    /// `ResNet(BasicBlock, layers, num_classes=1000, zero_init_residual=False)`, with
    /// `inChannels`, `width` and `stem` added for gray, narrower and small-image networks).
    /// `zeroInitResidual` starts each block's `bn2` weight at 0, so every block begins as
    /// the identity (torchvision: `zero_init_residual=True`).
    public init(layers: [Int] = [2, 2, 2, 2], numClasses: Int = 1000, inChannels: Int = 3, width: Int = 64,
                stem: ResNetStem = .imagenet, zeroInitResidual: Bool = false,
                file: StaticString = #fileID, line: UInt = #line) {
        check(layers.count == 4 && layers.allSatisfy { $0 > 0 }, "ResNet",
              "layers must be four positive block counts, got \(layers)", file: file, line: line)
        check(numClasses > 0 && inChannels > 0 && width > 0, "ResNet",
              "numClasses, inChannels and width must be positive, got \(numClasses), \(inChannels), \(width)", file: file, line: line)
        self.stem = stem
        self.width = width
        switch stem {
        case .imagenet:
            conv1 = Conv2d(inChannels, width, kernelSize: 7, stride: 2, padding: 3, bias: false)
            maxpool = MaxPool2d(3, stride: 2, padding: 1)
        case .small:
            conv1 = Conv2d(inChannels, width, kernelSize: 3, stride: 1, padding: 1, bias: false)
            maxpool = nil
        }
        bn1 = BatchNorm2d(width)
        func stage(_ inPlanes: Int, _ planes: Int, _ blocks: Int, stride: Int) -> Sequential {
            Sequential((0..<blocks).map { i in
                BasicBlock(i == 0 ? inPlanes : planes * BasicBlock.expansion, planes, stride: i == 0 ? stride : 1)
            })
        }
        layer1 = stage(width, width, layers[0], stride: 1)
        layer2 = stage(width, 2 * width, layers[1], stride: 2)
        layer3 = stage(2 * width, 4 * width, layers[2], stride: 2)
        layer4 = stage(4 * width, 8 * width, layers[3], stride: 2)
        avgpool = AdaptiveAvgPool2d(1)
        fc = Linear(8 * width * BasicBlock.expansion, numClasses)
        super.init()
        resetResNetParameters(zeroInitResidual: zeroInitResidual)
    }

    /// Draws the convolutions from kaiming_normal_(fan_out, relu), sets BatchNorm to weight 1
    /// and bias 0 (`bn2` of each block to weight 0 with `zeroInitResidual`), as torchvision's
    /// `ResNet.__init__` does; `fc` keeps Linear's default.
    private func resetResNetParameters(zeroInitResidual: Bool) {
        withNoGrad {
            for module in modules() {
                if let conv = module as? Conv2d {
                    Init.kaimingNormal_(conv.weight, mode: .fanOut, nonlinearity: .relu)
                } else if let bn = module as? BatchNorm2d {
                    if let w = bn.weight { Init.ones_(w) }
                    if let b = bn.bias { Init.zeros_(b) }
                }
            }
            if zeroInitResidual {
                for stage in [layer1, layer2, layer3, layer4] {
                    for case let block as BasicBlock in stage.layers { if let w = block.bn2.weight { Init.zeros_(w) } }
                }
            }
        }
    }

    /// Logits `[N, classes]` for images `[N, C, H, W]` (torchvision: `ResNet.forward`).
    open override func forward(_ x: Tensor) -> Tensor {
        var h = bn1(conv1(x)).relu()
        if let maxpool { h = maxpool(h) }
        h = layer4(layer3(layer2(layer1(h))))
        return fc(avgpool(h).flatten(startDim: 1))
    }
}

/// ResNet-18 with torchvision's ImageNet layout (torchvision:
/// `torchvision.models.resnet18(num_classes=numClasses)`): 7×7/2 stem and 3×3/2 max pooling,
/// [2, 2, 2, 2] BasicBlocks of 64, 128, 256, 512 channels; its state dict has exactly
/// torchvision's keys and shapes (for `inChannels: 3`).
///
/// ```swift
/// let model = resnet18(numClasses: 10)
/// try model.loadStateDict(load("resnet18.safetensors"))   // strict
/// ```
public func resnet18(numClasses: Int = 1000, inChannels: Int = 3, zeroInitResidual: Bool = false,
                     file: StaticString = #fileID, line: UInt = #line) -> ResNet {
    ResNet(layers: [2, 2, 2, 2], numClasses: numClasses, inChannels: inChannels, stem: .imagenet,
           zeroInitResidual: zeroInitResidual, file: file, line: line)
}

/// ResNet-18 for small images (28×28 MNIST, 32×32 CIFAR): a 3×3 stride-1 stem and no max
/// pooling, then torchvision's `resnet18` stages with `width`, 2·`width`, 4·`width` and
/// 8·`width` channels. Its keys are torchvision `resnet18`'s; with `width: 64` only `conv1`'s
/// shape differs (`[64, C, 3, 3]` instead of `[64, C, 7, 7]`). torchvision has no such
/// constructor; in PyTorch it is `resnet18()` with `conv1` replaced by
/// `nn.Conv2d(C, 64, 3, 1, 1, bias=False)` and `maxpool` by `nn.Identity()`.
///
/// ```swift
/// let model = resnet18Small(numClasses: 10, inChannels: 1, width: 32)
/// let logits = model(images)   // [N, 1, 28, 28] → [N, 10]
/// ```
public func resnet18Small(numClasses: Int = 10, inChannels: Int = 3, width: Int = 64, zeroInitResidual: Bool = false,
                          file: StaticString = #fileID, line: UInt = #line) -> ResNet {
    ResNet(layers: [2, 2, 2, 2], numClasses: numClasses, inChannels: inChannels, width: width, stem: .small,
           zeroInitResidual: zeroInitResidual, file: file, line: line)
}
