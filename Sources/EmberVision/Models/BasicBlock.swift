import Ember
import EmberNN

/// ResNet's basic residual block: two 3×3 convolutions with BatchNorm, and a shortcut that
/// adds the input (or its 1×1-projected `downsample` when the shape changes)
/// (torchvision: `torchvision.models.resnet.BasicBlock`).
///
/// ```
/// out = relu(bn2(conv2(relu(bn1(conv1(x))))) + (downsample?(x) ?? x))
/// ```
///
/// The state dict uses torchvision's names: `conv1.weight`, `bn1.weight`, `bn1.bias`,
/// `bn1.running_mean`, `bn1.running_var`, `bn1.num_batches_tracked`, `conv2.*`, `bn2.*`, and
/// with a projection `downsample.0.weight` (the 1×1 convolution) and `downsample.1.*` (its BatchNorm).
///
/// ```swift
/// let block = BasicBlock(64, 128, stride: 2)   // has a downsample projection
/// let y = block(Tensor.randn([8, 64, 32, 32])) // [8, 128, 16, 16]
/// ```
public final class BasicBlock: Module, @unchecked Sendable {
    /// The channel multiplier of the block's output (torchvision: `BasicBlock.expansion`, 1).
    public static let expansion = 1

    /// 3×3 convolution, `inPlanes` → `planes`, with the block's stride, no bias.
    public let conv1: Conv2d
    /// BatchNorm after `conv1`.
    public let bn1: BatchNorm2d
    /// 3×3 convolution, `planes` → `planes`, stride 1, no bias.
    public let conv2: Conv2d
    /// BatchNorm after `conv2` (its weight starts at 0 with `zeroInitResidual`).
    public let bn2: BatchNorm2d
    /// The shortcut's projection, a 1×1 convolution with the block's stride and a BatchNorm,
    /// when the stride is not 1 or the channel count changes; nil for the identity shortcut.
    public let downsample: Sequential?

    /// A block from `inPlanes` to `planes` channels (torchvision:
    /// `BasicBlock(inplanes, planes, stride=1, downsample=None)`; here the projection is made
    /// when `stride != 1 || inPlanes != planes`, as `ResNet._make_layer` does).
    public init(_ inPlanes: Int, _ planes: Int, stride: Int = 1, file: StaticString = #fileID, line: UInt = #line) {
        check(inPlanes > 0 && planes > 0 && stride > 0, "BasicBlock",
              "channels and stride must be positive, got inPlanes \(inPlanes), planes \(planes), stride \(stride)", file: file, line: line)
        conv1 = Conv2d(inPlanes, planes, kernelSize: 3, stride: stride, padding: 1, bias: false)
        bn1 = BatchNorm2d(planes)
        conv2 = Conv2d(planes, planes, kernelSize: 3, stride: 1, padding: 1, bias: false)
        bn2 = BatchNorm2d(planes)
        if stride != 1 || inPlanes != planes * Self.expansion {
            downsample = Sequential(Conv2d(inPlanes, planes * Self.expansion, kernelSize: 1, stride: stride, bias: false),
                                    BatchNorm2d(planes * Self.expansion))
        } else {
            downsample = nil
        }
        super.init()
    }

    /// `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))` for `x` of `[N, inPlanes, H, W]`
    /// (torchvision: `BasicBlock.forward`).
    public override func forward(_ x: Tensor) -> Tensor {
        let h = bn1(conv1(x)).relu()
        let out = bn2(conv2(h))
        let identity = downsample.map { $0(x) } ?? x
        return (out + identity).relu()
    }
}
