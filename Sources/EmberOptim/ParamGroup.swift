/// The name of an optimization option that a parameter group carries
/// (PyTorch: a key of an entry of `optimizer.param_groups`, such as `'lr'` or `'betas'`).
///
/// `pytorchName` is the key PyTorch uses, and the one `Optimizer.stateDict()` writes:
/// `param_groups.0.weight_decay`.
public enum Hyperparameter: String, CaseIterable, Sendable, CustomStringConvertible {
    case lr, weightDecay, momentum, dampening, nesterov, maximize
    case betas, eps, amsgrad
    case alpha, centered
    case lrDecay, initialAccumulatorValue
    case rho, momentumDecay
    case maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn
    /// Set by learning-rate schedulers: the learning rate they started from (PyTorch: `initial_lr`).
    case initialLR

    /// PyTorch's key for this option, e.g. `weight_decay`.
    public var pytorchName: String {
        switch self {
        case .weightDecay: return "weight_decay"
        case .lrDecay: return "lr_decay"
        case .initialAccumulatorValue: return "initial_accumulator_value"
        case .momentumDecay: return "momentum_decay"
        case .maxIter: return "max_iter"
        case .maxEval: return "max_eval"
        case .toleranceGrad: return "tolerance_grad"
        case .toleranceChange: return "tolerance_change"
        case .historySize: return "history_size"
        case .lineSearchFn: return "line_search_fn"
        case .initialLR: return "initial_lr"
        default: return rawValue
        }
    }

    /// The option with PyTorch key `name`, or nil.
    public init?(pytorchName name: String) {
        guard let h = Hyperparameter.allCases.first(where: { $0.pytorchName == name }) else { return nil }
        self = h
    }

    /// The PyTorch key.
    public var description: String { pytorchName }
}

/// The value of one optimization option: a number, a flag, or a pair (Adam's `betas`).
public enum HyperparameterValue: Sendable, Equatable, CustomStringConvertible {
    case number(Double)
    case flag(Bool)
    case pair(Double, Double)

    /// The value as PyTorch prints it: `0.01`, `True`, `(0.9, 0.999)`.
    public var description: String {
        switch self {
        case .number(let x): return "\(x)"
        case .flag(let b): return b ? "True" : "False"
        case .pair(let a, let b): return "(\(a), \(b))"
        }
    }

    /// True when both values are of the same case (number, flag or pair).
    func sameKind(_ other: HyperparameterValue) -> Bool {
        switch (self, other) {
        case (.number, .number), (.flag, .flag), (.pair, .pair): return true
        default: return false
        }
    }
}

/// Parameters optimized together with one set of options (PyTorch: one entry of
/// `optimizer.param_groups`, the dict `{'params': [...], 'lr': ..., ...}`).
///
/// Give only the options that differ from the optimizer's defaults; the optimizer fills in the
/// rest when the group is added, so every group in `optimizer.paramGroups` carries every
/// option of its optimizer. Options the optimizer does not have are an error.
///
/// ```swift
/// let optimizer = SGD([
///     ParamGroup(params: [w1, b1]),                // lr 0.01, momentum 0.9 from below
///     ParamGroup(params: [w2, b2], lr: 0.001),     // its own learning rate
/// ], lr: 0.01, momentum: 0.9)
/// optimizer.paramGroups[1].lr *= 0.5               // PyTorch: param_groups[1]['lr'] *= 0.5
/// ```
public struct ParamGroup: Sendable {
    /// The tensors this group updates (PyTorch: `group['params']`).
    public var params: [Tensor]
    /// The options set on this group, by name.
    public internal(set) var options: [Hyperparameter: HyperparameterValue]

    /// A group of `params` overriding any of the optimizer's options; nil means "use the
    /// optimizer's default".
    public init(
        params: [Tensor], lr: Double? = nil, weightDecay: Double? = nil,
        momentum: Double? = nil, dampening: Double? = nil, nesterov: Bool? = nil, maximize: Bool? = nil,
        betas: (Double, Double)? = nil, eps: Double? = nil, amsgrad: Bool? = nil,
        alpha: Double? = nil, centered: Bool? = nil,
        lrDecay: Double? = nil, initialAccumulatorValue: Double? = nil,
        rho: Double? = nil, momentumDecay: Double? = nil
    ) {
        self.params = params
        options = [:]
        func set(_ key: Hyperparameter, _ value: Double?) { if let value { options[key] = .number(value) } }
        func set(_ key: Hyperparameter, _ value: Bool?) { if let value { options[key] = .flag(value) } }
        set(.lr, lr); set(.weightDecay, weightDecay)
        set(.momentum, momentum); set(.dampening, dampening); set(.nesterov, nesterov); set(.maximize, maximize)
        if let betas { options[.betas] = .pair(betas.0, betas.1) }
        set(.eps, eps); set(.amsgrad, amsgrad)
        set(.alpha, alpha); set(.centered, centered)
        set(.lrDecay, lrDecay); set(.initialAccumulatorValue, initialAccumulatorValue)
        set(.rho, rho); set(.momentumDecay, momentumDecay)
    }

    /// The value of `option`, or nil when this group does not carry it (PyTorch: `group.get(key)`).
    public subscript(option: Hyperparameter) -> HyperparameterValue? {
        get { options[option] }
        set { options[option] = newValue }
    }

    /// Whether this group carries `option` (PyTorch: `key in group`).
    public func has(_ option: Hyperparameter) -> Bool { options[option] != nil }

    // Typed access. Reading an option the group does not carry is a programming error: a
    // group gets every option of its optimizer when it is added to the optimizer.

    func number(_ key: Hyperparameter) -> Double {
        guard case .number(let x)? = options[key] else { missing(key) }
        return x
    }
    func flag(_ key: Hyperparameter) -> Bool {
        guard case .flag(let b)? = options[key] else { missing(key) }
        return b
    }
    private func missing(_ key: Hyperparameter) -> Never {
        emberFailure("ParamGroup", "this group has no option '\(key.pytorchName)' (options are filled in from the optimizer's defaults when the group is added to an optimizer); it has \(options.keys.map(\.pytorchName).sorted())", file: #fileID, line: #line)
    }
    private mutating func setNumber(_ key: Hyperparameter, _ x: Double) { options[key] = .number(x) }
    private mutating func setFlag(_ key: Hyperparameter, _ b: Bool) { options[key] = .flag(b) }

    /// Learning rate (PyTorch: `group['lr']`).
    public var lr: Double { get { number(.lr) } set { setNumber(.lr, newValue) } }
    /// L2 penalty added to the gradient, or decoupled decay for AdamW (PyTorch: `group['weight_decay']`).
    public var weightDecay: Double { get { number(.weightDecay) } set { setNumber(.weightDecay, newValue) } }
    /// Momentum factor of SGD and RMSprop (PyTorch: `group['momentum']`).
    public var momentum: Double { get { number(.momentum) } set { setNumber(.momentum, newValue) } }
    /// SGD's dampening for momentum (PyTorch: `group['dampening']`).
    public var dampening: Double { get { number(.dampening) } set { setNumber(.dampening, newValue) } }
    /// SGD's Nesterov momentum switch (PyTorch: `group['nesterov']`).
    public var nesterov: Bool { get { flag(.nesterov) } set { setFlag(.nesterov, newValue) } }
    /// Maximize the objective instead of minimizing it (PyTorch: `group['maximize']`).
    public var maximize: Bool { get { flag(.maximize) } set { setFlag(.maximize, newValue) } }
    /// Adam-family coefficients of the running averages (PyTorch: `group['betas']`).
    public var betas: (Double, Double) {
        get {
            guard case .pair(let a, let b)? = options[.betas] else { missing(.betas) }
            return (a, b)
        }
        set { options[.betas] = .pair(newValue.0, newValue.1) }
    }
    /// Term added to denominators for numerical stability (PyTorch: `group['eps']`).
    public var eps: Double { get { number(.eps) } set { setNumber(.eps, newValue) } }
    /// Adam's AMSGrad variant switch (PyTorch: `group['amsgrad']`).
    public var amsgrad: Bool { get { flag(.amsgrad) } set { setFlag(.amsgrad, newValue) } }
    /// RMSprop's smoothing constant (PyTorch: `group['alpha']`).
    public var alpha: Double { get { number(.alpha) } set { setNumber(.alpha, newValue) } }
    /// RMSprop's centered variant switch (PyTorch: `group['centered']`).
    public var centered: Bool { get { flag(.centered) } set { setFlag(.centered, newValue) } }
    /// Adagrad's learning-rate decay (PyTorch: `group['lr_decay']`).
    public var lrDecay: Double { get { number(.lrDecay) } set { setNumber(.lrDecay, newValue) } }
    /// Adagrad's starting value of the sum of squares (PyTorch: `group['initial_accumulator_value']`).
    public var initialAccumulatorValue: Double {
        get { number(.initialAccumulatorValue) } set { setNumber(.initialAccumulatorValue, newValue) }
    }
    /// Adadelta's running-average coefficient (PyTorch: `group['rho']`).
    public var rho: Double { get { number(.rho) } set { setNumber(.rho, newValue) } }
    /// NAdam's momentum decay (PyTorch: `group['momentum_decay']`).
    public var momentumDecay: Double { get { number(.momentumDecay) } set { setNumber(.momentumDecay, newValue) } }
    /// The learning rate a scheduler started from, nil before any scheduler was attached
    /// (PyTorch: `group['initial_lr']`).
    public var initialLR: Double? {
        get { if case .number(let x)? = options[.initialLR] { return x } else { return nil } }
        set { options[.initialLR] = newValue.map { .number($0) } }
    }
}
