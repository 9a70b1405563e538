import Ember
import EmberNN

/// Builds the models `ember train --model` names, from a run's configuration.
public enum ModelZoo {
    /// The model of `config` for data with `inputFeatures` features per sample and
    /// `numClasses` classes, initialized from `Generator.default` (seed it first). The CNN and
    /// the ResNet take images of `imageShape` (`[C, H, W]`; nil for data that are not images).
    public static func make(_ config: RunConfig, inputFeatures: Int, numClasses: Int, pixelStatistics: (mean: Double, std: Double),
                            imageShape: [Int]? = [1, 28, 28]) throws -> Module {
        switch config.model {
        case .mlp:
            return MLP(inputs: inputFeatures, classes: numClasses, batchNorm: config.batchNorm, dropout: config.dropout,
                       inputMean: pixelStatistics.mean, inputStd: pixelStatistics.std)
        case .cnn:
            guard let shape = imageShape, shape.reduce(1, *) == inputFeatures else {
                throw RunError.badConfig("--model cnn needs images, but the data has \(inputFeatures) features per sample")
            }
            guard shape[1] >= 4 && shape[2] >= 4 else {
                throw RunError.badConfig("--model cnn needs images of at least 4×4 pixels, got \(shape[1])×\(shape[2]) (--image-size resizes them)")
            }
            return try makeCNN(config, numClasses: numClasses, imageShape: shape, pixelStatistics: pixelStatistics)
        case .resnet:
            guard let shape = imageShape, shape.reduce(1, *) == inputFeatures else {
                throw RunError.badConfig("--model resnet needs images, but the data has \(inputFeatures) features per sample")
            }
            return makeResNet(config, numClasses: numClasses, imageShape: shape, pixelStatistics: pixelStatistics)
        case .charLSTM, .gpt:
            throw RunError.badConfig("--model \(config.model.rawValue) is a language model: train it with --task lm")
        case .mf, .ncf:
            throw RunError.badConfig("--model \(config.model.rawValue) is a recommender: train it with --task recommend")
        }
    }
}
