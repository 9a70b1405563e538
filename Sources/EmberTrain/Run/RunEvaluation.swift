import Ember
import EmberNN

/// Evaluates saved weights on a data set's held-out samples: what `ember eval` prints.
///
/// ```swift
/// let result = try RunEvaluation(folder: "runs/cnn")
/// print(result.meter.accuracy)
/// print(result.meter.confusion!.report(classNames: result.classNames))
/// ```
public struct RunEvaluation {
    /// Loss, accuracy, top-k accuracy and the confusion matrix.
    public let meter: ClassificationMeter
    /// The class names of the data set.
    public let classNames: [String]
    /// What was evaluated: `test set`, `validation split` or `whole file`.
    public let split: String
    /// The weights file.
    public let weights: String
    /// The number of parameters of the model.
    public let parameterCount: Int
    /// The most confidently misclassified images as a labelled grid (`mistakesGrid`), or nil
    /// for data that are not images or a model that made no mistake.
    public let mistakes: Tensor?

    /// Evaluates `model.safetensors` of a run folder on the test set, rebuilding the model
    /// from its `config.json`.
    public init(folder: String) throws {
        try self.init(config: try RunConfig.load(runFolder: folder), weights: folder + "/model.safetensors")
    }

    /// Evaluates `weights` in the model `config` describes on its data set's test set (for a
    /// CSV file, its validation split, or the whole file without one).
    public init(config: RunConfig, weights: String) throws {
        try config.validate()
        let data = try RunData(config: config)
        let model = try ModelZoo.make(config, inputFeatures: data.inputFeatures, numClasses: data.numClasses,
                                      pixelStatistics: data.pixelStatistics, imageShape: data.imageShape)
        let tensors: TensorDict
        do {
            tensors = try load(weights)
        } catch let e as SafetensorsError {
            if case .fileNotFound = e { throw CheckpointError.fileNotFound(path: weights) }
            throw CheckpointError.invalid(path: weights, detail: "\(e)")
        }
        do {
            try model.loadStateDict(tensors)
        } catch {
            throw CheckpointError.mismatch(path: weights, detail: "not the weights of --model \(config.model.rawValue)\(config.batchNorm ? " --batch-norm" : "")\(config.width.map { " --width \($0)" } ?? ""): \(error)")
        }
        let loader: ClassificationLoader
        if let test = data.test {
            split = "test set"
            loader = test
        } else if let val = data.validation {
            split = "validation split"
            loader = val
        } else {
            split = data.imageShape == nil ? "whole file" : "whole folder"
            loader = data.train
        }
        meter = evaluateClassifier(model, on: loader)
        let worst = data.imageShape == nil ? [] : mostConfidentMistakes(model, on: loader, count: 16)
        mistakes = worst.isEmpty ? nil : mistakesGrid(worst, classNames: data.classNames)
        try data.decodeErrors?.check()
        classNames = data.classNames
        self.weights = weights
        parameterCount = model.numParameters
    }
}
