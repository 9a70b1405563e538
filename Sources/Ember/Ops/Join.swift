/// Ops that build a new tensor from pieces: `cat`, `stack`, `flip`, `repeat`.
extension Tensor {
    /// Joins tensors along an existing dim; shapes must match elsewhere (PyTorch: `torch.cat`).
    public static func cat(_ tensors: [Tensor], dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(!tensors.isEmpty, "cat", "expected a non-empty list of tensors", file: file, line: line)
        // PyTorch skips 1-d empty tensors in cat.
        let parts = tensors.filter { !($0.dim == 1 && $0.numel == 0) }
        guard let first = parts.first else { return tensors[0] }
        let d = normalizeDim(dim, rank: first.dim, "cat", file: file, line: line)
        var outType = first.dtype
        for (i, t) in parts.enumerated() {
            check(t.dim == first.dim, "cat", "tensors must have the same number of dimensions: tensor 0 has shape \(first.shape), tensor \(i) has shape \(t.shape)", file: file, line: line)
            for j in 0..<t.dim where j != d {
                check(t.shape[j] == first.shape[j], "cat", "sizes of tensors must match except in dimension \(d): tensor 0 has shape \(first.shape), tensor \(i) has shape \(t.shape)", file: file, line: line)
            }
            outType = DType.promote(outType, t.dtype)
        }
        var outShape = first.shape
        outShape[d] = parts.reduce(0) { $0 + $1.shape[d] }
        let out = Tensor(empty: outShape, dtype: outType)
        var start = 0
        for t in parts {
            let n = t.shape[d]
            var s = outShape
            s[d] = n
            Tensor(storage: out.storage, shape: s, strides: out.strides, offset: start * out.strides[d], dtype: outType).copyRaw(from: t)
            start += n
        }
        if needsGrad(parts) {
            let sizes = parts.map { $0.shape[d] }, types = parts.map(\.dtype)
            record("CatBackward0", out, inputs: parts, file: file, line: line) { g in
                zip(g.split(sizes: sizes, dim: d), types).map { $0.to($1) }
            }
        }
        return out
    }

    /// Joins same-shaped tensors along a new dim (PyTorch: `torch.stack`).
    public static func stack(_ tensors: [Tensor], dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(!tensors.isEmpty, "stack", "expected a non-empty list of tensors", file: file, line: line)
        for (i, t) in tensors.enumerated() {
            check(t.shape == tensors[0].shape, "stack", "stack expects each tensor to be equal size, but got \(tensors[0].shape) at entry 0 and \(t.shape) at entry \(i)", file: file, line: line)
        }
        let d = normalizeDim(dim, rank: tensors[0].dim + 1, "stack", file: file, line: line)
        return cat(tensors.map { $0.unsqueeze(d) }, dim: d, file: file, line: line)
    }

    /// A copy with the order of entries reversed along `dims` (PyTorch: `torch.flip`).
    public func flip(_ dims: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let ds = dims.map { normalizeDim($0, rank: dim, "flip", file: file, line: line) }
        var st = strides
        var off = offset
        for d in ds where shape[d] > 0 {
            off += (shape[d] - 1) * strides[d]
            st[d] = -strides[d]
        }
        let out = Tensor(storage: storage, shape: shape, strides: st, offset: off, dtype: dtype).convertedCopy()
        if needsGrad(self) {
            record("FlipBackward0", out, inputs: [self], file: file, line: line) { g in [g.flip(ds)] }
        }
        return out
    }

    /// Variadic form of `flip`.
    public func flip(_ dims: Int..., file: StaticString = #fileID, line: UInt = #line) -> Tensor { flip(dims, file: file, line: line) }

    /// Tiles the tensor `repeats[i]` times along each dim (PyTorch: `tensor.repeat`).
    public func `repeat`(_ repeats: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(repeats.count >= dim, "repeat", "number of repeat dims (\(repeats.count)) can not be smaller than number of dimensions of tensor (\(dim))", file: file, line: line)
        let lead = repeats.count - dim
        let padded = [Int](repeating: 1, count: lead) + shape
        // Interleave a repeat dim before each dim, expand it, and merge: [r0, s0, r1, s1, ...].
        var viewShape: [Int] = [], expandShape: [Int] = []
        for (r, s) in zip(repeats, padded) { viewShape += [1, s]; expandShape += [r, s] }
        let outShape = zip(repeats, padded).map { $0 * $1 }
        return reshape(viewShape, file: file, line: line).expand(expandShape, file: file, line: line).contiguous().reshape(outShape, file: file, line: line)
    }

    /// Variadic form of `repeat`.
    public func `repeat`(_ repeats: Int..., file: StaticString = #fileID, line: UInt = #line) -> Tensor { self.repeat(repeats, file: file, line: line) }
}
