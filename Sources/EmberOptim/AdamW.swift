/// Adam with decoupled weight decay (PyTorch: `torch.optim.AdamW`).
///
/// The same update as `Adam`, except that weight decay shrinks the parameter directly,
/// `p = p * (1 - lr * weightDecay)`, before the Adam step, instead of being added to the
/// gradient. The default weight decay is 0.01, as in PyTorch.
///
/// ```swift
/// let optimizer = AdamW(parameters, lr: 1e-3, weightDecay: 0.05)
/// ```
public final class AdamW: Optimizer {
    /// The parameter groups (PyTorch: `optimizer.param_groups`).
    public var paramGroups: [ParamGroup] = []
    /// Per-parameter state: `step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` (PyTorch: `optimizer.state`).
    public var state = OptimizerState()
    /// The options groups get by default (PyTorch: `optimizer.defaults`).
    public let defaults: ParamGroup
    /// AdamW's per-parameter buffers (Adam's).
    public static var stateBufferNames: [String] { Adam.stateBufferNames }

    /// AdamW over `params` (PyTorch: `torch.optim.AdamW(params, lr, betas, eps, weight_decay,
    /// amsgrad, maximize=)`).
    public convenience init(
        _ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init([ParamGroup(params: params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, maximize: maximize, file: file, line: line)
    }

    /// AdamW over parameter groups; options a group does not set come from these arguments.
    public init(
        _ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 1e-2, amsgrad: Bool = false, maximize: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        defaults = ParamGroup(params: [], lr: lr, weightDecay: weightDecay, maximize: maximize,
                              betas: betas, eps: eps, amsgrad: amsgrad)
        checkDefaults(file: file, line: line)
        check(!groups.isEmpty, "AdamW", "optimizer got an empty parameter list", file: file, line: line)
        for g in groups { addParamGroup(g, file: file, line: line) }
    }

    /// Performs one AdamW update of every parameter that has a gradient (PyTorch: `optimizer.step()`).
    public func step() { adamStep(self, decoupled: true) }
}
