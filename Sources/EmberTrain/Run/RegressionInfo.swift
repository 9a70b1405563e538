import Foundation

/// `regression.json` in a regression run folder: the columns the model takes and predicts,
/// the validation rows, and the standardization statistics of the training rows (also in
/// `model.safetensors` as the `Regressor`'s buffers, which is what `ember predict` applies).
public struct RegressionInfo: Codable, Sendable, Equatable {
    /// The feature columns, in the model's input order.
    public var features: [String]
    /// The predicted column.
    public var target: String
    /// The 0-based data rows held out for validation (to reproduce the split elsewhere, e.g.
    /// in the PyTorch comparison script).
    public var validationRows: [Int]
    /// The training features' means and standard deviations.
    public var xMean: [Double], xStd: [Double]
    /// The training targets' mean and standard deviation.
    public var yMean: Double, yStd: Double

    /// Pretty JSON text.
    public func json() throws -> String { try TrainingCheckpoint.encode(self, pretty: true) + "\n" }

    /// Reads `regression.json` of `folder`; throws `RunError.badRunFolder` when it is missing or unreadable.
    public static func read(folder: String) throws -> RegressionInfo {
        let path = folder + "/regression.json"
        let text: String
        do { text = try FileIO.read(path) } catch { throw RunError.badRunFolder(path: folder, detail: "cannot read regression.json: \(error)") }
        do {
            let info = try TrainingCheckpoint.decoder().decode(RegressionInfo.self, from: Data(text.utf8))
            guard !info.features.isEmpty, info.features.count == info.xMean.count, info.xMean.count == info.xStd.count else {
                throw RunError.badRunFolder(path: path, detail: "features and statistics do not match")
            }
            return info
        } catch let e as RunError {
            throw e
        } catch {
            throw RunError.badRunFolder(path: path, detail: "cannot read: \(error)")
        }
    }
}
