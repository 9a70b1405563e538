#if canImport(Glibc)
import Glibc
#endif

/// Adamax: Adam with the infinity norm in place of the second moment
/// (PyTorch: `torch.optim.Adamax`).
///
/// For each parameter `p` with gradient `g`, at step `t` (PyTorch 1.13's single-tensor path):
/// ```
/// g = maximize ? -g : g
/// if weightDecay != 0: g = g + weightDecay * p
/// m = beta1 * m + (1 - beta1) * g                  // exp_avg
/// u = max(beta2 * u, |g| + eps)                    // exp_inf
/// p = p - lr / (1 - beta1^t) * m / u
/// ```
///
/// ```swift
/// let optimizer = Adamax(parameters)   // lr 2e-3
/// ```
public final class Adamax: Optimizer {
    /// The parameter groups (PyTorch: `optimizer.param_groups`).
    public var paramGroups: [ParamGroup] = []
    /// Per-parameter state: `step`, `exp_avg`, `exp_inf` (PyTorch: `optimizer.state`).
    public var state = OptimizerState()
    /// The options groups get by default (PyTorch: `optimizer.defaults`).
    public let defaults: ParamGroup
    /// Adamax's per-parameter buffers.
    public static var stateBufferNames: [String] { ["exp_avg", "exp_inf"] }

    /// Adamax over `params` (PyTorch: `torch.optim.Adamax(params, lr, betas, eps,
    /// weight_decay, maximize=)`).
    public convenience init(
        _ params: [Tensor], lr: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, maximize: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init([ParamGroup(params: params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                  maximize: maximize, file: file, line: line)
    }

    /// Adamax over parameter groups; options a group does not set come from these arguments.
    public init(
        _ groups: [ParamGroup], lr: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, maximize: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) {
        defaults = ParamGroup(params: [], lr: lr, weightDecay: weightDecay, maximize: maximize, betas: betas, eps: eps)
        checkDefaults(file: file, line: line)
        check(!groups.isEmpty, "Adamax", "optimizer got an empty parameter list", file: file, line: line)
        for g in groups { addParamGroup(g, file: file, line: line) }
    }

    /// Performs one Adamax update of every parameter that has a gradient (PyTorch: `optimizer.step()`).
    public func step() {
        forEachParameterWithGrad { group, p, g, st in
            let m = st.buffer("exp_avg", like: p)
            let u = st.buffer("exp_inf", like: p)
            st.step += 1
            let (beta1, beta2) = group.betas
            let kernel = AdamaxKernel(
                beta1: beta1, beta2: beta2, eps: group.eps, weightDecay: group.weightDecay,
                clr: group.lr / (1 - pow(beta1, Double(st.step))), maximize: group.maximize)
            runFused(kernel, param: p, grad: g, m, u)
        }
    }
}

/// Adamax's per-element update: `s0` exp_avg, `s1` exp_inf.
struct AdamaxKernel: FusedUpdate {
    let beta1, beta2, eps, weightDecay, clr: Double
    let maximize: Bool

    @inline(__always)
    func apply<V: FloatLanes>(_ b: UpdateBuffers<V.Scalar>, _ i: Int, _: V.Type) {
        typealias T = V.Scalar
        let x = V.load(b.param, i)
        var g = V.load(b.grad, i) * V(splat: maximize ? -1 : 1)
        if weightDecay != 0 { g = g + V(splat: T(weightDecay)) * x }
        let m = V.load(b.s0, i) * V(splat: T(beta1)) + V(splat: T(1 - beta1)) * g
        m.store(b.s0, i)
        // torch.amax over [exp_inf * beta2, |g| + eps]: NaN wins.
        let u = V.maximum(V.load(b.s1, i) * V(splat: T(beta2)), g.magnitude + V(splat: T(eps)))
        u.store(b.s1, i)
        (x + V(splat: T(-clr)) * m / u).store(b.param, i)
    }
}
