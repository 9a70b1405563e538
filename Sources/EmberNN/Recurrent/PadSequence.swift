/// Stacks variable-length sequences `[Lᵢ, *]` into one padded batch `[maxL, B, *]`
/// (`[B, maxL, *]` with `batchFirst`), filling the tail of shorter ones with `paddingValue`;
/// pass their lengths to an RNN's `lengths:` (PyTorch: `nn.utils.rnn.pad_sequence`).
///
/// ```swift
/// let batch = padSequence([a, b, c], batchFirst: true)              // a: [5, 8], b: [3, 8], c: [4, 8]
/// let (out, hN) = gru(batch, lengths: [5, 3, 4])
/// ```
public func padSequence(_ sequences: [Tensor], batchFirst: Bool = false, paddingValue: Double = 0,
                        file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(!sequences.isEmpty, "padSequence", "expected at least one sequence", file: file, line: line)
    let trailing = Array(sequences[0].shape.dropFirst())
    for (i, s) in sequences.enumerated() {
        check(s.dim >= 1 && Array(s.shape.dropFirst()) == trailing, "padSequence", "every sequence must be [L, \(trailing.map(String.init).joined(separator: ", "))]; sequence \(i) has shape \(s.shape)", file: file, line: line)
    }
    let maxLength = sequences.map { $0.shape[0] }.max() ?? 0
    let padded = sequences.map { s -> Tensor in
        let missing = maxLength - s.shape[0]
        guard missing > 0 else { return s }
        return Tensor.cat([s, Tensor.full([missing] + trailing, paddingValue, dtype: s.dtype)], dim: 0)
    }
    return Tensor.stack(padded, dim: batchFirst ? 0 : 1)
}
