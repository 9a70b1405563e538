import Ember
import EmberNN

extension ModelZoo {
    /// The small CNN, once convolution layers are in EmberNN.
    static func makeCNN(_ config: RunConfig, numClasses: Int, pixelStatistics: (mean: Double, std: Double)) throws -> Module {
        throw RunError.badConfig("--model cnn is not available yet (EmberNN has no Conv2d); use --model mlp")
    }
}
