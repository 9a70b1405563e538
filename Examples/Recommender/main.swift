// Matrix factorization with biases on EmberTrain's synthetic ratings (a documented, seeded
// ratings set: latent factors, popularity skew, Gaussian noise of standard deviation 0.5), trained
// with Trainer; prints the validation RMSE against the noise floor and a user's top items
// (README.md). `--quick` trains one epoch (make test).
import Ember
import EmberData
import EmberNN
import EmberOptim
import EmberTrain

let quick = CommandLine.arguments.contains("--quick")
manualSeed(0)
let synthetic = SyntheticRatings()
let ratings = synthetic.generate()
let pairs = Tensor(ratings.flatMap { [Int64($0.user), Int64($0.item)] }, shape: [ratings.count, 2])
let targets = Tensor(ratings.map { Float($0.rating) })
let parts = randomSplit(TensorDataset(pairs, targets), lengths: [0.9, 0.1], generator: Generator(seed: 4))   // random_split(ds, [0.9, 0.1])
let train = DataLoader(parts[0], batchSize: 256, shuffle: true, generator: Generator(seed: 1))
let val = DataLoader(parts[1], batchSize: 1024, generator: Generator(seed: 2))
let mean = parts[0].indices.reduce(0.0) { $0 + ratings[$1].rating } / Double(parts[0].count)

let model = MatrixFactorization(users: synthetic.users, items: synthetic.items, factors: 4, mean: mean)
let optimizer = Adam(model.parameters(), lr: 0.03)
let trainer = Trainer(model: model, optimizer: optimizer, lossFunction: { mseLoss($0, $1) })   // F.mse_loss(model(pairs), ratings)
trainer.metrics = [RootMeanSquaredError()]
trainer.schedule = .perEpoch(CosineAnnealingLR(optimizer, tMax: quick ? 1 : 40))
let history = try trainer.fit(train, validation: val, epochs: quick ? 1 : 40)
print("validation RMSE \(history.last!.metrics!["val_rmse"]!) (noise floor \(synthetic.noise))")

// The five best-scored items user 0 has not rated.
let rated = Set(ratings.filter { $0.user == 0 }.map(\.item))
let all = Tensor((0..<synthetic.items).flatMap { [Int64(0), Int64($0)] }, shape: [synthetic.items, 2])
let scores = withNoGrad { model(all).toArray(as: Float.self) }
let top = (0..<synthetic.items).filter { !rated.contains($0) }.sorted { scores[$0] > scores[$1] }.prefix(5)
print("user 0: " + top.map { "item \($0) (\(scores[$0]))" }.joined(separator: ", "))
