/// An encoder-decoder Transformer: a `TransformerEncoder` and a `TransformerDecoder`, each
/// ending in a `LayerNorm` (PyTorch: `nn.Transformer`).
///
/// Every parameter with more than one dimension is re-drawn Xavier-uniform, as PyTorch does.
/// Children are `encoder` (`layers`, `norm`) and `decoder`, so PyTorch state dicts load unchanged.
///
/// ```swift
/// let model = Transformer(dModel: 64, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, batchFirst: true)
/// let out = model(src, tgt, tgtMask: Transformer.generateSquareSubsequentMask(tgt.shape[1]))
/// ```
open class Transformer: Module, @unchecked Sendable {
    /// The encoder stack (PyTorch: `encoder`).
    public let encoder: TransformerEncoder
    /// The decoder stack (PyTorch: `decoder`).
    public let decoder: TransformerDecoder
    /// Model width (PyTorch: `d_model`).
    public let dModel: Int
    /// Attention heads (PyTorch: `nhead`).
    public let nhead: Int
    /// Whether inputs are `[N, S, E]` (PyTorch: `batch_first`).
    public let batchFirst: Bool

    /// A Transformer (PyTorch: `nn.Transformer(d_model=512, nhead=8, num_encoder_layers=6,
    /// num_decoder_layers=6, dim_feedforward=2048, dropout=0.1, activation=relu,
    /// layer_norm_eps=1e-05, batch_first=False, norm_first=False)`).
    public init(dModel: Int = 512, nhead: Int = 8, numEncoderLayers: Int = 6, numDecoderLayers: Int = 6,
                dimFeedforward: Int = 2048, dropout: Double = 0.1, activation: TransformerActivation = .relu,
                layerNormEps: Double = 1e-5, batchFirst: Bool = false, normFirst: Bool = false, dtype: DType = .float32) {
        encoder = TransformerEncoder(
            TransformerEncoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                    activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                                    normFirst: normFirst, dtype: dtype),
            numLayers: numEncoderLayers, norm: LayerNorm(dModel, eps: layerNormEps, dtype: dtype))
        decoder = TransformerDecoder(
            TransformerDecoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: dropout,
                                    activation: activation, layerNormEps: layerNormEps, batchFirst: batchFirst,
                                    normFirst: normFirst, dtype: dtype),
            numLayers: numDecoderLayers, norm: LayerNorm(dModel, eps: layerNormEps, dtype: dtype))
        self.dModel = dModel
        self.nhead = nhead
        self.batchFirst = batchFirst
        super.init()
        for p in parameters() where p.dim > 1 { Init.xavierUniform_(p) }
    }

    /// Encodes `src` and decodes `tgt` against it (PyTorch: `model(src, tgt, src_mask=None,
    /// tgt_mask=None, memory_mask=None, src_key_padding_mask=None, tgt_key_padding_mask=None,
    /// memory_key_padding_mask=None)`).
    public func callAsFunction(_ src: Tensor, _ tgt: Tensor, srcMask: Tensor? = nil, tgtMask: Tensor? = nil,
                               memoryMask: Tensor? = nil, srcKeyPaddingMask: Tensor? = nil,
                               tgtKeyPaddingMask: Tensor? = nil, memoryKeyPaddingMask: Tensor? = nil,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        runningForward(file: file, line: line) {
            let batchDim = batchFirst ? 0 : 1
            check(src.dim != 3 || src.shape[batchDim] == tgt.shape[batchDim], "Transformer", "the batch number of src and tgt must be equal, got \(src.shape) and \(tgt.shape)")
            check(src.shape.last == dModel && tgt.shape.last == dModel, "Transformer", "the feature number of src and tgt must be equal to d_model (\(dModel)), got \(src.shape) and \(tgt.shape)")
            let memory = encoder(src, mask: srcMask, srcKeyPaddingMask: srcKeyPaddingMask)
            return decoder(tgt, memory: memory, tgtMask: tgtMask, memoryMask: memoryMask,
                           tgtKeyPaddingMask: tgtKeyPaddingMask, memoryKeyPaddingMask: memoryKeyPaddingMask)
        }
    }

    /// A `[size, size]` float mask with `-inf` above the diagonal and 0 elsewhere, so position
    /// `i` attends to positions `≤ i` (PyTorch: `Transformer.generate_square_subsequent_mask`).
    public static func generateSquareSubsequentMask(_ size: Int, dtype: DType = .float32) -> Tensor {
        Tensor.zeros([size, size], dtype: dtype).maskedFill(causalBlockedMask(size, size), -Double.infinity)
    }
}
