/// The settings of a recommendation run (`ember train --task recommend`), saved in `config.json`.
public struct RecommendationSettings: Codable, Sendable, Equatable {
    /// Latent factors (embedding width of each tower for NCF).
    public var factors = 32
    /// Negative items sampled per positive for implicit feedback (`--model ncf`).
    public var negatives = 4
    /// Negative items ranked beside each held-out positive in validation (HR@10, NDCG@10).
    public var candidates = 99

    /// The defaults: 32 factors, 4 negatives per positive, 99 negatives per held-out item.
    public init() {}

    /// Checks the values; throws `RunError.badConfig` naming the flag.
    func validate() throws {
        if factors < 1 || factors > 1 << 14 { throw RunError.badConfig("--factors must be in 1...16384, got \(factors)") }
        if negatives < 1 || negatives > 1000 { throw RunError.badConfig("--negatives must be in 1...1000, got \(negatives)") }
        if candidates < 1 || candidates > 10_000 { throw RunError.badConfig("--candidates must be in 1...10000, got \(candidates)") }
    }
}
