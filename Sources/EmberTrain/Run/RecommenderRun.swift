import Ember
import EmberData
import EmberNN
import Foundation

/// `ids.json` of a recommendation run: the user and item ids of the ratings file, by the
/// numbers the model uses.
public struct RecommendationIDs: Codable, Sendable, Equatable {
    /// User ids as the file writes them; a user's number is its index.
    public var users: [String]
    /// Item ids as the file writes them; an item's number is its index.
    public var items: [String]

    /// Pretty JSON text.
    public func json() throws -> String { try TrainingCheckpoint.encode(self, pretty: true) + "\n" }
}

/// A trained recommendation run, loaded to recommend (`ember recommend runs/NAME --user U`):
/// the model of its `config.json` with the best weights of `model.safetensors`, its
/// `ids.json`, and the training interactions (rebuilt from the ratings and the seed), so
/// that only unseen items are recommended.
///
/// ```swift
/// let rec = try RecommenderRun(folder: "runs/mf")
/// for (item, score) in try rec.recommend(user: "196", k: 10) { print(item, score) }
/// ```
public struct RecommenderRun {
    /// The model, in eval mode.
    public let model: any Recommender
    /// The ids of users and items.
    public let ids: RecommendationIDs
    /// The items each user (by number) interacted with in training.
    public let seen: [Set<Int>]

    /// Loads the run in `folder`; throws `RunError`, `DataError` or `CheckpointError`.
    public init(folder: String) throws {
        let config = try RunConfig.load(runFolder: folder)
        try config.require(.recommend, runFolder: folder, reader: "ember recommend reads recommendation runs")
        try config.validate()
        let idsPath = folder + "/ids.json"
        do {
            ids = try JSONDecoder().decode(RecommendationIDs.self, from: Data(try FileIO.read(idsPath).utf8))
        } catch {
            throw RunError.badRunFolder(path: idsPath, detail: "cannot read: \(error)")
        }
        let data = try RecommendationData(config: config)
        guard data.table.users == ids.users && data.table.items == ids.items else {
            throw RunError.badRunFolder(path: idsPath, detail: "the ids differ from those of \(config.dataset): the ratings changed since training")
        }
        seen = data.seen
        model = TaskSetup.recommender(config, users: ids.users.count, items: ids.items.count, mean: data.mean)
        try loadWeights(model, from: folder + "/model.safetensors", what: "--model \(config.model.rawValue) of \(folder)/config.json")
        _ = model.eval()
    }

    /// The `k` best-scored items `user` has not interacted with in training, best first,
    /// with their scores (predicted ratings for matrix factorization, logits for NCF).
    /// Throws `RunError.badConfig` for a user the ratings do not have.
    public func recommend(user: String, k: Int) throws -> [(item: String, score: Double)] {
        guard let u = ids.users.firstIndex(of: user) else {
            throw RunError.badConfig("--user \(user) is not in the ratings (users look like \(ids.users.prefix(3).joined(separator: ", ")))")
        }
        let items = ids.items.count
        let pairs = Tensor((0..<items).flatMap { [Int64(u), Int64($0)] }, shape: [items, 2])
        let scores = withNoGrad { model(pairs).to(.float64).toArray(as: Double.self) }
        let unseen = (0..<items).filter { !seen[u].contains($0) }.sorted { (scores[$0], -$0) > (scores[$1], -$1) }
        return unseen.prefix(max(0, k)).map { (ids.items[$0], scores[$0]) }
    }
}
