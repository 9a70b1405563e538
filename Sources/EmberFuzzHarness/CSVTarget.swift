import Ember
import EmberData
import EmberTrain

/// `CSVDataset` with each of the settings a user might pass, then the data of
/// `ember train --dataset csv:FILE` (`RunData`, which standardizes the features and counts
/// the classes). Every dataset that reads is indexed and batched at both ends.
func fuzzCSV(_ bytes: UnsafeRawBufferPointer, _ path: String, _ check: inout Check) {
    if bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b { return }   // gzip: see FuzzOutcome.skipped
    let settings: [(String, () throws(DataError) -> CSVDataset)] = [
        ("CSVDataset(path:)", { () throws(DataError) in try CSVDataset(path: path) }),
        ("header: .sklearn", { () throws(DataError) in try CSVDataset(path: path, header: .sklearn) }),
        ("header: .none, target: 0, .categorical", { () throws(DataError) in
            try CSVDataset(path: path, target: 0, targetKind: .categorical, header: .none)
        }),
        ("delimiter: \" \", .regression", { () throws(DataError) in
            try CSVDataset(path: path, targetKind: .regression, header: .none, delimiter: " ")
        }),
        ("delimiter: \";\", skipLines: 1, .categorical", { () throws(DataError) in
            try CSVDataset(path: path, targetKind: .categorical, delimiter: ";", skipLines: 1)
        }),
        ("columns by name", { () throws(DataError) in
            let table = try CSVTable(path: path)
            let names = table.columnNames
            guard names.count >= 2 else { return try CSVDataset(path: path, features: [0], target: -1) }
            return try CSVDataset(path: path, features: [.name(names[0]), .index(-2)], target: .name(names[names.count - 1]),
                                  targetKind: .regression)
        }),
    ]
    for (what, read) in settings {
        let data: CSVDataset
        do {
            data = try read()
        } catch {
            check.rejected(error, what)
            continue
        }
        check.accepted()
        guard data.count > 0, data.features.shape == [data.count, data.featureNames.count], data.targets.shape == [data.count] else {
            check.fail("\(what): features \(data.features.shape) and targets \(data.targets.shape) for \(data.count) rows of \(data.featureNames.count) features")
            return
        }
        _ = data[0]
        _ = data[data.count - 1]
        _ = data.batch(at: [data.count - 1, 0])
    }

    var config = RunConfig()
    config.dataset = "csv:" + path
    config.model = .mlp
    config.workers = 0
    config.batchSize = 4
    do {
        let run = try RunData(config: config)
        check.accepted()
        guard run.numClasses >= 1, run.classNames.count == run.numClasses, run.trainCount >= 0 else {
            check.fail("RunData: \(run.numClasses) classes named \(run.classNames.prefix(5)), \(run.trainCount) training samples")
            return
        }
        for (x, y) in run.train {
            guard x.shape.count == 2, x.shape[1] == run.inputFeatures, y.shape == [x.shape[0]] else {
                check.fail("RunData: a training batch is \(x.shape) and \(y.shape) for \(run.inputFeatures) features")
                return
            }
            break
        }
    } catch {
        check.rejected(error, "RunData(csv:)")
    }
}
