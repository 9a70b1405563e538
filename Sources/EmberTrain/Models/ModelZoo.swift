import Ember
import EmberNN

/// Builds the models `ember train --model` names, from a run's configuration.
public enum ModelZoo {
    /// The model of `config` for data with `inputFeatures` features per sample and
    /// `numClasses` classes, initialized from `Generator.default` (seed it first).
    public static func make(_ config: RunConfig, inputFeatures: Int, numClasses: Int, pixelStatistics: (mean: Double, std: Double)) throws -> Module {
        switch config.model {
        case .mlp:
            return MLP(inputs: inputFeatures, classes: numClasses, batchNorm: config.batchNorm, dropout: config.dropout,
                       inputMean: pixelStatistics.mean, inputStd: pixelStatistics.std)
        case .cnn:
            guard inputFeatures == 28 * 28 else {
                throw RunError.badConfig("--model cnn needs 28×28 images, but the data has \(inputFeatures) features per sample")
            }
            return try makeCNN(config, numClasses: numClasses, pixelStatistics: pixelStatistics)
        case .charLSTM, .gpt:
            throw RunError.badConfig("--model \(config.model.rawValue) is a language model: train it with --task lm")
        case .mf, .ncf:
            throw RunError.badConfig("--model \(config.model.rawValue) is a recommender: train it with --task recommend")
        }
    }
}
