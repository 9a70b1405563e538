/// Merges adjacent dimensions that are contiguous with each other in every operand and drops
/// size-1 dimensions, so strided loops run over as few, as long, dimensions as possible.
func coalesce(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
    var outShape: [Int] = []
    var outStrides = [[Int]](repeating: [], count: strides.count)
    for d in 0..<shape.count where shape[d] != 1 {
        if let last = outShape.last,
           strides.indices.allSatisfy({ k in outStrides[k].last! == strides[k][d] * shape[d] }) {
            outShape[outShape.count - 1] = last * shape[d]
            for k in strides.indices { outStrides[k][outStrides[k].count - 1] = strides[k][d] }
        } else {
            outShape.append(shape[d])
            for k in strides.indices { outStrides[k].append(strides[k][d]) }
        }
    }
    if outShape.isEmpty {
        outShape = [1]
        for k in strides.indices { outStrides[k] = [0] }
    }
    return (outShape, outStrides)
}

/// Walks the row-major positions `range` of an index space with `shape`, calling
/// `body(offsets, count)` once per run along the last dimension. `offsets[k]` is operand k's
/// element offset at the run's start; within a run operand k steps by `strides[k].last`.
@inline(__always)
func forEachRun(
    shape: [Int], strides: [[Int]], range: Range<Int>,
    _ body: (UnsafeMutablePointer<Int>, Int) -> Void
) {
    let rank = shape.count
    let operands = strides.count
    if range.isEmpty { return }
    withUnsafeTemporaryAllocation(of: Int.self, capacity: rank + operands) { buf in
        let index = buf.baseAddress!
        let offsets = index + rank
        // Decompose the start position into an index and operand offsets.
        var rem = range.lowerBound
        for d in stride(from: rank - 1, through: 0, by: -1) {
            index[d] = rem % shape[d]
            rem /= shape[d]
        }
        for k in 0..<operands {
            var o = 0
            for d in 0..<rank { o += index[d] * strides[k][d] }
            offsets[k] = o
        }
        var remaining = range.count
        let inner = shape[rank - 1]
        while remaining > 0 {
            let count = min(inner - index[rank - 1], remaining)
            body(offsets, count)
            remaining -= count
            if remaining == 0 { break }
            // Advance to the start of the next run.
            for k in 0..<operands { offsets[k] += count * strides[k][rank - 1] }
            index[rank - 1] += count
            var d = rank - 1
            while d > 0 && index[d] == shape[d] {
                for k in 0..<operands { offsets[k] -= shape[d] * strides[k][d] }
                index[d] = 0
                d -= 1
                index[d] += 1
                for k in 0..<operands { offsets[k] += strides[k][d] }
            }
        }
    }
}
