/// The feed-forward activation of a Transformer layer (PyTorch: `activation="relu"`,
/// `"gelu"` or a function; a module instance is not supported).
public enum TransformerActivation: Sendable {
    /// `F.relu`, the default.
    case relu
    /// `F.gelu` (exact), the same `Tensor.gelu()` that `GELU` runs.
    case gelu
    /// Any function of one tensor.
    case function(@Sendable (Tensor) -> Tensor)

    func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: x.relu()
        case .gelu: x.gelu()
        case .function(let f): f(x)
        }
    }
}

/// `norm(x)` through Ember's fused layer-norm op (same values and gradients as the module's
/// composite forward, in two passes instead of about thirty).
func fusedNorm(_ norm: LayerNorm, _ x: Tensor) -> Tensor {
    guard x.dtype == .float32 || x.dtype == .float64 else { return norm(x) }
    return x.layerNorm(norm.normalizedShape, weight: norm.weight, bias: norm.bias, eps: norm.eps)
}

/// `count` layers from `make`, each holding the first one's initial state (PyTorch's
/// `_get_clones` deep-copies one layer).
func clonedLayers<L: Module>(_ make: () -> L, _ count: Int) -> [L] {
    let built = (0..<count).map { _ in make() }
    if let first = built.first {
        let state = first.stateDict()
        for other in built.dropFirst() { _ = try? other.loadStateDict(state) }
    }
    return built
}
