/// One Transformer encoder block: self-attention and a feed-forward network, each with a
/// residual connection and layer normalization (PyTorch: `nn.TransformerEncoderLayer`).
///
/// Post-norm by default, `x = norm1(x + selfAttn(x)); x = norm2(x + ff(x))`; with `normFirst`,
/// `x = x + selfAttn(norm1(x)); x = x + ff(norm2(x))`. `ff(x) = linear2(dropout(act(linear1(x))))`.
/// Children are named as PyTorch's (`self_attn`, `linear1`, `norm1`, ...), so state dicts load
/// unchanged. Inputs are `[S, N, E]` (`[N, S, E]` with `batchFirst`); `srcMask` and
/// `srcKeyPaddingMask` are passed to `MultiheadAttention`.
///
/// ```swift
/// let layer = TransformerEncoderLayer(dModel: 128, nhead: 4, dimFeedforward: 512, batchFirst: true, normFirst: true)
/// let y = layer(Tensor.randn([8, 32, 128]))
/// ```
open class TransformerEncoderLayer: Module, @unchecked Sendable {
    /// The self-attention (PyTorch: `self_attn`).
    public let selfAttn: MultiheadAttention
    /// The first feed-forward layer, `dModel → dimFeedforward` (PyTorch: `linear1`).
    public let linear1: Linear
    /// Dropout inside the feed-forward network (PyTorch: `dropout`).
    public let dropout: Dropout
    /// The second feed-forward layer, `dimFeedforward → dModel` (PyTorch: `linear2`).
    public let linear2: Linear
    /// Whether normalization comes before each block (PyTorch: `norm_first`).
    public let normFirst: Bool
    /// Normalization around the attention block (PyTorch: `norm1`).
    public let norm1: LayerNorm
    /// Normalization around the feed-forward block (PyTorch: `norm2`).
    public let norm2: LayerNorm
    /// Dropout on the attention block's output (PyTorch: `dropout1`).
    public let dropout1: Dropout
    /// Dropout on the feed-forward block's output (PyTorch: `dropout2`).
    public let dropout2: Dropout
    /// The feed-forward activation.
    public let activation: TransformerActivation

    /// An encoder layer (PyTorch: `nn.TransformerEncoderLayer(d_model, nhead,
    /// dim_feedforward=2048, dropout=0.1, activation=relu, layer_norm_eps=1e-05,
    /// batch_first=False, norm_first=False)`).
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1,
                activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) {
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst, dtype: dtype, file: file, line: line)
        linear1 = Linear(dModel, dimFeedforward, dtype: dtype)
        self.dropout = Dropout(p: dropout)
        linear2 = Linear(dimFeedforward, dModel, dtype: dtype)
        self.normFirst = normFirst
        norm1 = LayerNorm(dModel, eps: layerNormEps, dtype: dtype)
        norm2 = LayerNorm(dModel, eps: layerNormEps, dtype: dtype)
        dropout1 = Dropout(p: dropout)
        dropout2 = Dropout(p: dropout)
        self.activation = activation
        super.init()
    }

    override func reflectEntries() -> ModuleEntries { reflectStoredProperties().snakeCased() }

    /// The layer on `src` without masks.
    open override func forward(_ x: Tensor) -> Tensor { self(x, srcMask: nil) }

    /// Runs the block (PyTorch: `layer(src, src_mask=None, src_key_padding_mask=None)`).
    public func callAsFunction(_ src: Tensor, srcMask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        runningForward(file: file, line: line) {
            var x = src
            if normFirst {
                x = x + selfAttentionBlock(fusedNorm(norm1, x), srcMask, srcKeyPaddingMask)
                x = x + feedForwardBlock(fusedNorm(norm2, x))
            } else {
                x = fusedNorm(norm1, x + selfAttentionBlock(x, srcMask, srcKeyPaddingMask))
                x = fusedNorm(norm2, x + feedForwardBlock(x))
            }
            return x
        }
    }

    private func selfAttentionBlock(_ x: Tensor, _ mask: Tensor?, _ padding: Tensor?) -> Tensor {
        dropout1(selfAttn(x, x, x, keyPaddingMask: padding, needWeights: false, attnMask: mask).output)
    }

    private func feedForwardBlock(_ x: Tensor) -> Tensor {
        dropout2(linear2(dropout(activation(linear1(x)))))
    }
}

/// A stack of `numLayers` encoder layers, then an optional normalization
/// (PyTorch: `nn.TransformerEncoder(encoder_layer, num_layers, norm=None)`).
///
/// Like PyTorch, every layer starts as a copy of the first: the layer expression is
/// evaluated once per layer and the first layer's state is copied into the others.
///
/// ```swift
/// let encoder = TransformerEncoder(TransformerEncoderLayer(dModel: 64, nhead: 4), numLayers: 6)
/// ```
open class TransformerEncoder: Module, @unchecked Sendable {
    /// The layers (PyTorch: `layers`).
    public let layers: ModuleList
    /// The final normalization, if any (PyTorch: `norm`).
    public let norm: Module?
    /// How many layers (PyTorch: `num_layers`).
    public let numLayers: Int

    /// A stack of copies of `layer` (PyTorch: `nn.TransformerEncoder(encoder_layer, num_layers, norm)`).
    public init(_ layer: @autoclosure () -> TransformerEncoderLayer, numLayers: Int, norm: Module? = nil) {
        let built = clonedLayers(layer, numLayers)
        layers = ModuleList(built)
        self.norm = norm
        self.numLayers = numLayers
        super.init()
    }

    /// The encoder without masks.
    open override func forward(_ x: Tensor) -> Tensor { self(x, mask: nil) }

    /// Runs every layer, then the norm (PyTorch: `encoder(src, mask=None, src_key_padding_mask=None)`).
    public func callAsFunction(_ src: Tensor, mask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        runningForward(file: file, line: line) {
            var x = src
            for case let layer as TransformerEncoderLayer in layers {
                x = layer(x, srcMask: mask, srcKeyPaddingMask: srcKeyPaddingMask)
            }
            if let norm = norm as? LayerNorm, type(of: norm) == LayerNorm.self { return fusedNorm(norm, x) }
            return norm.map { $0(x) } ?? x
        }
    }
}
