/// Counting, binning and searching values (PyTorch: `torch.unique`, `bincount`, `histc`,
/// `searchsorted`, `torch.where(condition)`). None of them is differentiable; they read the
/// values into Swift arrays once.
extension Tensor {
    /// The distinct values, sorted ascending, with optionally for each element the index of
    /// its value (`inverse`, shaped like `self`) and how often each value occurs (`counts`)
    /// (PyTorch: `torch.unique(sorted=True, return_inverse=, return_counts=)`). NaNs are
    /// each distinct, at the end, as in PyTorch.
    public func unique(returnInverse: Bool = false, returnCounts: Bool = false) -> (values: Tensor, inverse: Tensor?, counts: Tensor?) {
        let values = toArray(as: Double.self)
        let order = values.indices.sorted { a, b in
            let (x, y) = (values[a], values[b])
            if x.isNaN || y.isNaN { return !x.isNaN && y.isNaN || (x.isNaN && y.isNaN && a < b) }
            return x < y || (x == y && a < b)
        }
        var distinct: [Double] = [], counts: [Int64] = []
        var inverse = [Int64](repeating: 0, count: values.count)
        for i in order {
            let v = values[i]
            if let last = distinct.last, last == v { counts[counts.count - 1] += 1 } else { distinct.append(v); counts.append(1) }
            inverse[i] = Int64(distinct.count - 1)
        }
        return (Tensor(distinct, dtype: dtype),
                returnInverse ? Tensor(inverse, shape: shape, dtype: .int64) : nil,
                returnCounts ? Tensor(counts, dtype: .int64) : nil)
    }

    /// How often each value `0...max` occurs in a 1-d tensor of non-negative integers, or the
    /// sum of `weights` per value; at least `minLength` bins (PyTorch: `torch.bincount`).
    public func bincount(weights: Tensor? = nil, minLength: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim == 1 && !dtype.isFloatingPoint && dtype != .bool, "bincount", "expects a 1-d tensor of integers, got \(dtype) of shape \(shape)", file: file, line: line)
        check(minLength >= 0, "bincount", "minlength should be >= 0, got \(minLength)", file: file, line: line)
        let values = toArray(as: Int64.self)
        check(values.allSatisfy { $0 >= 0 }, "bincount", "input must contain only non-negative integers", file: file, line: line)
        if let weights {
            check(weights.shape == shape, "bincount", "weights should be 1-d and have the same length as input: \(weights.shape) vs \(shape)", file: file, line: line)
        }
        let bins = Swift.max(minLength, Int(values.max().map { $0 + 1 } ?? 0))
        let w = weights?.toArray(as: Double.self)
        var totals = [Double](repeating: 0, count: bins)
        for (i, v) in values.enumerated() { totals[Int(v)] += w?[i] ?? 1 }
        guard let weights else { return Tensor(totals.map { Int64($0) }, dtype: .int64) }
        return Tensor(totals, dtype: weights.dtype == .float32 ? .float32 : .float64)
    }

    /// A histogram of `bins` equal bins over `[min, max]` (the data's range when both are 0);
    /// values outside are ignored, `max` falls in the last bin (PyTorch: `torch.histc`).
    public func histc(bins: Int = 100, min: Double = 0, max: Double = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(bins > 0, "histc", "bins must be > 0, got \(bins)", file: file, line: line)
        check(dtype.isFloatingPoint, "histc", "expects a floating-point tensor, got \(dtype)", file: file, line: line)
        let values = toArray(as: Double.self)
        var lo = min, hi = max
        if lo == 0 && hi == 0, let first = values.first {
            lo = values.reduce(first, Swift.min); hi = values.reduce(first, Swift.max)
        }
        check(lo.isFinite && hi.isFinite, "histc", "range of [\(lo), \(hi)] is not finite", file: file, line: line)
        check(lo <= hi, "histc", "max must be larger than min: [\(lo), \(hi)]", file: file, line: line)
        if lo == hi { lo -= 1; hi += 1 }
        var counts = [Double](repeating: 0, count: bins)
        for v in values where v >= lo && v <= hi {
            counts[Swift.min(bins - 1, Int((v - lo) / (hi - lo) * Double(bins)))] += 1
        }
        return Tensor(counts, dtype: dtype)
    }

    /// For each value of `values`, the index at which it would be inserted into the sorted
    /// last dimension of `self` to keep it sorted: before equal elements, or after them with
    /// `right` (PyTorch: `torch.searchsorted`). `self` is 1-d, or has `values`'s leading dims.
    public func searchsorted(_ values: Tensor, right: Bool = false, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dim >= 1, "searchsorted", "boundaries tensor should not be 0-d", file: file, line: line)
        check(dim == 1 || Array(shape.dropLast()) == Array(values.shape.dropLast()), "searchsorted", "boundaries \(shape) and input value \(values.shape) must have the same leading dimensions, or boundaries must be 1-d", file: file, line: line)
        let sorted = contiguous().toArray(as: Double.self), wanted = values.contiguous().toArray(as: Double.self)
        let n = shape[dim - 1], perRow = values.dim == 0 ? 1 : values.shape[values.dim - 1]
        let result: [Int64] = wanted.enumerated().map { i, v in
            let base = dim == 1 ? 0 : (i / Swift.max(perRow, 1)) * n
            var lo = 0, hi = n
            while lo < hi {
                let mid = (lo + hi) / 2, s = sorted[base + mid]
                if right ? s <= v : s < v { lo = mid + 1 } else { hi = mid }
            }
            return Int64(lo)
        }
        return Tensor(result, shape: values.shape, dtype: .int64)
    }

    /// The indices of the nonzero elements, one int64 tensor per dimension
    /// (PyTorch: `torch.where(condition)` / `nonzero(as_tuple=True)`).
    public func nonzeroIndices() -> [Tensor] {
        let rows = nonzero()
        return (0..<dim).map { rows.select(1, $0).contiguous() }
    }
}

extension Tensor {
    /// The indices where `condition` is true, one tensor per dimension (PyTorch:
    /// `torch.where(condition)`).
    public static func `where`(_ condition: Tensor) -> [Tensor] { condition.nonzeroIndices() }
}
