/// Stochastic gradient descent, optionally with momentum, Nesterov momentum, L2 weight decay
/// and maximization (PyTorch: `torch.optim.SGD`).
///
/// For each parameter `p` with gradient `g` (PyTorch 1.13's single-tensor path):
/// ```
/// g = maximize ? -g : g
/// if weightDecay != 0: g = g + weightDecay * p
/// if momentum != 0:
///     buf = first step ? g : momentum * buf + (1 - dampening) * g
///     g = nesterov ? g + momentum * buf : buf
/// p = p - lr * g
/// ```
///
/// ```swift
/// let optimizer = SGD(model.parameters(), lr: 0.1, momentum: 0.9)
/// optimizer.zeroGrad()
/// loss.backward()
/// optimizer.step()
/// ```
public final class SGD: Optimizer {
    /// The parameter groups (PyTorch: `optimizer.param_groups`).
    public var paramGroups: [ParamGroup] = []
    /// Per-parameter state: `momentum_buffer` (PyTorch: `optimizer.state`).
    public var state = OptimizerState()
    /// The options groups get by default (PyTorch: `optimizer.defaults`).
    public let defaults: ParamGroup
    /// SGD keeps one buffer per parameter when momentum is on.
    public static var stateBufferNames: [String] { ["momentum_buffer"] }

    /// SGD over `params` (PyTorch: `torch.optim.SGD(params, lr, momentum, dampening,
    /// weight_decay, nesterov, maximize=)`).
    public convenience init(
        _ params: [Tensor], lr: Double, momentum: Double = 0, dampening: Double = 0,
        weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init([ParamGroup(params: params)], lr: lr, momentum: momentum, dampening: dampening,
                  weightDecay: weightDecay, nesterov: nesterov, maximize: maximize, file: file, line: line)
    }

    /// SGD over parameter groups; options a group does not set come from these arguments.
    public init(
        _ groups: [ParamGroup], lr: Double, momentum: Double = 0, dampening: Double = 0,
        weightDecay: Double = 0, nesterov: Bool = false, maximize: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        defaults = ParamGroup(params: [], lr: lr, weightDecay: weightDecay, momentum: momentum,
                              dampening: dampening, nesterov: nesterov, maximize: maximize)
        checkDefaults(file: file, line: line)
        check(!nesterov || (momentum > 0 && dampening == 0), "SGD", "Nesterov momentum requires a momentum and zero dampening", file: file, line: line)
        check(!groups.isEmpty, "SGD", "optimizer got an empty parameter list", file: file, line: line)
        for g in groups { addParamGroup(g, file: file, line: line) }
    }

    /// Performs one SGD update of every parameter that has a gradient (PyTorch: `optimizer.step()`).
    public func step() {
        var batch = FusedBatch<SGDKernel>()
        forEachParameterWithGrad { group, p, g, st in
            let momentum = group.momentum
            let first = st["momentum_buffer"] == nil
            let buf = momentum != 0 ? st.buffer("momentum_buffer", like: p) : nil
            let kernel = SGDKernel(
                lr: group.lr, momentum: momentum, dampening: group.dampening, weightDecay: group.weightDecay,
                nesterov: group.nesterov, maximize: group.maximize, firstStep: first)
            batch.add(kernel, param: p, grad: g, buf)
        }
        batch.run()
    }
}

/// SGD's per-element update; `s0` is the momentum buffer.
struct SGDKernel: FusedUpdate {
    let lr, momentum, dampening, weightDecay: Double
    let nesterov, maximize, firstStep: Bool

    @inline(__always)
    func apply<V: FloatLanes>(_ b: UpdateBuffers<V.Scalar>, _ i: Int, _: V.Type) {
        typealias T = V.Scalar
        let x = V.load(b.param, i)
        var d = V.load(b.grad, i) * V(splat: maximize ? -1 : 1)
        if weightDecay != 0 { d = d + V(splat: T(weightDecay)) * x }
        if momentum != 0 {
            let mom = V(splat: T(momentum))
            let m = firstStep ? d : V.load(b.s0, i) * mom + V(splat: T(1 - dampening)) * d
            m.store(b.s0, i)
            d = nesterov ? d + mom * m : m
        }
        (x + V(splat: T(-lr)) * d).store(b.param, i)
    }
}
