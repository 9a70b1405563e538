import Ember
import EmberData

/// The data of a regression run (`ember train --task regression --dataset csv:PATH --target
/// COLUMN`): every other column is a feature, rows are split into training and validation
/// with the run's seed (as classification runs split), and the standardization statistics
/// come from the training rows only.
public struct RegressionData {
    /// Shuffled training batches `([B, F] float32 features, [B] float32 targets)`.
    public let train: TrainingLoader
    /// Held-out batches, when `valSplit > 0`.
    public let validation: TrainingLoader?
    /// The training rows' features `[N, F]` and targets `[N]` (for the statistics).
    public let trainFeatures: Tensor, trainTargets: Tensor
    /// The feature columns, in the order the model takes them.
    public let featureNames: [String]
    /// The predicted column.
    public let targetName: String
    /// The 0-based data rows held out for validation, in the loader's order.
    public let validationRows: [Int]

    /// Reads and splits the CSV file of `config`; throws `DataError` naming the file, line
    /// and column of a bad cell.
    public init(config: RunConfig) throws {
        let path = String(config.dataset.dropFirst(4))
        let csv = try CSVDataset(path: path, target: .name(config.target ?? ""), targetKind: .regression)
        if csv.featureNames.isEmpty {
            throw DataError.badFormat(path: path, detail: "no feature columns besides the target '\(csv.targetName)'")
        }
        let data = TensorDataset(csv.features, csv.targets.to(.float32))
        var indices = Array(0..<min(data.count, config.trainLimit ?? data.count))
        var valIndices: [Int] = []
        if config.valSplit > 0 {
            let parts = randomSplit(Subset(data, indices: indices), lengths: [1 - config.valSplit, config.valSplit],
                                    generator: Generator(seed: config.seed &+ 4))
            valIndices = parts[1].indices.map { indices[$0] }
            indices = parts[0].indices.map { indices[$0] }
        }
        if indices.isEmpty {
            throw RunError.badConfig("\(config.dataset): no training rows are left after holding out --val-split \(config.valSplit)")
        }
        let rows = Tensor(indices.map { Int64($0) }, dtype: .int64)
        trainFeatures = csv.features.indexSelect(0, rows)
        trainTargets = csv.targets.to(.float32).indexSelect(0, rows)
        train = DataLoader(Subset(data, indices: indices), batchSize: config.batchSize, shuffle: true,
                           numWorkers: config.workers, generator: Generator(seed: config.seed &+ 1))
        validation = valIndices.isEmpty ? nil
            : DataLoader(Subset(data, indices: valIndices), batchSize: 512, numWorkers: config.workers, generator: Generator(seed: config.seed &+ 2))
        featureNames = csv.featureNames
        targetName = csv.targetName
        validationRows = valIndices
    }
}
