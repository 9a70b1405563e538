import Ember
import EmberData
import EmberNN

/// What a task other than classification brings to a run: its model, data, loss, metrics
/// and the files that describe it in the run folder. `TaskRun` does the rest, the same way
/// for every task.
struct TaskSetup {
    /// The model, initialized from `Generator.default`.
    var model: Module
    /// Training batches.
    var train: TrainingLoader
    /// Validation batches, if any.
    var validation: TrainingLoader?
    /// The loss of a batch.
    var loss: (Tensor, Tensor) -> Tensor
    /// The metrics recorded for training and validation.
    var metrics: [any Metric]
    /// Validation-only metrics, when they differ.
    var validationMetrics: [any Metric]?
    /// The validation loss, when it differs.
    var validationLoss: ((Tensor, Tensor) -> Tensor)?
    /// What picks the best weights and stops early.
    var monitor: Monitor = .valLoss
    /// Items per batch, from its target.
    var itemCount: (Tensor) -> Int = { $0.dim == 0 ? 1 : $0.shape[0] }
    /// What the throughput counts.
    var unit = "samples"
    /// The loss's name on the plot.
    var lossName = "loss"
    /// Training items per epoch, for the first line.
    var trainCount: Int
    /// Files written into a new run folder, by name (what the task needs to use the model later).
    var files: [String: String] = [:]
    /// Lines printed before a new run starts (a baseline to beat, say).
    var notes: [String] = []

    /// The setup of `config`'s task.
    static func make(_ config: RunConfig) throws -> TaskSetup {
        switch config.resolvedTask {
        case .classification:
            emberFailure("TaskSetup.make", "classification runs are set up by TrainingRun")
        case .regression:
            return try regression(config)
        case .lm:
            return try languageModel(config)
        case .recommend:
            return try recommendation(config)
        }
    }

    /// `--task recommend`: matrix factorization on explicit ratings (MSE; RMSE and MAE), or
    /// neural collaborative filtering on implicit feedback (binary cross-entropy against
    /// sampled negatives; HR@10 and NDCG@10 over ranked candidates, which pick the best weights).
    static func recommendation(_ config: RunConfig) throws -> TaskSetup {
        let data = try RecommendationData(config: config)
        let model = recommender(config, users: data.table.users.count, items: data.table.items.count, mean: data.mean)
        var files = ["ids.json": try RecommendationIDs(users: data.table.users, items: data.table.items).json()]
        if config.dataset == "synthetic" { files["ratings.tsv"] = SyntheticRatings().tsv() }
        if config.model == .mf {
            return TaskSetup(model: model, train: data.train, validation: data.validation, loss: { mseLoss($0, $1) },
                             metrics: [RootMeanSquaredError(), MeanAbsoluteError()], lossName: "mean squared error",
                             trainCount: data.trainCount, files: files)
        }
        var notes: [String] = []
        if let p = data.popularity {
            files["baseline.json"] = "{\n  \"candidates\" : \(data.candidates),\n  \"popularity_hr@10\" : \(p.hr),\n  \"popularity_ndcg@10\" : \(p.ndcg)\n}\n"
            notes.append("Validation ranks each user's last item among \(data.candidates) unseen ones; ranking by popularity gives "
                         + "HR@10 \(Format.fixed(p.hr, 4)), NDCG@10 \(Format.fixed(p.ndcg, 4))")
        }
        return TaskSetup(model: model, train: data.train, validation: data.validation,
                         loss: { binaryCrossEntropyWithLogits($0, $1) }, metrics: [],
                         validationMetrics: [HitRate(k: 10), NDCG(k: 10)], validationLoss: { crossEntropy($0, $1) },
                         monitor: Monitor("val_hr@10"), lossName: "binary cross-entropy", trainCount: data.trainCount,
                         files: files, notes: notes)
    }

    /// The recommender `config` names.
    static func recommender(_ config: RunConfig, users: Int, items: Int, mean: Double) -> any Recommender {
        let s = config.recommendation ?? RecommendationSettings()
        if config.model == .ncf { return NeuralCollaborativeFiltering(users: users, items: items, factors: s.factors) }
        return MatrixFactorization(users: users, items: items, factors: s.factors, mean: mean)
    }

    /// `--task lm`: a `CharLSTM` or `GPT` on a text file, cross-entropy per token,
    /// perplexity and next-token accuracy, throughput in tokens per second.
    static func languageModel(_ config: RunConfig) throws -> TaskSetup {
        let data = try LanguageModelData(config: config)
        let model = languageModel(config, vocabularySize: data.vocabulary.count)
        let v = data.vocabulary.count
        return TaskSetup(model: model, train: data.train, validation: data.validation,
                         loss: { crossEntropy($0.reshape(-1, v), $1.reshape(-1)) }, metrics: [Perplexity(), Accuracy()],
                         itemCount: { $0.numel }, unit: "tokens", lossName: "cross-entropy per token",
                         trainCount: data.trainTokens, files: ["vocabulary.json": try VocabularyFile(data.vocabulary).json()])
    }

    /// The language model `config` names, for `vocabularySize` tokens.
    static func languageModel(_ config: RunConfig, vocabularySize: Int) -> any LanguageModel {
        let s = config.languageModel ?? LanguageModelSettings()
        switch config.model {
        case .gpt:
            return GPT(vocabularySize: vocabularySize, contextLength: s.context, embedDim: s.embedDim, layers: s.layers,
                       heads: s.heads, dropout: config.dropout)
        default:
            return CharLSTM(vocabularySize: vocabularySize, embedDim: s.embedDim, hiddenSize: s.hiddenSize, layers: s.layers,
                            dropout: config.dropout)
        }
    }

    /// `--task regression`: `Regressor` on a CSV file, MSE loss, MSE/MAE/R² metrics.
    static func regression(_ config: RunConfig) throws -> TaskSetup {
        let data = try RegressionData(config: config)
        let model = Regressor(inputs: data.featureNames.count, hidden: config.hidden ?? [64, 64])
        model.setStatistics(features: data.trainFeatures, targets: data.trainTargets)
        let info = RegressionInfo(features: data.featureNames, target: data.targetName, validationRows: data.validationRows,
                                  xMean: model.xMean.toArray(as: Float.self).map(Double.init),
                                  xStd: model.xStd.toArray(as: Float.self).map(Double.init),
                                  yMean: Double(model.yMean.toArray(as: Float.self)[0]),
                                  yStd: Double(model.yStd.toArray(as: Float.self)[0]))
        return TaskSetup(model: model, train: data.train, validation: data.validation,
                         loss: { mseLoss($0, $1) }, metrics: [MeanSquaredError(), MeanAbsoluteError(), R2Score()],
                         lossName: "mean squared error", trainCount: data.trainFeatures.shape[0],
                         files: ["regression.json": try info.json()])
    }
}
