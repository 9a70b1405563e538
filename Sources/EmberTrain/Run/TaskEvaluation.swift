import Ember
import EmberNN

/// Evaluates the best weights of a run whose task is not classification on its validation
/// split (rebuilt from the saved seed, so it is the split training held out): what `ember
/// eval` prints for a regression run.
///
/// ```swift
/// let result = try TaskEvaluation(folder: "runs/diabetes")
/// print(result.loss, result.metrics)    // mse, mae, r2
/// ```
public struct TaskEvaluation {
    /// The run's task.
    public let task: RunConfig.Task
    /// The mean validation loss.
    public let loss: Double
    /// Each metric's name and value.
    public let metrics: [(name: String, value: Double)]
    /// Validation items evaluated.
    public let count: Int
    /// The weights file.
    public let weights: String
    /// The model's parameter count.
    public let parameterCount: Int

    /// Evaluates `model.safetensors` of `folder`.
    public init(folder: String) throws {
        let config = try RunConfig.load(runFolder: folder)
        try config.validate()
        guard config.resolvedTask != .classification else {
            throw RunError.badRunFolder(path: folder, detail: "a classification run: use RunEvaluation")
        }
        manualSeed(config.seed)
        let setup = try TaskSetup.make(config)
        guard let validation = setup.validation else {
            throw RunError.badRunFolder(path: folder, detail: "the run has no validation split (--val-split 0) to evaluate on")
        }
        weights = folder + "/model.safetensors"
        try loadWeights(setup.model, from: weights, what: "--model \(config.model.rawValue) of \(folder)/config.json")
        let r = evaluate(setup.model, on: validation, lossFunction: setup.validationLoss ?? setup.loss,
                         metrics: setup.validationMetrics ?? setup.metrics, itemCount: setup.itemCount)
        task = config.resolvedTask
        loss = r.loss
        metrics = r.values
        count = r.running.count
        parameterCount = setup.model.numParameters
    }
}
