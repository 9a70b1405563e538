import Ember
import EmberNN

/// Matrix factorization with biases for explicit ratings (Koren, Bell & Volinsky 2009; the
/// model of Surprise's `SVD` and fastai's `EmbeddingDotBias`):
/// `r̂(u, i) = μ + b_u + b_i + p_u · q_i`, trained with MSE.
///
/// Input: int64 `[..., 2]` pairs (user, item); output: ratings `[...]`. State dict:
/// `user_factors.weight`, `item_factors.weight`, `user_bias.weight`, `item_bias.weight`, `mean`.
///
/// ```swift
/// let mf = MatrixFactorization(users: 943, items: 1682, factors: 32, mean: 3.53)
/// let predicted = mf(Tensor([[0, 10], [5, 3]] as [[Int64]]))   // [2]
/// ```
public final class MatrixFactorization: Module, Recommender, @unchecked Sendable {
    /// `p_u`, `[users, factors]`.
    public let userFactors: Embedding
    /// `q_i`, `[items, factors]`.
    public let itemFactors: Embedding
    /// `b_u`, `[users, 1]`.
    public let userBias: Embedding
    /// `b_i`, `[items, 1]`.
    public let itemBias: Embedding
    /// `μ`, the training ratings' mean, `[1]`.
    @Buffer public var mean: Tensor

    /// A model of `users × items` ratings with `factors` latent factors, factors drawn from
    /// N(0, 0.1²) and biases zero.
    public init(users: Int, items: Int, factors: Int = 32, mean: Double = 0, file: StaticString = #fileID, line: UInt = #line) {
        check(users > 0 && items > 0 && factors > 0, "MatrixFactorization", "users \(users), items \(items) and factors \(factors) must be positive",
              file: file, line: line)
        userFactors = Embedding(users, factors)
        itemFactors = Embedding(items, factors)
        userBias = Embedding(users, 1)
        itemBias = Embedding(items, 1)
        self.mean = Tensor([Float(mean)])
        super.init()
        withNoGrad {
            _ = Init.normal_(userFactors.weight, std: 0.1)
            _ = Init.normal_(itemFactors.weight, std: 0.1)
            _ = Init.zeros_(userBias.weight)
            _ = Init.zeros_(itemBias.weight)
        }
    }

    /// Predicted ratings `[...]` for (user, item) pairs `[..., 2]`.
    public override func forward(_ pairs: Tensor) -> Tensor {
        let u = pairs.select(-1, 0), i = pairs.select(-1, 1)
        let dot = (userFactors(u) * itemFactors(i)).sum(dim: -1)
        return dot + userBias(u).squeeze(-1) + itemBias(i).squeeze(-1) + mean
    }

    /// Items in the model.
    public var itemCount: Int { itemFactors.numEmbeddings }
}

/// Neural collaborative filtering for implicit feedback (He et al. 2017, "NeuMF"): a
/// generalized matrix factorization tower (`p_u ⊙ q_i`) beside an MLP tower over
/// `[p'_u, q'_i]`, joined by a linear layer to one logit per (user, item); trained with
/// binary cross-entropy against sampled negatives.
///
/// Input: int64 `[..., 2]` pairs; output: logits `[...]` (higher = more likely to interact).
public final class NeuralCollaborativeFiltering: Module, Recommender, @unchecked Sendable {
    /// GMF user and item embeddings.
    public let gmfUser: Embedding, gmfItem: Embedding
    /// MLP-tower user and item embeddings.
    public let mlpUser: Embedding, mlpItem: Embedding
    /// The MLP tower: `2d → 2d → d`, ReLU.
    public let mlp: Sequential
    /// `[d (GMF) + d (MLP)] → 1`.
    public let predict: Linear

    /// A model with `factors`-wide embeddings in each tower, drawn from N(0, 0.01²) as the paper does.
    public init(users: Int, items: Int, factors: Int = 16, file: StaticString = #fileID, line: UInt = #line) {
        check(users > 0 && items > 0 && factors > 0, "NeuralCollaborativeFiltering",
              "users \(users), items \(items) and factors \(factors) must be positive", file: file, line: line)
        gmfUser = Embedding(users, factors)
        gmfItem = Embedding(items, factors)
        mlpUser = Embedding(users, factors)
        mlpItem = Embedding(items, factors)
        mlp = Sequential([Linear(2 * factors, 2 * factors), ReLU(), Linear(2 * factors, factors), ReLU()])
        predict = Linear(2 * factors, 1)
        super.init()
        withNoGrad {
            for e in [gmfUser, gmfItem, mlpUser, mlpItem] { _ = Init.normal_(e.weight, std: 0.01) }
        }
    }

    /// Logits `[...]` for (user, item) pairs `[..., 2]`.
    public override func forward(_ pairs: Tensor) -> Tensor {
        let u = pairs.select(-1, 0), i = pairs.select(-1, 1)
        let gmf = gmfUser(u) * gmfItem(i)
        let tower = mlp(Tensor.cat([mlpUser(u), mlpItem(i)], dim: -1))
        return predict(Tensor.cat([gmf, tower], dim: -1)).squeeze(-1)
    }

    /// Items in the model.
    public var itemCount: Int { gmfItem.numEmbeddings }
}

/// A model scoring (user, item) pairs `[..., 2]`, which `ember recommend` ranks.
public protocol Recommender: Module {
    /// Items the model knows.
    var itemCount: Int { get }
}
