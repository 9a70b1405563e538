/// Views share storage with the tensor they come from: no data is copied. Each records a
/// backward that maps the gradient back to the input's shape.
extension Tensor {
    /// A tensor sharing this one's storage with a different layout.
    @inline(__always)
    func makeView(_ shape: [Int], _ strides: [Int], offset: Int? = nil) -> Tensor {
        let out = Tensor(storage: storage, shape: shape, strides: strides, offset: offset ?? self.offset, dtype: dtype)
        out.viewBase = viewBase ?? self
        out.viewVersion = storage.version
        return out
    }

    /// Resolves a shape with at most one -1 against this tensor's element count.
    func inferShape(_ shape: [Int], _ op: StaticString, file: StaticString, line: UInt) -> [Int] {
        // Common case first: no -1 and the sizes multiply up, with no intermediate arrays.
        var product = 1, allKnown = true
        for d in shape { if d < 0 { allKnown = false; break }; product *= d }
        if allKnown && product == numel { return shape }
        var shape = shape
        let known = shape.filter { $0 != -1 }.reduce(1, *)
        let unknown = shape.indices.filter { shape[$0] == -1 }
        check(unknown.count <= 1, op, "only one dimension can be inferred (-1), got shape \(shape)", file: file, line: line)
        check(shape.allSatisfy { $0 >= -1 }, op, "invalid shape dimension in \(shape)", file: file, line: line)
        if let u = unknown.first {
            check(known != 0 && numel % known == 0, op, "shape \(shape) is invalid for input of size \(numel)", file: file, line: line)
            shape[u] = numel / known
        }
        check(shape.reduce(1, *) == numel, op, "shape \(shape) is invalid for input of size \(numel) (shape \(self.shape))", file: file, line: line)
        return shape
    }

    /// Strides that let this tensor be viewed as `newShape` without copying, or nil
    /// (PyTorch's `computeStride`).
    func viewStrides(_ newShape: [Int]) -> [Int]? {
        if isContiguous { return contiguousStrides(newShape) }
        if numel == 0 { return contiguousStrides(newShape) }
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var viewD = newShape.count - 1
        var chunkBase = strides.last ?? 1
        var tensorNumel = 1, viewNumel = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorNumel *= shape[d]
            if d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase) {
                while viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
                    newStrides[viewD] = viewNumel * chunkBase
                    viewNumel *= newShape[viewD]
                    viewD -= 1
                }
                if viewNumel != tensorNumel { return nil }
                if d > 0 { chunkBase = strides[d - 1]; tensorNumel = 1; viewNumel = 1 }
            }
        }
        return viewD == -1 ? newStrides : nil
    }

    /// The same data with a new shape, never copying; one dimension may be -1
    /// (PyTorch: `tensor.view`). Traps if the layout does not allow it: use `reshape`.
    public func view(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let newShape = inferShape(shape, "view", file: file, line: line)
        guard let s = viewStrides(newShape) else {
            emberFailure("view", "view size \(newShape) is not compatible with input tensor's size \(self.shape) and strides \(strides) (at least one dimension spans across two contiguous subspaces). Use reshape instead", file: file, line: line)
        }
        let out = makeView(newShape, s)
        if needsGrad(self) {
            let inShape = self.shape
            record("ViewBackward0", out, self, file: file, line: line) { g in [g.reshape(inShape)] }
        }
        return out
    }

    /// Variadic form of `view` (PyTorch: `tensor.view(2, 3)`).
    public func view(_ shape: Int..., file: StaticString = #fileID, line: UInt = #line) -> Tensor { view(shape, file: file, line: line) }

    /// The same data with a new shape: a view when the layout allows, otherwise a copy
    /// (PyTorch: `tensor.reshape`).
    public func reshape(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let newShape = inferShape(shape, "reshape", file: file, line: line)
        if viewStrides(newShape) != nil { return view(newShape, file: file, line: line) }
        return contiguous().view(newShape, file: file, line: line)
    }

    /// Variadic form of `reshape`.
    public func reshape(_ shape: Int..., file: StaticString = #fileID, line: UInt = #line) -> Tensor { reshape(shape, file: file, line: line) }

    /// Merges dimensions `startDim...endDim` into one (PyTorch: `tensor.flatten`).
    public func flatten(startDim: Int = 0, endDim: Int = -1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if dim == 0 { return reshape([1], file: file, line: line) }
        let s = normalizeDim(startDim, rank: dim, "flatten", file: file, line: line)
        let e = normalizeDim(endDim, rank: dim, "flatten", file: file, line: line)
        check(s <= e, "flatten", "startDim \(startDim) cannot come after endDim \(endDim)", file: file, line: line)
        let newShape = Array(shape[..<s]) + [shape[s...e].reduce(1, *)] + Array(shape[(e + 1)...])
        return reshape(newShape, file: file, line: line)
    }

    /// Splits dimension `dim` into `sizes` (PyTorch: `tensor.unflatten`).
    public func unflatten(_ dim: Int, _ sizes: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = normalizeDim(dim, rank: self.dim, "unflatten", file: file, line: line)
        var sizes = sizes
        if let u = sizes.firstIndex(of: -1) { sizes[u] = shape[d] / Swift.max(sizes.filter { $0 != -1 }.reduce(1, *), 1) }
        check(sizes.reduce(1, *) == shape[d], "unflatten", "sizes \(sizes) don't multiply up to the size of dim \(dim) (\(shape[d])) in shape \(shape)", file: file, line: line)
        return view(Array(shape[..<d]) + sizes + Array(shape[(d + 1)...]), file: file, line: line)
    }

    /// Removes size-1 dimensions: all of them, or only `dim` (PyTorch: `tensor.squeeze`).
    public func squeeze(_ dim: Int? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        var keep = Array(0..<self.dim)
        if let dim {
            let d = normalizeDim(dim, rank: self.dim, "squeeze", file: file, line: line)
            if self.dim > 0 && shape[d] == 1 { keep.remove(at: d) }
        } else {
            keep = keep.filter { shape[$0] != 1 }
        }
        return view(keep.map { shape[$0] }, file: file, line: line)
    }

    /// Inserts a size-1 dimension at `dim` (PyTorch: `tensor.unsqueeze`).
    public func unsqueeze(_ dim: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = normalizeDim(dim, rank: self.dim + 1, "unsqueeze", file: file, line: line)
        var s = shape
        s.insert(1, at: d)
        var st = strides
        st.insert(d < strides.count ? strides[d] * shape[d] : 1, at: d)
        let out = makeView(s, st)
        if needsGrad(self) {
            record("UnsqueezeBackward0", out, self, file: file, line: line) { g in [g.squeeze(d)] }
        }
        return out
    }

    /// Swaps two dimensions (PyTorch: `tensor.transpose`).
    public func transpose(_ dim0: Int, _ dim1: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        if dim == 0 { return self }
        let a = normalizeDim(dim0, rank: dim, "transpose", file: file, line: line)
        let b = normalizeDim(dim1, rank: dim, "transpose", file: file, line: line)
        var s = shape, st = strides
        s.swapAt(a, b)
        st.swapAt(a, b)
        let out = makeView(s, st)
        if needsGrad(self) {
            record("TransposeBackward0", out, self, file: file, line: line) { g in [g.transpose(a, b)] }
        }
        return out
    }

    /// Reorders dimensions (PyTorch: `tensor.permute`).
    public func permute(_ dims: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(dims.count == dim, "permute", "number of dims \(dims) doesn't match the tensor's rank \(dim)", file: file, line: line)
        let p = dims.map { normalizeDim($0, rank: dim, "permute", file: file, line: line) }
        check(Set(p).count == dim, "permute", "repeated dim in \(dims)", file: file, line: line)
        let out = makeView(p.map { shape[$0] }, p.map { strides[$0] })
        if needsGrad(self) {
            var inverse = [Int](repeating: 0, count: p.count)
            for (i, d) in p.enumerated() { inverse[d] = i }
            record("PermuteBackward0", out, self, file: file, line: line) { g in [g.permute(inverse)] }
        }
        return out
    }

    /// Variadic form of `permute`.
    public func permute(_ dims: Int..., file: StaticString = #fileID, line: UInt = #line) -> Tensor { permute(dims, file: file, line: line) }

    /// All dimensions reversed (PyTorch: `tensor.T`; for 2-d, the transpose).
    public var T: Tensor { permute(Array((0..<dim).reversed())) }

    /// The last two dimensions swapped (PyTorch: `tensor.mT`).
    public var mT: Tensor { transpose(-2, -1) }

    /// Broadcasts size-1 dimensions to `shape` without copying; -1 keeps a size
    /// (PyTorch: `tensor.expand`).
    public func expand(_ shape: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(shape.count >= dim, "expand", "the number of sizes provided (\(shape.count)) must be greater or equal to the number of dimensions in the tensor (\(dim))", file: file, line: line)
        let lead = shape.count - dim
        var s = shape, st = [Int](repeating: 0, count: shape.count)
        for i in 0..<shape.count {
            if i < lead {
                check(shape[i] >= 0, "expand", "-1 is not allowed in a leading, non-existing dimension (shape \(shape))", file: file, line: line)
                continue
            }
            let own = self.shape[i - lead]
            if shape[i] == -1 || shape[i] == own { s[i] = own; st[i] = strides[i - lead]; continue }
            check(own == 1, "expand", "the expanded size of the tensor (\(shape[i])) must match the existing size (\(own)) at non-singleton dimension \(i). Target sizes: \(shape). Tensor sizes: \(self.shape)", file: file, line: line)
        }
        if s == self.shape { return self }
        let out = makeView(s, st)
        if needsGrad(self) {
            let inShape = self.shape
            record("ExpandBackward0", out, self, file: file, line: line) { g in [sumToShape(g, inShape)] }
        }
        return out
    }

    /// Variadic form of `expand`.
    public func expand(_ shape: Int..., file: StaticString = #fileID, line: UInt = #line) -> Tensor { expand(shape, file: file, line: line) }

    /// Broadcasts to another tensor's shape (PyTorch: `tensor.expand_as`).
    public func expandAs(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor { expand(other.shape, file: file, line: line) }

    /// A view with the same storage but an arbitrary layout, recording a backward that
    /// scatters the gradient into zeros of this tensor's shape through the same view.
    func slicedView(_ name: String, _ shape: [Int], _ strides: [Int], offset: Int,
                    file: StaticString, line: UInt, reapply: @escaping (Tensor) -> Tensor) -> Tensor {
        let out = makeView(shape, strides, offset: offset)
        if needsGrad(self) {
            let inShape = self.shape, inType = dtype
            record(name, out, self, file: file, line: line) { g in
                [embedGradient(g, shape: inShape, dtype: inType, through: reapply)]
            }
        }
        return out
    }

    /// `length` entries of dimension `dim` starting at `start` (PyTorch: `tensor.narrow`).
    public func narrow(_ dim: Int, start: Int, length: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = normalizeDim(dim, rank: self.dim, "narrow", file: file, line: line)
        let st = start < 0 ? start + shape[d] : start
        check(st >= 0 && length >= 0 && st + length <= shape[d], "narrow", "start (\(start)) + length (\(length)) exceeds dimension size (\(shape[d])) of dim \(dim) in shape \(shape)", file: file, line: line)
        var s = shape
        s[d] = length
        return slicedView("NarrowBackward0", s, strides, offset: offset + st * strides[d], file: file, line: line) {
            $0.narrow(d, start: st, length: length)
        }
    }

    /// The slice at `index` along `dim`, removing that dimension (PyTorch: `tensor.select`).
    public func select(_ dim: Int, _ index: Int, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = normalizeDim(dim, rank: self.dim, "select", file: file, line: line)
        let i = index < 0 ? index + shape[d] : index
        check(i >= 0 && i < shape[d], "select", "index \(index) is out of bounds for dimension \(dim) with size \(shape[d])", file: file, line: line)
        var s = shape, st = strides
        s.remove(at: d)
        st.remove(at: d)
        return slicedView("SelectBackward0", s, st, offset: offset + i * strides[d], file: file, line: line) { $0.select(d, i) }
    }

    /// Every `step`-th entry of `range` along `dim` (PyTorch: `tensor[start:end:step]` on a dim).
    public func slice(_ dim: Int, _ start: Int, _ end: Int, step: Int = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let d = normalizeDim(dim, rank: self.dim, "slice", file: file, line: line)
        check(step > 0, "slice", "step must be greater than zero, got \(step)", file: file, line: line)
        func clamp(_ v: Int) -> Int { Swift.min(Swift.max(v < 0 ? v + shape[d] : v, 0), shape[d]) }
        let s0 = clamp(start), e0 = Swift.max(clamp(end), s0)
        let length = (e0 - s0 + step - 1) / step
        var s = shape, st = strides
        s[d] = length
        st[d] = strides[d] * step
        return slicedView("SliceBackward0", s, st, offset: offset + s0 * strides[d], file: file, line: line) {
            $0.slice(d, s0, e0, step: step)
        }
    }

    /// Splits into `chunks` pieces along `dim`, the last possibly smaller (PyTorch: `tensor.chunk`).
    public func chunk(_ chunks: Int, dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        check(chunks > 0, "chunk", "chunk expects chunks to be greater than 0, got \(chunks)", file: file, line: line)
        let d = normalizeDim(dim, rank: self.dim, "chunk", file: file, line: line)
        let size = (shape[d] + chunks - 1) / chunks
        return split(Swift.max(size, 1), dim: d, file: file, line: line)
    }

    /// Pieces of `size` entries along `dim`, the last possibly smaller (PyTorch: `tensor.split(int)`).
    public func split(_ size: Int, dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        let d = normalizeDim(dim, rank: self.dim, "split", file: file, line: line)
        check(size > 0, "split", "split size must be positive, got \(size)", file: file, line: line)
        if shape[d] == 0 { return [self] }
        return stride(from: 0, to: shape[d], by: size).map { narrow(d, start: $0, length: Swift.min(size, shape[d] - $0), file: file, line: line) }
    }

    /// Pieces with the given sizes along `dim` (PyTorch: `tensor.split(list)`).
    public func split(sizes: [Int], dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        let d = normalizeDim(dim, rank: self.dim, "split", file: file, line: line)
        check(sizes.reduce(0, +) == shape[d], "split", "split sizes \(sizes) must sum to the size of dim \(dim) (\(shape[d]))", file: file, line: line)
        var start = 0
        return sizes.map { n in defer { start += n }; return narrow(d, start: start, length: n, file: file, line: line) }
    }

    /// All slices along `dim`, each without that dimension (PyTorch: `tensor.unbind`).
    public func unbind(_ dim: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> [Tensor] {
        let d = normalizeDim(dim, rank: self.dim, "unbind", file: file, line: line)
        return (0..<shape[d]).map { select(d, $0, file: file, line: line) }
    }

    /// This tensor if contiguous, else a contiguous copy (PyTorch: `tensor.contiguous()`).
    public func contiguous() -> Tensor {
        isContiguous ? self : clone()
    }

    /// A copy with its own contiguous storage (PyTorch: `tensor.clone()`).
    public func clone() -> Tensor {
        let out = Tensor(empty: shape, dtype: dtype)
        dtype.visit(CastInto(src: self, dst: out))
        if needsGrad(self) {
            record("CloneBackward0", out, inputs: [self]) { g in [g] }
        }
        return out
    }
}

/// Zeros of `shape` with `g` written into the view that `through` selects: the gradient of a
/// slicing view. Differentiable itself (its backward applies the same view), so higher-order
/// gradients flow through slicing.
func embedGradient(_ g: Tensor, shape: [Int], dtype: DType, through view: @escaping (Tensor) -> Tensor) -> Tensor {
    let out = Tensor.zeros(shape, dtype: g.dtype)
    withNoGrad { view(out).copyRaw(from: g) }
    if needsGrad(g) {
        record("EmbedBackward", out, inputs: [g]) { gg in [view(gg)] }
    }
    return out
}

extension Tensor {
    /// Copies values (with dtype conversion and broadcasting) into this tensor's elements,
    /// without autograd or version bookkeeping.
    func copyRaw(from src: Tensor) {
        let s = src.shape == shape ? src : withNoGrad { src.expand(shape) }
        s.dtype.visit(CastInto(src: s, dst: self))
    }
}
