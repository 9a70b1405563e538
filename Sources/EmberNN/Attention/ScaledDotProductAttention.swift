/// Attention as a function: `softmax(q kᵀ · scale + mask) v` (PyTorch 2:
/// `F.scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
/// is_causal=False, scale=None)`).
///
/// `query` is `[*, L, E]`, `key` `[*, S, E]`, `value` `[*, S, Ev]`, the leading dims
/// broadcasting; the result is `[*, L, Ev]`. `scale` defaults to `1/√E`. `attnMask` broadcasts
/// to `[*, L, S]`: a bool mask says which positions **take part** (`true` = attend, PyTorch 2's
/// convention, the opposite of `MultiheadAttention`'s bool masks), a float mask is added to
/// the scores. `isCausal` lets position `i` attend to positions `≤ i` only (then `attnMask`
/// must be nil). Dropout with probability `dropoutP` is applied to the attention weights, as
/// PyTorch does, whenever `dropoutP > 0`: pass 0 in evaluation.
///
/// ```swift
/// let q = Tensor.randn([2, 4, 16, 8]), k = Tensor.randn([2, 4, 16, 8]), v = Tensor.randn([2, 4, 16, 8])
/// let y = scaledDotProductAttention(q, k, v, isCausal: true)   // [2, 4, 16, 8]
/// ```
public func scaledDotProductAttention(
    _ query: Tensor, _ key: Tensor, _ value: Tensor, attnMask: Tensor? = nil, dropoutP: Double = 0,
    isCausal: Bool = false, scale: Double? = nil, generator: Generator = .default,
    file: StaticString = #fileID, line: UInt = #line
) -> Tensor {
    let op: StaticString = "scaledDotProductAttention"
    nnCheck(query.dim >= 2 && key.dim >= 2 && value.dim >= 2, op, "query, key and value need at least 2 dims ([*, L, E]), got \(query.shape), \(key.shape), \(value.shape)", file: file, line: line)
    let e = query.shape[query.dim - 1]
    nnCheck(key.shape[key.dim - 1] == e, op, "query and key must have the same last dim, got \(query.shape) and \(key.shape)", file: file, line: line)
    nnCheck(key.shape[key.dim - 2] == value.shape[value.dim - 2], op, "key and value must have the same sequence length (dim -2), got \(key.shape) and \(value.shape)", file: file, line: line)
    nnCheck(!(isCausal && attnMask != nil), op, "pass either attnMask or isCausal, not both", file: file, line: line)
    nnCheck(dropoutP >= 0 && dropoutP <= 1, op, "dropoutP must lie in [0, 1], got \(dropoutP)", file: file, line: line)
    let l = query.shape[query.dim - 2], s = key.shape[key.dim - 2]
    let factor = scale ?? 1 / Double(e).squareRoot()
    var scores = (query * factor).matmul(key.transpose(-2, -1))
    if isCausal {
        scores = scores.maskedFill(causalBlockedMask(l, s), -Double.infinity)
    } else if let attnMask {
        if attnMask.dtype == .bool {
            scores = scores.maskedFill(attnMask.logicalNot().expand(scores.shape), -Double.infinity)
        } else {
            scores = scores + attnMask.to(scores.dtype)
        }
    }
    var weights = scores.softmax(dim: -1)
    if dropoutP > 0 { weights = dropout(weights, p: dropoutP, training: true, generator: generator) }
    return weights.matmul(value)
}

/// `[L, S]` bool, `true` above the diagonal: the positions a causal query may not see
/// (query `i` attends to keys `0...i`).
func causalBlockedMask(_ l: Int, _ s: Int) -> Tensor {
    Tensor.arange(l).unsqueeze(1) .< Tensor.arange(s).unsqueeze(0)
}
