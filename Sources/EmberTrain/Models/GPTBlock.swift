import Ember
import EmberNN

/// Multi-head causal self-attention with one fused query/key/value projection (nanoGPT:
/// `CausalSelfAttention`, `c_attn` and `c_proj`), able to attend over cached keys and values
/// from earlier positions.
public final class CausalSelfAttention: Module, @unchecked Sendable {
    /// `[d] → [3d]`: queries, keys and values.
    public let qkv: Linear
    /// `[d] → [d]` after the heads are joined.
    public let proj: Linear
    /// Dropout on the output projection.
    public let dropout: Dropout
    /// Attention heads.
    public let heads: Int

    /// Attention over `embedDim` features in `heads` heads.
    public init(embedDim: Int, heads: Int, dropout p: Double = 0, file: StaticString = #fileID, line: UInt = #line) {
        check(heads > 0 && embedDim % heads == 0, "CausalSelfAttention", "embedDim \(embedDim) must be a multiple of heads \(heads)", file: file, line: line)
        qkv = Linear(embedDim, 3 * embedDim)
        proj = Linear(embedDim, embedDim)
        dropout = Dropout(p: p)
        self.heads = heads
        super.init()
    }

    /// Causal attention over `[B, T, d]`.
    public override func forward(_ x: Tensor) -> Tensor { attend(x, past: nil).output }

    /// Attention of the new positions `x` `[B, n, d]` over the cached keys and values of the
    /// positions before them (`past`, `[B, heads, p, d/heads]` each) and over themselves,
    /// causally; returns the output and the keys and values of all `p + n` positions.
    public func attend(_ x: Tensor, past: (k: Tensor, v: Tensor)?) -> (output: Tensor, cache: (k: Tensor, v: Tensor)) {
        let b = x.shape[0], n = x.shape[1], d = x.shape[2], hd = d / heads
        let parts = qkv(x).reshape(b, n, 3, heads, hd).permute(2, 0, 3, 1, 4)   // [3, B, h, n, hd]
        let q = parts[0]
        var k = parts[1], v = parts[2]
        if let past {
            k = Tensor.cat([past.k, k], dim: 2)
            v = Tensor.cat([past.v, v], dim: 2)
        }
        let p = k.shape[2] - n
        let y: Tensor
        if p == 0 {
            y = scaledDotProductAttention(q, k, v, isCausal: n > 1)
        } else if n == 1 {
            y = scaledDotProductAttention(q, k, v)
        } else {
            // New position i (absolute p + i) sees keys 0...p + i.
            let mask = Tensor.ones([n, p + n]).tril(diagonal: p) .> 0
            y = scaledDotProductAttention(q, k, v, attnMask: mask)
        }
        let out = dropout(proj(y.transpose(1, 2).reshape(b, n, d)))
        return (out, (k, v))
    }
}

/// A pre-norm transformer block of a GPT: `x + attn(ln1(x))`, then `x + mlp(ln2(x))` with a
/// GELU MLP four times as wide (nanoGPT: `Block`; GPT-2's layout).
public final class GPTBlock: Module, @unchecked Sendable {
    /// Norm before attention.
    public let ln1: LayerNorm
    /// Causal self-attention.
    public let attn: CausalSelfAttention
    /// Norm before the MLP.
    public let ln2: LayerNorm
    /// `Linear(d, 4d)`, GELU, `Linear(4d, d)`, dropout.
    public let mlp: Sequential

    /// A block over `embedDim` features with `heads` heads.
    public init(embedDim: Int, heads: Int, dropout p: Double = 0) {
        ln1 = LayerNorm([embedDim])
        attn = CausalSelfAttention(embedDim: embedDim, heads: heads, dropout: p)
        ln2 = LayerNorm([embedDim])
        mlp = Sequential([Linear(embedDim, 4 * embedDim), GELU(), Linear(4 * embedDim, embedDim), Dropout(p: p)])
        super.init()
    }

    /// The block over `[B, T, d]`.
    public override func forward(_ x: Tensor) -> Tensor { step(x, past: nil).output }

    /// The block over new positions with the attention's cache (see `CausalSelfAttention.attend`).
    public func step(_ x: Tensor, past: (k: Tensor, v: Tensor)?) -> (output: Tensor, cache: (k: Tensor, v: Tensor)) {
        let (a, cache) = attn.attend(ln1(x), past: past)
        let h = x + a
        return (h + mlp(ln2(h)), cache)
    }
}
