/// Bags of embeddings reduced to one vector each (sum, mean or max), without materializing
/// the per-id vectors as a padded batch.

/// How `embeddingBag` reduces each bag (PyTorch: `mode`).
public enum EmbeddingBagMode: String, Sendable {
    /// The sum of the bag's vectors, optionally weighted per id (PyTorch: `"sum"`).
    case sum
    /// Their mean (PyTorch: `"mean"`, the default).
    case mean
    /// Their elementwise max (PyTorch: `"max"`).
    case max
}

/// One vector per bag of ids (PyTorch: `F.embedding_bag`). `input` is either int64 `[B, n]`
/// (each row a bag; no `offsets`) or a flat `[M]` list cut into bags at `offsets` `[B]`
/// (`[B + 1]` with `includeLastOffset`, whose last entry must be `M`). Ids equal to
/// `paddingIdx` are left out of their bag (and of its count). `perSampleWeights`, the
/// input's shape, scales each id's vector (`.sum` only). An empty bag gives zeros.
///
/// ```swift
/// let table = Tensor.randn([10, 3])
/// embeddingBag(Tensor([1, 2, 4, 5, 4, 3, 2, 9] as [Int]), weight: table, offsets: Tensor([0, 4] as [Int]))   // [2, 3]
/// ```
public func embeddingBag(_ input: Tensor, weight: Tensor, offsets: Tensor? = nil, mode: EmbeddingBagMode = .mean,
                         perSampleWeights: Tensor? = nil, includeLastOffset: Bool = false, paddingIdx: Int? = nil,
                         file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    let op: StaticString = "embeddingBag"
    check(weight.dim == 2, op, "weight must be a 2-d table, got shape \(weight.shape)", file: file, line: line)
    check(input.dtype == .int64 || input.dtype == .int32, op, "expected int64 ids, got \(input.dtype)", file: file, line: line)
    let (rows, dim) = (weight.shape[0], weight.shape[1])
    let ids = input.toArray(as: Int64.self).map(Int.init)
    var starts: [Int]
    if input.dim == 2 {
        check(offsets == nil, op, "offsets must be nil for a 2-d input \(input.shape): each row is a bag", file: file, line: line)
        starts = (0..<input.shape[0]).map { $0 * input.shape[1] }
    } else {
        check(input.dim == 1, op, "input must be 1-d (with offsets) or 2-d, got shape \(input.shape)", file: file, line: line)
        guard let offsets else { emberFailure(op, "a 1-d input needs offsets", file: file, line: line) }
        check(offsets.dim == 1, op, "offsets must be 1-d, got shape \(offsets.shape)", file: file, line: line)
        starts = offsets.toArray(as: Int64.self).map(Int.init)
        if includeLastOffset {
            check(starts.last == ids.count, op, "with includeLastOffset the last offset must be the input length \(ids.count), got \(starts.last.map(String.init) ?? "none")", file: file, line: line)
            starts.removeLast()
        }
        check(starts.first.map { $0 == 0 } ?? true, op, "offsets must start at 0, got \(starts)", file: file, line: line)
        check(zip(starts, starts.dropFirst()).allSatisfy { $0 <= $1 } && (starts.last ?? 0) <= ids.count, op,
              "offsets \(starts) must be non-decreasing and within the input length \(ids.count)", file: file, line: line)
    }
    if let perSampleWeights {
        check(mode == .sum, op, "perSampleWeights are only supported for mode .sum, got .\(mode.rawValue)", file: file, line: line)
        check(perSampleWeights.shape == input.shape, op, "perSampleWeights \(perSampleWeights.shape) must have the input's shape \(input.shape)", file: file, line: line)
    }
    let padding = paddingIdx.map { $0 < 0 ? $0 + rows : $0 }
    // The kept entries, in order, and the bag each belongs to.
    let bags = starts.count
    var kept: [Int] = [], bagOf: [Int] = [], counts = [Int](repeating: 0, count: bags)
    for b in 0..<bags {
        let end = b + 1 < bags ? starts[b + 1] : ids.count
        for i in starts[b]..<end {
            check(ids[i] >= 0 && ids[i] < rows, op, "index \(ids[i]) is out of range for a table of \(rows) rows", file: file, line: line)
            if ids[i] == padding { continue }
            kept.append(i)
            bagOf.append(b)
            counts[b] += 1
        }
    }
    let positions = Tensor(kept)
    var vectors = weight.indexSelect(0, Tensor(kept.map { ids[$0] }))
    if let perSampleWeights { vectors = vectors * perSampleWeights.reshape([-1]).indexSelect(0, positions).unsqueeze(1) }
    switch mode {
    case .sum, .mean:
        let sums = Tensor.zeros([bags, dim], dtype: weight.dtype).indexAdd(0, Tensor(bagOf), vectors)
        guard mode == .mean else { return sums }
        return sums / Tensor(counts.map { Swift.max($0, 1) }, shape: [bags, 1], dtype: weight.dtype)
    case .max:
        var first = 0
        let maxima = counts.map { count -> Tensor in
            defer { first += count }
            return count == 0 ? Tensor.zeros([dim], dtype: weight.dtype) : vectors.narrow(0, start: first, length: count).amax(dims: [0])
        }
        return bags == 0 ? Tensor.zeros([0, dim], dtype: weight.dtype) : Tensor.stack(maxima)
    }
}

/// A table of vectors looked up and reduced per bag of ids
/// (PyTorch: `nn.EmbeddingBag(num_embeddings, embedding_dim, mode='mean', include_last_offset=False, padding_idx=None)`).
///
/// ```swift
/// let bag = EmbeddingBag(10, 3, mode: .sum)
/// let out = bag(Tensor([1, 2, 4, 5, 4, 3, 2, 9] as [Int]), offsets: Tensor([0, 4] as [Int]))   // [2, 3]
/// ```
open class EmbeddingBag: Module, @unchecked Sendable {
    /// The number of ids (PyTorch: `num_embeddings`).
    public let numEmbeddings: Int
    /// The size of each vector (PyTorch: `embedding_dim`).
    public let embeddingDim: Int
    /// How each bag is reduced.
    public let mode: EmbeddingBagMode
    /// Whether `offsets` ends with the input length (PyTorch: `include_last_offset`).
    public let includeLastOffset: Bool
    /// The id left out of every bag; its row starts as zeros (PyTorch: `padding_idx`).
    public let paddingIdx: Int?
    /// The learned table, `[numEmbeddings, embeddingDim]`, N(0, 1) at first.
    @Parameter public var weight: Tensor

    /// An embedding bag with PyTorch's initialization.
    public init(_ numEmbeddings: Int, _ embeddingDim: Int, mode: EmbeddingBagMode = .mean, includeLastOffset: Bool = false,
                paddingIdx: Int? = nil, dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) {
        if let paddingIdx {
            check(paddingIdx >= -numEmbeddings && paddingIdx < numEmbeddings, "EmbeddingBag", "padding_idx \(paddingIdx) must be within [\(-numEmbeddings), \(numEmbeddings - 1)]", file: file, line: line)
        }
        (self.numEmbeddings, self.embeddingDim, self.mode, self.includeLastOffset) = (numEmbeddings, embeddingDim, mode, includeLastOffset)
        self.paddingIdx = paddingIdx.map { $0 < 0 ? $0 + numEmbeddings : $0 }
        self.weight = Tensor(empty: [numEmbeddings, embeddingDim], dtype: dtype)
        super.init()
        Init.normal_(weight)
        if let p = self.paddingIdx { withNoGrad { weight[p].fill_(0) } }
    }

    /// `embeddingBag(input, weight:, offsets:, ...)`.
    public func callAsFunction(_ input: Tensor, offsets: Tensor?, perSampleWeights: Tensor? = nil,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        runningForward(file: file, line: line) {
            embeddingBag(input, weight: weight, offsets: offsets, mode: mode, perSampleWeights: perSampleWeights,
                         includeLastOffset: includeLastOffset, paddingIdx: paddingIdx)
        }
    }

    /// The bags of a 2-d input, one per row.
    open override func forward(_ x: Tensor) -> Tensor { self(x, offsets: nil) }

    /// `10, 3, mode=mean`.
    open override var extraDescription: String {
        var s = "\(numEmbeddings), \(embeddingDim), mode=\(mode.rawValue)"
        if let paddingIdx { s += ", padding_idx=\(paddingIdx)" }
        return s
    }
}
