/// A lookup table from integer ids to learned vectors (PyTorch: `nn.Embedding`).
///
/// `weight` has shape `[numEmbeddings, embeddingDim]` and starts as N(0, 1). Input ids are
/// int64 of any shape; the output adds a last dim of `embeddingDim`. The row at
/// `paddingIdx` starts as zeros and never receives a gradient. With `maxNorm`, each row
/// looked up is first rescaled in place to norm at most `maxNorm` (p-norm `normType`).
///
/// ```swift
/// let emb = Embedding(10_000, 128, paddingIdx: 0)
/// let vectors = emb(Tensor([[1, 5, 0], [2, 0, 0]]))   // [2, 3, 128]
/// ```
open class Embedding: Module, @unchecked Sendable {
    /// The number of ids (PyTorch: `num_embeddings`).
    public let numEmbeddings: Int
    /// The size of each vector (PyTorch: `embedding_dim`).
    public let embeddingDim: Int
    /// The id whose vector gets no gradient, in `0..<numEmbeddings` (PyTorch: `padding_idx`).
    public let paddingIdx: Int?
    /// The largest norm a looked-up row may have, or nil (PyTorch: `max_norm`).
    public let maxNorm: Double?
    /// The p of the norm `maxNorm` limits (PyTorch: `norm_type`).
    public let normType: Double
    /// The learned table, `[numEmbeddings, embeddingDim]`.
    @Parameter public var weight: Tensor

    /// An embedding table with PyTorch's initialization (PyTorch: `nn.Embedding(num_embeddings,
    /// embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0)`). A negative
    /// `paddingIdx` counts from the end.
    public init(_ numEmbeddings: Int, _ embeddingDim: Int, paddingIdx: Int? = nil, maxNorm: Double? = nil,
                normType: Double = 2, dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) {
        self.numEmbeddings = numEmbeddings
        self.embeddingDim = embeddingDim
        self.paddingIdx = Embedding.normalizedPadding(paddingIdx, numEmbeddings, file: file, line: line)
        self.maxNorm = maxNorm
        self.normType = normType
        self.weight = Tensor(empty: [numEmbeddings, embeddingDim], dtype: dtype)
        super.init()
        resetParameters()
    }

    /// An embedding holding `embeddings` (`[numEmbeddings, embeddingDim]`), frozen unless
    /// `freeze` is false (PyTorch: `nn.Embedding.from_pretrained`).
    public init(pretrained embeddings: Tensor, freeze: Bool = true, paddingIdx: Int? = nil, maxNorm: Double? = nil,
                normType: Double = 2, file: StaticString = #fileID, line: UInt = #line) {
        check(embeddings.dim == 2, "Embedding", "embeddings must be 2-dimensional, got shape \(embeddings.shape)", file: file, line: line)
        numEmbeddings = embeddings.shape[0]
        embeddingDim = embeddings.shape[1]
        self.paddingIdx = Embedding.normalizedPadding(paddingIdx, embeddings.shape[0], file: file, line: line)
        self.maxNorm = maxNorm
        self.normType = normType
        self.weight = embeddings.detach()
        super.init()
        weight.requiresGrad_(!freeze)
    }

    private static func normalizedPadding(_ p: Int?, _ n: Int, file: StaticString, line: UInt) -> Int? {
        guard let p else { return nil }
        check(p >= -n && p < n, "Embedding", "padding_idx \(p) must be within [\(-n), \(n - 1)] for \(n) embeddings", file: file, line: line)
        return p < 0 ? p + n : p
    }

    /// Re-draws the table from N(0, 1) and zeroes the padding row (PyTorch: `reset_parameters`).
    open func resetParameters() {
        Init.normal_(weight)
        if let paddingIdx { withNoGrad { weight[paddingIdx].fill_(0) } }
    }

    /// The vectors of `ids` (PyTorch: `F.embedding`).
    open override func forward(_ ids: Tensor) -> Tensor {
        embedding(ids, weight: weight, paddingIdx: paddingIdx, maxNorm: maxNorm, normType: normType)
    }

    /// `10000, 128, padding_idx=0`.
    open override var extraDescription: String {
        var s = "\(numEmbeddings), \(embeddingDim)"
        if let paddingIdx { s += ", padding_idx=\(paddingIdx)" }
        if let maxNorm { s += ", max_norm=\(pyFloat(maxNorm))" }
        if normType != 2 { s += ", norm_type=\(pyFloat(normType))" }
        return s
    }
}

/// The rows of `weight` picked by int64 `ids` of any shape: shape `ids.shape + [dim]`
/// (PyTorch: `F.embedding`). The `paddingIdx` row gets no gradient; with `maxNorm`, the
/// rows looked up are first rescaled in place so their `normType`-norm is at most `maxNorm`.
public func embedding(_ ids: Tensor, weight: Tensor, paddingIdx: Int? = nil, maxNorm: Double? = nil, normType: Double = 2, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(ids.dtype == .int64 || ids.dtype == .int32, "Embedding", "expected int64 ids, got \(ids.dtype)", file: file, line: line)
    let flat = ids.to(.int64).reshape([-1])
    let n = weight.shape[0]
    let values = flat.toArray(as: Int64.self)
    if let bad = values.first(where: { $0 < 0 || $0 >= n }) {
        emberFailure("Embedding", "index \(bad) is out of range for an embedding table of \(n) rows (ids shape \(ids.shape))", file: file, line: line)
    }
    if let maxNorm { renormRows(weight, Array(Set(values)).sorted(), maxNorm: maxNorm, normType: normType) }
    let rows = weight.indexSelect(0, flat)
    var out = rows
    if let paddingIdx, values.contains(Int64(paddingIdx)) {
        // Same values, but the padding positions take them from a detached copy, so no
        // gradient reaches the padding row.
        let keep = (flat .!= Double(paddingIdx)).unsqueeze(1)
        out = Tensor.where(keep, rows, rows.detach())
    }
    let result = out.reshape(ids.shape + [weight.shape[1]])
    // Without padding rows every output row is a table row; an LSTM reading this output
    // projects each distinct row once instead of every row (see `GatheredRows`).
    if out === rows { GatheredRows.mark(result, table: weight, index: values) }
    return result
}

/// Scales the listed rows of `weight`, in place without gradient, to `normType`-norm at
/// most `maxNorm` (PyTorch: `torch.embedding_renorm_`, which also adds 1e-7 to the norm).
private func renormRows(_ weight: Tensor, _ ids: [Int64], maxNorm: Double, normType: Double) {
    withNoGrad {
        let index = Tensor(ids, dtype: .int64)
        let rows = weight.indexSelect(0, index)
        let norms = rows.norm(p: normType, dims: [1], keepDim: true)
        let scale = Tensor.where(norms .> maxNorm, maxNorm / (norms + 1e-7), Tensor.onesLike(norms))
        weight.copy_(weight.indexAdd(0, index, rows * (scale - 1)))
    }
}
