import Ember
import EmberData

/// The data of a recommendation run (`--task recommend --dataset ratings:PATH` or
/// `synthetic`): (user, item) pairs as int64 `[B, 2]` inputs.
///
/// - Explicit ratings (`--model mf`): a random `valSplit` of the ratings is held out; the
///   targets are the ratings.
/// - Implicit feedback (`--model ncf`): every rating is an interaction. Each user's last
///   interaction (by timestamp, else by line) is held out (leave-one-out, as the NCF paper);
///   the rest are positives (target 1), each with `negatives` items the user never touched
///   (target 0), drawn once from the run's seed. Validation ranks each held-out item among
///   `candidates` such items: inputs `[B, 1 + candidates, 2]`, target 0 (the column of the
///   true item), scored by HR@10 and NDCG@10.
public struct RecommendationData {
    /// The ratings read.
    public let table: RatingsTable
    /// Training batches.
    public let train: TrainingLoader
    /// Validation batches, if any.
    public let validation: TrainingLoader?
    /// Training examples per epoch.
    public let trainCount: Int
    /// The mean training rating (explicit), the `μ` of matrix factorization.
    public let mean: Double
    /// HR@10 and NDCG@10 of ranking the validation candidates by training popularity
    /// (implicit only): the baseline a recommender must beat.
    public let popularity: (hr: Double, ndcg: Double)?
    /// Items each user interacted with in training (for `ember recommend`'s "unseen").
    public let seen: [Set<Int>]
    /// Unseen items ranked beside each held-out item (implicit): `candidates` of the settings,
    /// or fewer when a user has not that many unseen items.
    public private(set) var candidates = 0

    /// Reads (or generates) and splits the ratings of `config`.
    public init(config: RunConfig) throws {
        let settings = config.recommendation ?? RecommendationSettings()
        let table = try Self.table(config.dataset)
        self.table = table
        let n = table.count
        let users = table.users.count, items = table.items.count
        if config.model == .mf {
            var indices = Array(0..<n)
            var valIndices: [Int] = []
            if config.valSplit > 0 {
                let perm = Tensor.randperm(n, generator: Generator(seed: config.seed &+ 4)).toArray(as: Int64.self).map { Int($0) }
                let cut = n - Int((Double(n) * config.valSplit).rounded(.down))
                indices = Array(perm[..<cut])
                valIndices = Array(perm[cut...])
            }
            let pairs = Tensor(zip(table.user, table.item).flatMap { [Int64($0), Int64($1)] }, shape: [n, 2])
            let ratings = Tensor(table.rating.map { Float($0) })
            let data = TensorDataset(pairs, ratings)
            mean = indices.reduce(0.0) { $0 + table.rating[$1] } / Double(max(1, indices.count))
            train = DataLoader(Subset(data, indices: indices), batchSize: config.batchSize, shuffle: true,
                               numWorkers: config.workers, generator: Generator(seed: config.seed &+ 1))
            validation = valIndices.isEmpty ? nil
                : DataLoader(Subset(data, indices: valIndices), batchSize: 1024, numWorkers: config.workers, generator: Generator(seed: config.seed &+ 2))
            trainCount = indices.count
            popularity = nil
            var seen = [Set<Int>](repeating: [], count: users)
            for r in indices { seen[table.user[r]].insert(table.item[r]) }
            self.seen = seen
            return
        }
        // Implicit: leave the last interaction of each user out.
        var byUser = [[Int]](repeating: [], count: users)
        for r in 0..<n { byUser[table.user[r]].append(r) }
        var all = [Set<Int>](repeating: [], count: users)
        for r in 0..<n { all[table.user[r]].insert(table.item[r]) }
        var positives: [Int] = [], heldOut: [(user: Int, item: Int)] = []
        for u in 0..<users {
            var rows = byUser[u]
            if let stamps = table.timestamp { rows.sort { (stamps[$0], $0) < (stamps[$1], $1) } }
            if rows.count >= 2 && config.valSplit > 0 {
                heldOut.append((u, table.item[rows.removeLast()]))
            }
            positives += rows
        }
        let draw = RandomInts(bound: items, generator: Generator(seed: config.seed &+ 5))
        var pairs: [Int64] = [], labels: [Float] = []
        var seen = [Set<Int>](repeating: [], count: users)
        var count = [Int](repeating: 0, count: items)
        for r in positives {
            let u = table.user[r]
            seen[u].insert(table.item[r])
            count[table.item[r]] += 1
            pairs += [Int64(u), Int64(table.item[r])]
            labels.append(1)
            guard all[u].count < items else { continue }
            for _ in 0..<settings.negatives {
                var j = draw.next()
                while all[u].contains(j) { j = draw.next() }
                pairs += [Int64(u), Int64(j)]
                labels.append(0)
            }
        }
        let data = TensorDataset(Tensor(pairs, shape: [labels.count, 2]), Tensor(labels))
        train = DataLoader(data, batchSize: config.batchSize, shuffle: true, numWorkers: config.workers,
                           generator: Generator(seed: config.seed &+ 1))
        trainCount = labels.count
        mean = 0
        self.seen = seen
        // Validation rows: the held-out item first, then `candidates` distinct unseen items (fewer
        // when some user has not that many unseen items, so that every row has as many).
        let c = heldOut.reduce(settings.candidates) { min($0, items - all[$1.user].count) }
        candidates = c
        var rows: [Int64] = [], popularityScores: [Float] = []
        var kept = 0
        for (u, item) in heldOut where items - all[u].count >= c {
            var picked: Set<Int> = []
            var order = [item]
            while order.count <= c {
                let j = draw.next()
                if !all[u].contains(j) && picked.insert(j).inserted { order.append(j) }
            }
            for j in order {
                rows += [Int64(u), Int64(j)]
                popularityScores.append(Float(count[j]))
            }
            kept += 1
        }
        if kept == 0 || c == 0 {
            validation = nil
            popularity = nil
            return
        }
        let targets = Tensor.zeros([kept], dtype: .int64)
        validation = DataLoader(TensorDataset(Tensor(rows, shape: [kept, c + 1, 2]), targets), batchSize: 256,
                                numWorkers: config.workers, generator: Generator(seed: config.seed &+ 2))
        var hr = HitRate(k: 10), ndcg = NDCG(k: 10)
        let scores = Tensor(popularityScores, shape: [kept, c + 1])
        hr.update(output: scores, target: targets, loss: 0, count: kept)
        ndcg.update(output: scores, target: targets, loss: 0, count: kept)
        popularity = (hr.value, ndcg.value)
    }

    /// The ratings of `--dataset`: `synthetic` (`SyntheticRatings()`) or `ratings:PATH`.
    static func table(_ dataset: String) throws -> RatingsTable {
        if dataset == "synthetic" { return try RatingsTable(text: SyntheticRatings().tsv(), path: "synthetic") }
        return try RatingsTable(path: String(dataset.dropFirst("ratings:".count)))
    }
}

/// Uniform integers in `0..<bound` from a generator, drawn 4096 at a time.
final class RandomInts {
    let bound: Int
    let generator: Generator
    var buffer: [Int64] = []
    var position = 0

    init(bound: Int, generator: Generator) {
        self.bound = bound
        self.generator = generator
    }

    func next() -> Int {
        if position == buffer.count {
            buffer = Tensor.randint(0, bound, [4096], generator: generator).toArray(as: Int64.self)
            position = 0
        }
        defer { position += 1 }
        return Int(buffer[position])
    }
}
