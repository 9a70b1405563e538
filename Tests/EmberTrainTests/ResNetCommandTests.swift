import Ember
import EmberTrain
import EmberVision
import Foundation
import Testing

/// `ember train --model resnet`: a narrow ResNet-18 trains for one epoch on a slice of
/// Fashion-MNIST, saves torchvision's state-dict names, and `ember eval` rebuilds it from the
/// run's configuration.
@Suite(.serialized) struct ResNetCommandTests {
    let ember = emberExecutable()

    @Test func trainsOneEpochAndSavesTorchvisionKeys() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let out = dir + "/run"
        let r = try runProcess(ember, ["train", "--model", "resnet", "--width", "4", "--epochs", "1", "--train-limit", "256",
                                       "--batch-size", "64", "--val-split", "0.25", "--augment", "--quiet", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let config = try RunConfig.parse(try String(contentsOfFile: out + "/config.json", encoding: .utf8), path: out)
        #expect(config.model == .resnet && config.width == 4)

        let saved = try load(out + "/model.safetensors")
        let expected = resnet18Small(numClasses: 10, inChannels: 1, width: 4).stateDict()
        #expect(saved.keys.sorted() == expected.keys.sorted())
        for key in expected.keys { #expect(saved[key]?.shape == expected[key]!.shape, "\(key)") }
        // torchvision resnet18's names, for example:
        for key in ["conv1.weight", "bn1.running_var", "layer1.0.conv1.weight", "layer2.0.downsample.0.weight",
                    "layer2.0.downsample.1.num_batches_tracked", "layer4.1.bn2.bias", "fc.weight", "fc.bias"] {
            #expect(saved[key] != nil, "model.safetensors lacks \(key)")
        }
        #expect(saved["conv1.weight"]!.shape == [4, 1, 3, 3] && saved["fc.weight"]!.shape == [10, 32])

        let eval = try runProcess(ember, ["eval", out])
        #expect(eval.status == 0 && eval.stdout.contains("accuracy"), "\(eval.stderr)")
    }

    @Test func widthIsOnlyForResNetAndPositive() throws {
        var c = RunConfig()
        c.model = .resnet
        c.width = 16
        try c.validate()
        c.width = 0
        #expect(throws: RunError.badConfig("--width must be in 1...1024, got 0")) { try c.validate() }
        c.model = .cnn
        c.width = 16
        #expect(throws: RunError.badConfig("--width goes with --model resnet")) { try c.validate() }
        c.model = .resnet
        c.width = nil
        c.dataset = "csv:/tmp/x.csv"
        #expect(throws: RunError.badConfig("--model resnet needs images; use --model mlp with a CSV dataset")) { try c.validate() }
    }

    @Test func theModelAdaptsItsStemToTheImageSize() {
        let small = ResNetClassifier(classes: 3, imageShape: [3, 32, 32], width: 4)
        #expect(small.stem == .small && small.maxpool == nil)
        #expect(small(Tensor.randn([2, 3 * 32 * 32])).shape == [2, 3])
        let large = ResNetClassifier(classes: 5, imageShape: [3, 128, 160], width: 4)
        #expect(large.stem == .imagenet && large.maxpool != nil)
        #expect(large.conv1.kernelSize.0 == 7 && large.conv1.stride.0 == 2)
    }
}
