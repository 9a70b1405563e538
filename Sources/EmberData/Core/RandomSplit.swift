/// Splits a dataset into non-overlapping random subsets of the given sizes (PyTorch:
/// `torch.utils.data.random_split(dataset, lengths, generator)`); the sizes must add up to
/// the dataset's count.
///
/// The same generator state gives the same split every time.
///
/// ```swift
/// let parts = randomSplit(train, lengths: [50000, 10000], generator: Generator(seed: 42))
/// ```
public func randomSplit<D: Dataset>(
    _ dataset: D, lengths: [Int], generator: Generator = .default,
    file: StaticString = #fileID, line: UInt = #line
) -> [Subset<D>] {
    for n in lengths {
        check(n >= 0, "randomSplit", "lengths must be non-negative, got \(lengths)", file: file, line: line)
    }
    let total = lengths.reduce(0, +)
    check(total == dataset.count, "randomSplit",
              "sum of input lengths (\(total)) does not equal the length of the input dataset (\(dataset.count))", file: file, line: line)
    let perm = Tensor.randperm(total, generator: generator).toArray(as: Int64.self)
    var start = 0
    return lengths.map { n in
        defer { start += n }
        return Subset(dataset, indices: perm[start..<start + n].map { Int($0) }, file: file, line: line)
    }
}

/// Splits a dataset into random subsets holding the given fractions of it, e.g.
/// `[0.8, 0.2]` (PyTorch: `random_split` with fractions).
///
/// PyTorch's rounding: each part gets `floor(count * fraction)` samples, and the samples
/// left over go one each to the parts in order, starting from the first. The fractions must
/// each lie in [0, 1] and add up to 1.
///
/// ```swift
/// let parts = randomSplit(iris, lengths: [0.7, 0.3], generator: Generator(seed: 0))  // 105 and 45
/// ```
public func randomSplit<D: Dataset>(
    _ dataset: D, lengths fractions: [Double], generator: Generator = .default,
    file: StaticString = #fileID, line: UInt = #line
) -> [Subset<D>] {
    randomSplit(dataset, lengths: splitLengths(count: dataset.count, fractions: fractions, file: file, line: line),
                generator: generator, file: file, line: line)
}

/// PyTorch's conversion of fractions to counts in `random_split`.
func splitLengths(count: Int, fractions: [Double], file: StaticString, line: UInt) -> [Int] {
    check(!fractions.isEmpty, "randomSplit", "expected at least one fraction", file: file, line: line)
    let sum = fractions.reduce(0, +)
    // PyTorch: math.isclose(sum, 1) (relative tolerance 1e-9) and sum <= 1.
    check(abs(sum - 1) <= 1e-9 * max(abs(sum), 1) && sum <= 1, "randomSplit",
              "fractions must add up to 1, got \(fractions) (sum \(sum))", file: file, line: line)
    var lengths = fractions.map { f -> Int in
        check(f >= 0 && f <= 1, "randomSplit", "fraction \(f) is not between 0 and 1", file: file, line: line)
        return Int((Double(count) * f).rounded(.down))
    }
    let remainder = count - lengths.reduce(0, +)
    for i in 0..<remainder { lengths[i % lengths.count] += 1 }
    return lengths
}
