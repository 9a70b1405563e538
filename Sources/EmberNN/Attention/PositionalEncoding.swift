#if canImport(Glibc)
import Glibc
#endif

/// Positional information for attention models, as plain functions of positions.

/// The sinusoidal position encoding of "Attention Is All You Need": `[length, dim]` with
/// `pe[p, 2i] = sin(p / base^(2i/dim))` and `pe[p, 2i+1] = cos(p / base^(2i/dim))`, sines and
/// cosines interleaved (the PyTorch tutorial's `PositionalEncoding` buffer; add it to the
/// embeddings). `dim` must be even.
///
/// ```swift
/// let x = embedding(ids) + sinusoidalPositionalEncoding(length: 128, dim: 64)   // [B, 128, 64]
/// ```
public func sinusoidalPositionalEncoding(length: Int, dim: Int, base: Double = 10000, dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(dim > 0 && dim % 2 == 0, "sinusoidalPositionalEncoding", "dim must be even and positive, got \(dim)", file: file, line: line)
    var values = [Double](repeating: 0, count: length * dim)
    for p in 0..<length {
        for i in 0..<(dim / 2) {
            let angle = Double(p) * Glibc.exp(Double(2 * i) * -Glibc.log(base) / Double(dim))
            values[p * dim + 2 * i] = Glibc.sin(angle)
            values[p * dim + 2 * i + 1] = Glibc.cos(angle)
        }
    }
    return Tensor(values, shape: [length, dim], dtype: dtype)
}

/// The cosines and sines of rotary position embeddings (RoPE, Su et al. 2021) for positions
/// `0..<length`, each `[length, dim]`, in the **half-split** layout: feature `j` and feature
/// `j + dim/2` form a pair rotated by angle `p · base^(-2j/dim)` (the GPT-NeoX / Llama
/// convention of Hugging Face's `rotate_half`, not the interleaved GPT-J one). Pass them to
/// `applyRotaryEmbedding`. `dim` (the head dimension) must be even.
public func rotaryEmbedding(length: Int, dim: Int, base: Double = 10000, dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) -> (cos: Tensor, sin: Tensor) {
    check(dim > 0 && dim % 2 == 0, "rotaryEmbedding", "dim must be even and positive, got \(dim)", file: file, line: line)
    let half = dim / 2
    var c = [Double](repeating: 0, count: length * dim), s = c
    for p in 0..<length {
        for j in 0..<half {
            let angle = Double(p) * Glibc.pow(base, -Double(2 * j) / Double(dim))
            c[p * dim + j] = Glibc.cos(angle); c[p * dim + j + half] = Glibc.cos(angle)
            s[p * dim + j] = Glibc.sin(angle); s[p * dim + j + half] = Glibc.sin(angle)
        }
    }
    return (Tensor(c, shape: [length, dim], dtype: dtype), Tensor(s, shape: [length, dim], dtype: dtype))
}

/// Rotates queries or keys `x` `[*, L, dim]` by their positions, half-split convention:
/// `x · cos + rotateHalf(x) · sin` with `rotateHalf([x₁, x₂]) = [-x₂, x₁]` (halves of the last
/// dim). `cos` and `sin` come from `rotaryEmbedding` and broadcast against `x` (`[L, dim]`, or
/// sliced to the positions in use). Apply it to q and k before attention, not to v.
///
/// ```swift
/// let (cos, sin) = rotaryEmbedding(length: 128, dim: 32)
/// let q = applyRotaryEmbedding(queries, cos: cos, sin: sin)   // queries: [B, heads, 128, 32]
/// ```
public func applyRotaryEmbedding(_ x: Tensor, cos: Tensor, sin: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let d = x.shape.last ?? 0
    check(d % 2 == 0 && cos.shape.last == d && sin.shape.last == d, "applyRotaryEmbedding", "x's last dim (\(d)) must be even and match cos \(cos.shape) and sin \(sin.shape)", file: file, line: line)
    let halves = x.chunk(2, dim: -1)
    let rotated = Tensor.cat([-halves[1], halves[0]], dim: -1)
    return x * cos + rotated * sin
}
