/// Adadelta: step sizes from running averages of squared gradients and squared updates
/// (PyTorch: `torch.optim.Adadelta`).
///
/// For each parameter `p` with gradient `g` (PyTorch 1.13's single-tensor path):
/// ```
/// g = maximize ? -g : g
/// if weightDecay != 0: g = g + weightDecay * p
/// sq = rho * sq + (1 - rho) * g * g                          // square_avg
/// delta = sqrt(acc + eps) / sqrt(sq + eps) * g
/// acc = rho * acc + (1 - rho) * delta * delta                // acc_delta
/// p = p - lr * delta
/// ```
///
/// ```swift
/// let optimizer = Adadelta(parameters)   // lr 1.0, rho 0.9
/// ```
public final class Adadelta: Optimizer {
    /// The parameter groups (PyTorch: `optimizer.param_groups`).
    public var paramGroups: [ParamGroup] = []
    /// Per-parameter state: `step`, `square_avg`, `acc_delta` (PyTorch: `optimizer.state`).
    public var state = OptimizerState()
    /// The options groups get by default (PyTorch: `optimizer.defaults`).
    public let defaults: ParamGroup
    /// Adadelta's per-parameter buffers.
    public static var stateBufferNames: [String] { ["square_avg", "acc_delta"] }

    /// Adadelta over `params` (PyTorch: `torch.optim.Adadelta(params, lr, rho, eps,
    /// weight_decay, maximize=)`).
    public convenience init(
        _ params: [Tensor], lr: Double = 1.0, rho: Double = 0.9, eps: Double = 1e-6, weightDecay: Double = 0,
        maximize: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init([ParamGroup(params: params)], lr: lr, rho: rho, eps: eps, weightDecay: weightDecay,
                  maximize: maximize, file: file, line: line)
    }

    /// Adadelta over parameter groups; options a group does not set come from these arguments.
    public init(
        _ groups: [ParamGroup], lr: Double = 1.0, rho: Double = 0.9, eps: Double = 1e-6, weightDecay: Double = 0,
        maximize: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) {
        defaults = ParamGroup(params: [], lr: lr, weightDecay: weightDecay, maximize: maximize, eps: eps, rho: rho)
        checkDefaults(file: file, line: line)
        check(!groups.isEmpty, "Adadelta", "optimizer got an empty parameter list", file: file, line: line)
        for g in groups { addParamGroup(g, file: file, line: line) }
    }

    /// Performs one Adadelta update of every parameter that has a gradient (PyTorch: `optimizer.step()`).
    public func step() {
        forEachParameterWithGrad { group, p, g, st in
            let sq = st.buffer("square_avg", like: p)
            let acc = st.buffer("acc_delta", like: p)
            st.step += 1
            let kernel = AdadeltaKernel(lr: group.lr, rho: group.rho, eps: group.eps,
                                        weightDecay: group.weightDecay, maximize: group.maximize)
            runFused(kernel, param: p, grad: g, sq, acc)
        }
    }
}

/// Adadelta's per-element update: `s0` square_avg, `s1` acc_delta.
struct AdadeltaKernel: FusedUpdate {
    let lr, rho, eps, weightDecay: Double
    let maximize: Bool

    @inline(__always)
    func apply<V: FloatLanes>(_ b: UpdateBuffers<V.Scalar>, _ i: Int, _: V.Type) {
        typealias T = V.Scalar
        let x = V.load(b.param, i)
        var g = V.load(b.grad, i) * V(splat: maximize ? -1 : 1)
        if weightDecay != 0 { g = g + V(splat: T(weightDecay)) * x }
        let r = V(splat: T(rho)), c = V(splat: T(1 - rho)), e = V(splat: T(eps))
        let sq = V.load(b.s0, i) * r + c * g * g
        sq.store(b.s0, i)
        let acc = V.load(b.s1, i)
        let delta = (acc + e).sqrtLanes() / (sq + e).sqrtLanes() * g
        (acc * r + c * delta * delta).store(b.s1, i)
        (x + V(splat: T(-lr)) * delta).store(b.param, i)
    }
}
