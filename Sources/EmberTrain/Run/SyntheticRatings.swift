import Ember
import Foundation

/// A synthetic ratings set with known structure, for demos and checks where no real
/// ratings ship with the system (`ember train --task recommend --dataset synthetic`).
/// It is **synthetic**: users and items are numbers, not people and films.
///
/// How it is drawn (all from `Generator(seed:)`):
/// - latent factors `p_u, q_i ~ N(0, σ²)` in `factors` dimensions, with σ set so that the
///   affinity `a(u, i) = p_u · q_i` has standard deviation 1;
/// - user and item biases `b_u, b_i ~ N(0, 0.3²)`;
/// - popularity: items get a random rank r and a weight `(r + 1)^-popularitySkew`;
/// - each user rates `perUser` distinct items, drawn without replacement with probability
///   ∝ popularity × exp(`selection` × a(u, i)) (people mostly rate what they are drawn to);
/// - the rating is `3.5 + b_u + b_i + a(u, i) + ε` with `ε ~ N(0, noise²)`, not rounded or
///   clipped, so the best possible RMSE on held-out ratings is `noise`;
/// - the timestamps put each user's ratings in a random order (so the last one, which
///   leave-one-out evaluation holds out, is a typical one).
public struct SyntheticRatings: Sendable {
    /// Users, items, latent factors and ratings per user.
    public var users = 500, items = 200, factors = 4, perUser = 60
    /// The standard deviation of the rating noise (the floor of any model's RMSE).
    public var noise = 0.5
    /// How strongly popularity skews which items are rated (0: not at all).
    public var popularitySkew = 0.3
    /// How strongly affinity decides which items a user rates.
    public var selection = 2.0
    /// The seed of every draw.
    public var seed: UInt64 = 0

    /// The default set: 500 users × 200 items, 30,000 ratings (60 per user), 4 factors, noise 0.5.
    public init() {}

    /// The ratings as `(user, item, rating, timestamp)`, users in order.
    public func generate() -> [(user: Int, item: Int, rating: Double, timestamp: Int64)] {
        let g = Generator(seed: seed)
        let sigma = 1 / Double(factors).squareRoot().squareRoot()
        let p = (Tensor.randn([users, factors], dtype: .float64, generator: g) * sigma)
        let q = (Tensor.randn([items, factors], dtype: .float64, generator: g) * sigma)
        let bu = (Tensor.randn([users], dtype: .float64, generator: g) * 0.3).toArray(as: Double.self)
        let bi = (Tensor.randn([items], dtype: .float64, generator: g) * 0.3).toArray(as: Double.self)
        let rank = Tensor.randperm(items, generator: g).toArray(as: Int64.self)
        let affinity = p.matmul(q.t()).toArray(as: Double.self)                       // [users × items]
        let uniform = Tensor.rand([users, items], dtype: .float64, generator: g).toArray(as: Double.self)
        let eps = (Tensor.randn([users, perUser], dtype: .float64, generator: g) * noise).toArray(as: Double.self)
        let order = Tensor.rand([users, perUser], dtype: .float64, generator: g).argsort(dim: 1).toArray(as: Int64.self)
        var out: [(user: Int, item: Int, rating: Double, timestamp: Int64)] = []
        out.reserveCapacity(users * perUser)
        for u in 0..<users {
            // Weighted sampling without replacement: the top keys of log(w) + Gumbel noise.
            var keys: [(Double, Int)] = []
            keys.reserveCapacity(items)
            for i in 0..<items {
                let logWeight = -popularitySkew * log(Double(rank[i]) + 1) + selection * affinity[u * items + i]
                let gumbel = -log(-log(max(uniform[u * items + i], 1e-300)))
                keys.append((logWeight + gumbel, i))
            }
            keys.sort { $0.0 > $1.0 }
            for (t, (_, i)) in keys.prefix(perUser).enumerated() {
                let r = 3.5 + bu[u] + bi[i] + affinity[u * items + i] + eps[u * perUser + t]
                out.append((u, i, r, order[u * perUser + t]))
            }
        }
        return out
    }

    /// The ratings as a MovieLens-style tab-separated file, `user item rating timestamp`
    /// per line (ids written as `u<n>` and `i<n>`).
    public func tsv() -> String {
        generate().map { "u\($0.user)\ti\($0.item)\t\($0.rating)\t\($0.timestamp)" }.joined(separator: "\n") + "\n"
    }
}
