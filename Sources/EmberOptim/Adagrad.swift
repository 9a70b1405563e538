/// Adagrad: per-element learning rates from the sum of squared gradients
/// (PyTorch: `torch.optim.Adagrad`).
///
/// For each parameter `p` with gradient `g`, at step `t` (PyTorch 1.13's single-tensor path):
/// ```
/// g = maximize ? -g : g
/// if weightDecay != 0: g = g + weightDecay * p
/// clr = lr / (1 + (t - 1) * lrDecay)
/// sum = sum + g * g                                  // starts at initialAccumulatorValue
/// p = p - clr * g / (sqrt(sum) + eps)
/// ```
///
/// ```swift
/// let optimizer = Adagrad(parameters, lr: 0.01, lrDecay: 1e-4)
/// ```
public final class Adagrad: Optimizer {
    /// The parameter groups (PyTorch: `optimizer.param_groups`).
    public var paramGroups: [ParamGroup] = []
    /// Per-parameter state: `step`, `sum` (PyTorch: `optimizer.state`), created for every
    /// parameter when the optimizer is made, as in PyTorch.
    public var state = OptimizerState()
    /// The options groups get by default (PyTorch: `optimizer.defaults`).
    public let defaults: ParamGroup
    /// Adagrad's per-parameter buffer.
    public static var stateBufferNames: [String] { ["sum"] }

    /// Adagrad over `params` (PyTorch: `torch.optim.Adagrad(params, lr, lr_decay, weight_decay,
    /// initial_accumulator_value, eps, maximize=)`).
    public convenience init(
        _ params: [Tensor], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
        initialAccumulatorValue: Double = 0, eps: Double = 1e-10, maximize: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init([ParamGroup(params: params)], lr: lr, lrDecay: lrDecay, weightDecay: weightDecay,
                  initialAccumulatorValue: initialAccumulatorValue, eps: eps, maximize: maximize, file: file, line: line)
    }

    /// Adagrad over parameter groups; options a group does not set come from these arguments.
    public init(
        _ groups: [ParamGroup], lr: Double = 1e-2, lrDecay: Double = 0, weightDecay: Double = 0,
        initialAccumulatorValue: Double = 0, eps: Double = 1e-10, maximize: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        defaults = ParamGroup(params: [], lr: lr, weightDecay: weightDecay, maximize: maximize, eps: eps,
                              lrDecay: lrDecay, initialAccumulatorValue: initialAccumulatorValue)
        checkDefaults(file: file, line: line)
        check(!groups.isEmpty, "Adagrad", "optimizer got an empty parameter list", file: file, line: line)
        for g in groups { addParamGroup(g, file: file, line: line) }
        for group in paramGroups {
            for p in group.params { _ = state.entry(for: p).buffer("sum", like: p, fill: group.initialAccumulatorValue) }
        }
    }

    /// Performs one Adagrad update of every parameter that has a gradient (PyTorch: `optimizer.step()`).
    public func step() {
        forEachParameterWithGrad { group, p, g, st in
            let sum = st.buffer("sum", like: p, fill: group.initialAccumulatorValue)
            st.step += 1
            let clr = group.lr / (1 + Double(st.step - 1) * group.lrDecay)
            let kernel = AdagradKernel(clr: clr, eps: group.eps, weightDecay: group.weightDecay, maximize: group.maximize)
            runFused(kernel, param: p, grad: g, sum)
        }
    }
}

/// Adagrad's per-element update: `s0` sum.
struct AdagradKernel: FusedUpdate {
    let clr, eps, weightDecay: Double
    let maximize: Bool

    @inline(__always)
    func apply<V: FloatLanes>(_ b: UpdateBuffers<V.Scalar>, _ i: Int, _: V.Type) {
        typealias T = V.Scalar
        let x = V.load(b.param, i)
        var g = V.load(b.grad, i) * V(splat: maximize ? -1 : 1)
        if weightDecay != 0 { g = g + V(splat: T(weightDecay)) * x }
        let sum = V.load(b.s0, i) + V(splat: 1) * g * g
        sum.store(b.s0, i)
        (x + V(splat: T(-clr)) * g / (sum.sqrtLanes() + V(splat: T(eps)))).store(b.param, i)
    }
}
