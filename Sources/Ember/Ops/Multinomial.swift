/// Drawing category indices from weights (PyTorch: `torch.multinomial`), on Ember's
/// `Generator`, so the same seed draws the same indices.
extension Tensor {
    /// `numSamples` indices drawn from each row of non-negative weights (a 1-d tensor of
    /// weights, or a 2-d tensor with one distribution per row; weights need not sum to 1).
    /// Without `replacement` each index is drawn at most once per row, so a row needs at least
    /// `numSamples` nonzero weights. Returns int64 indices of shape `[numSamples]` or
    /// `[rows, numSamples]` (PyTorch: `torch.multinomial(input, num_samples, replacement)`).
    ///
    /// ```swift
    /// let probs = logits.div(temperature).softmax(dim: -1)
    /// let next = probs.multinomial(1, generator: generator)   // the sampled token id
    /// ```
    public func multinomial(_ numSamples: Int, replacement: Bool = false, generator: Generator = .default,
                            file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim == 1 || dim == 2, "multinomial", "prob_dist must be 1 or 2 dim, got shape \(shape)", file: file, line: line)
        check(dtype.isFloatingPoint, "multinomial", "prob_dist must be a floating point tensor, got \(dtype)", file: file, line: line)
        let categories = shape[dim - 1], rows = dim == 1 ? 1 : shape[0]
        check(categories > 0, "multinomial", "prob_dist has no categories (shape \(shape))", file: file, line: line)
        check(numSamples > 0, "multinomial", "cannot sample numSamples = \(numSamples) <= 0 samples", file: file, line: line)
        check(replacement || numSamples <= categories, "multinomial", "cannot sample numSamples = \(numSamples) > prob_dist's \(categories) categories without replacement", file: file, line: line)
        let weights = contiguous().toArray(as: Double.self)
        var drawn: [Int64] = []
        drawn.reserveCapacity(rows * numSamples)
        for r in 0..<rows {
            var row = Array(weights[(r * categories)..<((r + 1) * categories)])
            check(row.allSatisfy { $0.isFinite && $0 >= 0 }, "multinomial", "probability tensor contains either inf, nan or element < 0 (row \(r))", file: file, line: line)
            let nonzero = row.count(where: { $0 > 0 })
            check(nonzero > 0, "multinomial", "invalid multinomial distribution (sum of probabilities <= 0) in row \(r)", file: file, line: line)
            check(replacement || numSamples <= nonzero, "multinomial", "invalid multinomial distribution (with replacement=False, not enough non-negative category to sample): row \(r) has \(nonzero) nonzero weights for \(numSamples) samples", file: file, line: line)
            let uniforms = generator.uniformDoubles(numSamples)
            if replacement {
                var cumulative = row
                for i in 1..<categories { cumulative[i] += cumulative[i - 1] }
                let total = cumulative[categories - 1]
                for u in uniforms { drawn.append(Int64(Tensor.firstAbove(u * total, in: cumulative))) }
            } else {
                for u in uniforms {
                    let total = row.reduce(0, +)
                    var target = u * total, pick = categories - 1
                    for (i, w) in row.enumerated() where w > 0 {
                        if target < w { pick = i; break }
                        target -= w
                        pick = i
                    }
                    drawn.append(Int64(pick))
                    row[pick] = 0
                }
            }
        }
        return Tensor(drawn, shape: dim == 1 ? [numSamples] : [rows, numSamples], dtype: .int64)
    }

    /// The first index whose cumulative weight exceeds `target` (skipping zero-weight
    /// categories), by binary search.
    static func firstAbove(_ target: Double, in cumulative: [Double]) -> Int {
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] > target { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
