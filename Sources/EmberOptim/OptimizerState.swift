/// What an optimizer keeps for one parameter between steps (PyTorch: `optimizer.state[p]`,
/// the dict `{'step': ..., 'exp_avg': ..., ...}`).
///
/// `step` counts the updates this parameter has had; `buffers` holds the running averages
/// and other tensors by PyTorch's names (`momentum_buffer`, `exp_avg`, `exp_avg_sq`,
/// `max_exp_avg_sq`, `square_avg`, `grad_avg`, `sum`, `acc_delta`, `exp_inf`, `mu_product`).
/// Buffers are allocated on the parameter's first step and updated in place afterwards.
public final class ParamState: @unchecked Sendable {
    /// Number of updates made to this parameter (PyTorch: `state['step']`).
    public var step: Int = 0
    /// The per-parameter tensors by name (PyTorch: the other entries of `state[p]`).
    public var buffers = TensorDict()

    /// An empty state: no steps yet, no buffers.
    public init() {}

    /// The buffer named `name` (PyTorch: `state[p][name]`).
    public subscript(name: String) -> Tensor? {
        get { buffers[name] }
        set { buffers[name] = newValue }
    }
}

/// Per-parameter state of an optimizer, keyed by the parameter tensor's identity
/// (PyTorch: `optimizer.state`, a dict keyed by the parameter objects).
public struct OptimizerState: Sendable {
    private var entries: [ObjectIdentifier: ParamState] = [:]

    /// An empty state.
    public init() {}

    /// The state of `param`, or nil before its first step (PyTorch: `optimizer.state[p]`).
    public subscript(param: Tensor) -> ParamState? {
        get { entries[ObjectIdentifier(param)] }
        set { entries[ObjectIdentifier(param)] = newValue }
    }

    /// The state of `param`, created empty if it has none yet.
    mutating func entry(for param: Tensor) -> ParamState {
        let key = ObjectIdentifier(param)
        if let s = entries[key] { return s }
        let s = ParamState()
        entries[key] = s
        return s
    }

    /// Number of parameters that have state (PyTorch: `len(optimizer.state)`).
    public var count: Int { entries.count }

    /// Forgets every parameter's state.
    public mutating func removeAll() { entries.removeAll() }
}
