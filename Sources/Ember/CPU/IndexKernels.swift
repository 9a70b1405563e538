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
