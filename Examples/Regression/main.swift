// Tabular regression on scikit-learn's diabetes data (Tests/Fixtures/regression/diabetes.csv, made
// from Debian's python3-sklearn) with EmberTrain's Regressor, which standardizes with the training
// rows' statistics inside forward; prints validation MSE and R² (README.md).
// Run from the repository root, or pass the CSV's path. `--quick` trains 2 epochs (make test).
import Ember
import EmberData
import EmberNN
import EmberOptim
import EmberTrain

let quick = CommandLine.arguments.contains("--quick")
let path = CommandLine.arguments.dropFirst().first { !$0.hasPrefix("--") } ?? "Tests/Fixtures/regression/diabetes.csv"
manualSeed(0)
let csv = try CSVDataset(path: path, target: "progression", targetKind: .regression)   // pd.read_csv(path); X, y = df.drop(...), df["progression"]
let parts = randomSplit(TensorDataset(csv.features, csv.targets), lengths: [0.8, 0.2], generator: Generator(seed: 4))
let rows = Tensor(parts[0].indices.map { Int64($0) }, dtype: .int64)
let train = DataLoader(parts[0], batchSize: 32, shuffle: true, generator: Generator(seed: 1))
let val = DataLoader(parts[1], batchSize: 512, generator: Generator(seed: 2))

let model = Regressor(inputs: csv.featureNames.count, hidden: [64, 64])      // Linear(10, 64), ReLU, Linear(64, 64), ReLU, Linear(64, 1)
model.setStatistics(features: csv.features.indexSelect(0, rows), targets: csv.targets.indexSelect(0, rows))   // StandardScaler().fit(X_train)
let trainer = Trainer(model: model, optimizer: Adam(model.parameters(), lr: 3e-3), lossFunction: { mseLoss($0, $1) })
trainer.metrics = [MeanSquaredError(), R2Score()]
let history = try trainer.fit(train, validation: val, epochs: quick ? 2 : 200)
let best = history.min { $0.valLoss! < $1.valLoss! }!
print("best epoch \(best.epoch): validation MSE \(best.metrics!["val_mse"]!), R² \(best.metrics!["val_r2"]!)")
