import Ember
import EmberData
import EmberNN

/// A trained regression run ready to predict (`ember predict runs/NAME --input rows.csv`):
/// the `Regressor` of its `config.json` with the best weights of `model.safetensors`, whose
/// buffers hold the training rows' standardization (scikit-learn: a fitted `Pipeline`'s
/// `predict`).
///
/// ```swift
/// let predictor = try RegressionPredictor(folder: "runs/diabetes")
/// let values = try predictor.predict(csv: "new_patients.csv")   // one per row
/// ```
public struct RegressionPredictor {
    /// The model, in eval mode.
    public let model: Regressor
    /// The columns it reads and predicts.
    public let info: RegressionInfo

    /// Loads the run in `folder`; throws `RunError` or `CheckpointError` naming the file.
    public init(folder: String) throws {
        let config = try RunConfig.load(runFolder: folder)
        try config.require(.regression, runFolder: folder, reader: "ember predict reads regression runs")
        info = try RegressionInfo.read(folder: folder)
        model = Regressor(inputs: info.features.count, hidden: config.hidden ?? [64, 64])
        try loadWeights(model, from: folder + "/model.safetensors", what: "the regression MLP of \(folder)/config.json")
        _ = model.eval()
    }

    /// Predictions for the rows of a CSV file with a header naming every feature column
    /// (other columns, the target included, are ignored). Throws `DataError` naming the
    /// file, line and column of a missing column or a bad cell.
    public func predict(csv path: String) throws -> [Double] {
        let table = try CSVTable(path: path)
        var columns: [[Double]] = []
        for name in info.features { columns.append(try table.numbers(try table.columnIndex(.name(name)))) }
        let n = table.rows.count
        var values = [Float](repeating: 0, count: n * columns.count)
        for (j, column) in columns.enumerated() {
            for i in 0..<n { values[i * columns.count + j] = Float(column[i]) }
        }
        return predict(Tensor(values, shape: [n, columns.count]))
    }

    /// Predictions for raw features `[N, F]`.
    public func predict(_ features: Tensor) -> [Double] {
        withNoGrad { model(features.to(.float32)).to(.float64).toArray(as: Double.self) }
    }
}

/// Loads the state dict in `path` into `model`; throws `CheckpointError` naming the file
/// when it is missing, corrupt or not `what`.
func loadWeights(_ model: Module, from path: String, what: String) throws {
    let tensors: TensorDict
    do {
        tensors = try load(path)
    } catch let e as SafetensorsError {
        if case .fileNotFound = e { throw CheckpointError.fileNotFound(path: path) }
        throw CheckpointError.invalid(path: path, detail: "\(e)")
    }
    do {
        try model.loadStateDict(tensors)
    } catch {
        throw CheckpointError.mismatch(path: path, detail: "not the weights of \(what): \(error)")
    }
}
