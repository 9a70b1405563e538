/// Gather and scatter along one dim: `index` chooses, per position, which entry of `dim` to read
/// from (gather) or write to (scatter). Out-of-range indices trap with the op and the index.
struct GatherKernel: ElementVisitor {
    let src: Tensor, index: Tensor, out: Tensor, dim: Int, file: StaticString, line: UInt
    func visit<T: TensorElement>(_: T.Type) {
        let size = src.shape[dim], step = src.strides[dim]
        var srcStrides = src.strides
        srcStrides[dim] = 0
        let ps = src.pointer(T.self), pi = index.pointer(Int64.self), po = out.pointer(T.self)
        forEachRun(shape: index.shape.isEmpty ? [1] : index.shape, strides: [out.strides.isEmpty ? [1] : out.strides, index.strides.isEmpty ? [0] : index.strides, srcStrides.isEmpty ? [0] : srcStrides], range: 0..<index.numel) { off, count in
            let so = out.strides.last ?? 1, si = index.strides.last ?? 0, ss = srcStrides.last ?? 0
            for j in 0..<count {
                var ix = Int(pi[off[1] + j * si])
                if ix < 0 { ix += size }
                if ix < 0 || ix >= size { emberFailure("gather", "index \(pi[off[1] + j * si]) is out of bounds for dimension \(dim) with size \(size)", file: file, line: line) }
                po[off[0] + j * so] = ps[off[2] + j * ss + ix * step]
            }
        }
    }
}

/// `out[..., index[i], ...] = src[i]` (or `+=` when `accumulate`), walking `index`'s shape.
struct ScatterKernel: ElementVisitor {
    let src: Tensor, index: Tensor, out: Tensor, dim: Int, accumulate: Bool, file: StaticString, line: UInt
    func visit<T: TensorElement>(_: T.Type) {
        // Accumulation happens in an arithmetic dtype; the caller converts half and bool.
        if accumulate { T.dtype.visitArithmetic(ScatterAddKernel(base: self)) } else { scatter(T.self) }
    }

    func scatter<T: TensorElement>(_: T.Type) {
        let size = out.shape[dim], step = out.strides[dim]
        var outStrides = out.strides
        outStrides[dim] = 0
        let ps = src.pointer(T.self), pi = index.pointer(Int64.self), po = out.pointer(T.self)
        let srcStrides = src.strides
        forEachRun(shape: index.shape.isEmpty ? [1] : index.shape, strides: [outStrides.isEmpty ? [0] : outStrides, index.strides.isEmpty ? [0] : index.strides, srcStrides.isEmpty ? [0] : srcStrides], range: 0..<index.numel) { off, count in
            let so = outStrides.last ?? 0, si = index.strides.last ?? 0, ss = srcStrides.last ?? 0
            for j in 0..<count {
                var ix = Int(pi[off[1] + j * si])
                if ix < 0 { ix += size }
                if ix < 0 || ix >= size { emberFailure("scatter", "index \(pi[off[1] + j * si]) is out of bounds for dimension \(dim) with size \(size)", file: file, line: line) }
                po[off[0] + j * so + ix * step] = ps[off[2] + j * ss]
            }
        }
    }
}

private struct ScatterAddKernel: ArithmeticVisitor {
    let base: ScatterKernel
    func visit<T: ArithmeticElement>(_: T.Type) {
        let out = base.out, index = base.index, src = base.src, dim = base.dim
        let size = out.shape[dim], step = out.strides[dim]
        var outStrides = out.strides
        outStrides[dim] = 0
        let ps = src.pointer(T.self), pi = index.pointer(Int64.self), po = out.pointer(T.self)
        let srcStrides = src.strides
        forEachRun(shape: index.shape.isEmpty ? [1] : index.shape, strides: [outStrides.isEmpty ? [0] : outStrides, index.strides.isEmpty ? [0] : index.strides, srcStrides.isEmpty ? [0] : srcStrides], range: 0..<index.numel) { off, count in
            let so = outStrides.last ?? 0, si = index.strides.last ?? 0, ss = srcStrides.last ?? 0
            for j in 0..<count {
                var ix = Int(pi[off[1] + j * si])
                if ix < 0 { ix += size }
                if ix < 0 || ix >= size { emberFailure("scatterAdd", "index \(pi[off[1] + j * si]) is out of bounds for dimension \(dim) with size \(size)", file: base.file, line: base.line) }
                let p = po + off[0] + j * so + ix * step
                p.pointee = T.add(p.pointee, ps[off[2] + j * ss])
            }
        }
    }
}

/// `out[i] = src[index[i]]` along dim 0 of a contiguous `src` into a contiguous `out`, one
/// row copy per index (the `indexSelect(0, _)` an embedding lookup does), `index` contiguous.
struct RowGatherKernel: ElementVisitor {
    let src: Tensor, index: Tensor, out: Tensor, file: StaticString, line: UInt
    func visit<T: TensorElement>(_: T.Type) {
        let rows = src.shape[0], width = rows == 0 ? 0 : src.numel / rows
        let ps = src.pointer(T.self), pi = index.pointer(Int64.self), po = out.pointer(T.self)
        for i in 0..<index.numel {
            let ix = rowIndex(pi[i], rows, "indexSelect", file, line)
            (po + i * width).update(from: ps + ix * width, count: width)
        }
    }
}

/// `out[index[i]] += src[i]` along dim 0, `out`, `src` and `index` contiguous (the
/// `indexAdd(0, _, _)` of an embedding's backward), adding whole rows.
struct RowScatterAddKernel: ArithmeticVisitor {
    let src: Tensor, index: Tensor, out: Tensor, file: StaticString, line: UInt
    func visit<T: ArithmeticElement>(_: T.Type) {
        let rows = out.shape[0], width = rows == 0 ? 0 : out.numel / rows
        let ps = src.pointer(T.self), pi = index.pointer(Int64.self), po = out.pointer(T.self)
        for i in 0..<index.numel {
            let ix = rowIndex(pi[i], rows, "indexAdd", file, line)
            let o = po + ix * width, s = ps + i * width
            for j in 0..<width { o[j] = T.add(o[j], s[j]) }
        }
    }
}

/// A row index with negative values counted from the end, trapping when out of range.
@inline(__always)
private func rowIndex(_ value: Int64, _ rows: Int, _ op: StaticString, _ file: StaticString, _ line: UInt) -> Int {
    var ix = Int(value)
    if ix < 0 { ix += rows }
    if ix < 0 || ix >= rows { emberFailure(op, "index \(value) is out of bounds for dimension 0 with size \(rows)", file: file, line: line) }
    return ix
}
