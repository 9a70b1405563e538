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
    check(query.dim >= 2 && key.dim >= 2 && value.dim >= 2, op, "query, key and value need at least 2 dims ([*, L, E]), got \(query.shape), \(key.shape), \(value.shape)", file: file, line: line)
    let e = query.shape[query.dim - 1]
    check(key.shape[key.dim - 1] == e, op, "query and key must have the same last dim, got \(query.shape) and \(key.shape)", file: file, line: line)
    check(key.shape[key.dim - 2] == value.shape[value.dim - 2], op, "key and value must have the same sequence length (dim -2), got \(key.shape) and \(value.shape)", file: file, line: line)
    check(!(isCausal && attnMask != nil), op, "pass either attnMask or isCausal, not both", file: file, line: line)
    check(dropoutP >= 0 && dropoutP <= 1, op, "dropoutP must lie in [0, 1], got \(dropoutP)", file: file, line: line)
    let l = query.shape[query.dim - 2], s = key.shape[key.dim - 2]
    let factor = scale ?? 1 / Double(e).squareRoot()
    if dropoutP == 0, let fused = fusedAttention(query, key, value, attnMask: attnMask, isCausal: isCausal, scale: factor) {
        return fused
    }
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

/// The fused `Tensor.attention` op where it applies: float32/float64 inputs whose leading
/// (batch) dims agree, and a mask of at most 2 dims or with the full batch shape; nil
/// otherwise (the caller composes the op from primitives).
private func fusedAttention(_ query: Tensor, _ key: Tensor, _ value: Tensor, attnMask: Tensor?, isCausal: Bool,
                            scale: Double) -> Tensor? {
    let dtype = query.dtype
    guard (dtype == .float32 || dtype == .float64) && key.dtype == dtype && value.dtype == dtype else { return nil }
    guard query.dim >= 3 && key.dim == query.dim && value.dim == query.dim else { return nil }
    let lead = Array(query.shape.dropLast(2))
    guard Array(key.shape.dropLast(2)) == lead && Array(value.shape.dropLast(2)) == lead else { return nil }
    let l = query.shape[query.dim - 2], s = key.shape[key.dim - 2]
    var mask: Tensor? = nil
    if let attnMask {
        guard attnMask.dtype == .bool || attnMask.dtype.isFloatingPoint else { return nil }
        // A bool mask marks the positions that take part; as an additive mask, -inf elsewhere.
        let additive = attnMask.dtype == .bool
            ? Tensor.zeros(attnMask.shape, dtype: dtype).maskedFill(attnMask.logicalNot(), -Double.infinity)
            : attnMask.to(dtype)
        let shape = additive.shape
        if shape.count <= 2 || shape.dropLast(2).allSatisfy({ $0 == 1 }) {
            let last2 = Array(([1, 1] + shape).suffix(2))
            guard (last2[0] == l || last2[0] == 1) && (last2[1] == s || last2[1] == 1) else { return nil }
            mask = additive.reshape(last2)
        } else if Array(shape.dropLast(2)) == lead {
            mask = additive.reshape([-1] + Array(shape.suffix(2)))
        } else {
            return nil
        }
    }
    let batch = lead.reduce(1, *)
    func flat(_ t: Tensor) -> Tensor { t.reshape([batch] + Array(t.shape.suffix(2))) }
    let out = flat(query).attention(key: flat(key), value: flat(value), mask: mask, isCausal: isCausal, scale: scale)
    return out.reshape(lead + [l, value.shape[value.dim - 1]])
}
