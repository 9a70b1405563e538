/// One Transformer decoder block: masked self-attention, attention over the encoder's output
/// (`memory`), and a feed-forward network, each with a residual connection and layer
/// normalization (PyTorch: `nn.TransformerDecoderLayer`).
///
/// Post-norm by default (`x = norm1(x + selfAttn(x)); x = norm2(x + crossAttn(x, memory));
/// x = norm3(x + ff(x))`); with `normFirst`, each block normalizes its input instead. Children
/// are named as PyTorch's (`self_attn`, `multihead_attn`, `linear1`, `norm1` ... `norm3`).
///
/// ```swift
/// let layer = TransformerDecoderLayer(dModel: 64, nhead: 4, batchFirst: true)
/// let y = layer(tgt, memory: memory, tgtMask: Transformer.generateSquareSubsequentMask(tgt.shape[1]))
/// ```
open class TransformerDecoderLayer: Module, @unchecked Sendable {
    /// The self-attention over the target (PyTorch: `self_attn`).
    public let selfAttn: MultiheadAttention
    /// The attention from the target to the memory (PyTorch: `multihead_attn`).
    public let multiheadAttn: MultiheadAttention
    /// The first feed-forward layer (PyTorch: `linear1`).
    public let linear1: Linear
    /// Dropout inside the feed-forward network (PyTorch: `dropout`).
    public let dropout: Dropout
    /// The second feed-forward layer (PyTorch: `linear2`).
    public let linear2: Linear
    /// Whether normalization comes before each block (PyTorch: `norm_first`).
    public let normFirst: Bool
    /// Normalization around self-attention (PyTorch: `norm1`).
    public let norm1: LayerNorm
    /// Normalization around cross-attention (PyTorch: `norm2`).
    public let norm2: LayerNorm
    /// Normalization around the feed-forward network (PyTorch: `norm3`).
    public let norm3: LayerNorm
    /// Dropout on the self-attention output (PyTorch: `dropout1`).
    public let dropout1: Dropout
    /// Dropout on the cross-attention output (PyTorch: `dropout2`).
    public let dropout2: Dropout
    /// Dropout on the feed-forward output (PyTorch: `dropout3`).
    public let dropout3: Dropout
    /// The feed-forward activation.
    public let activation: TransformerActivation

    /// A decoder layer (PyTorch: `nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward=2048,
    /// dropout=0.1, activation=relu, layer_norm_eps=1e-05, batch_first=False, norm_first=False)`).
    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout: Double = 0.1,
                activation: TransformerActivation = .relu, layerNormEps: Double = 1e-5, batchFirst: Bool = false,
                normFirst: Bool = false, dtype: DType = .float32, file: StaticString = #fileID, line: UInt = #line) {
        selfAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst, dtype: dtype, file: file, line: line)
        multiheadAttn = MultiheadAttention(embedDim: dModel, numHeads: nhead, dropout: dropout, batchFirst: batchFirst, dtype: dtype, file: file, line: line)
        linear1 = Linear(dModel, dimFeedforward, dtype: dtype)
        self.dropout = Dropout(p: dropout)
        linear2 = Linear(dimFeedforward, dModel, dtype: dtype)
        self.normFirst = normFirst
        norm1 = LayerNorm(dModel, eps: layerNormEps, dtype: dtype)
        norm2 = LayerNorm(dModel, eps: layerNormEps, dtype: dtype)
        norm3 = LayerNorm(dModel, eps: layerNormEps, dtype: dtype)
        dropout1 = Dropout(p: dropout)
        dropout2 = Dropout(p: dropout)
        dropout3 = Dropout(p: dropout)
        self.activation = activation
        super.init()
    }

    override func reflectEntries() -> ModuleEntries { reflectStoredProperties().snakeCased() }

    /// Runs the block (PyTorch: `layer(tgt, memory, tgt_mask=None, memory_mask=None,
    /// tgt_key_padding_mask=None, memory_key_padding_mask=None)`).
    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        runningForward(file: file, line: line) {
            var x = tgt
            if normFirst {
                x = x + selfAttentionBlock(fusedNorm(norm1, x), tgtMask, tgtKeyPaddingMask)
                x = x + crossAttentionBlock(fusedNorm(norm2, x), memory, memoryMask, memoryKeyPaddingMask)
                x = x + feedForwardBlock(fusedNorm(norm3, x))
            } else {
                x = fusedNorm(norm1, x + selfAttentionBlock(x, tgtMask, tgtKeyPaddingMask))
                x = fusedNorm(norm2, x + crossAttentionBlock(x, memory, memoryMask, memoryKeyPaddingMask))
                x = fusedNorm(norm3, x + feedForwardBlock(x))
            }
            return x
        }
    }

    private func selfAttentionBlock(_ x: Tensor, _ mask: Tensor?, _ padding: Tensor?) -> Tensor {
        dropout1(selfAttn(x, x, x, keyPaddingMask: padding, needWeights: false, attnMask: mask).output)
    }

    private func crossAttentionBlock(_ x: Tensor, _ memory: Tensor, _ mask: Tensor?, _ padding: Tensor?) -> Tensor {
        dropout2(multiheadAttn(x, memory, memory, keyPaddingMask: padding, needWeights: false, attnMask: mask).output)
    }

    private func feedForwardBlock(_ x: Tensor) -> Tensor {
        dropout3(linear2(dropout(activation(linear1(x)))))
    }
}

/// A stack of `numLayers` decoder layers, then an optional normalization
/// (PyTorch: `nn.TransformerDecoder(decoder_layer, num_layers, norm=None)`). Every layer starts
/// as a copy of the first, as in PyTorch.
open class TransformerDecoder: Module, @unchecked Sendable {
    /// The layers (PyTorch: `layers`).
    public let layers: ModuleList
    /// The final normalization, if any (PyTorch: `norm`).
    public let norm: Module?
    /// How many layers (PyTorch: `num_layers`).
    public let numLayers: Int

    /// A stack of copies of `layer` (PyTorch: `nn.TransformerDecoder(decoder_layer, num_layers, norm)`).
    public init(_ layer: @autoclosure () -> TransformerDecoderLayer, numLayers: Int, norm: Module? = nil) {
        layers = ModuleList(clonedLayers(layer, numLayers))
        self.norm = norm
        self.numLayers = numLayers
        super.init()
    }

    /// Runs every layer, then the norm (PyTorch: `decoder(tgt, memory, tgt_mask=None,
    /// memory_mask=None, tgt_key_padding_mask=None, memory_key_padding_mask=None)`).
    public func callAsFunction(_ tgt: Tensor, memory: Tensor, tgtMask: Tensor? = nil, memoryMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        runningForward(file: file, line: line) {
            var x = tgt
            for case let layer as TransformerDecoderLayer in layers {
                x = layer(x, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask,
                          tgtKeyPaddingMask: tgtKeyPaddingMask, memoryKeyPaddingMask: memoryKeyPaddingMask)
            }
            if let norm = norm as? LayerNorm, type(of: norm) == LayerNorm.self { return fusedNorm(norm, x) }
            return norm.map { $0(x) } ?? x
        }
    }
}
