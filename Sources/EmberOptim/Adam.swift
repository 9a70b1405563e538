#if canImport(Glibc)
import Glibc
#endif

/// Adam: adaptive moment estimation, with optional L2 weight decay, AMSGrad and maximization
/// (PyTorch: `torch.optim.Adam`).
///
/// For each parameter `p` with gradient `g`, at step `t` (PyTorch 1.13's single-tensor path):
/// ```
/// g = maximize ? -g : g
/// if weightDecay != 0: g = g + weightDecay * p
/// m = beta1 * m + (1 - beta1) * g                  // exp_avg
/// v = beta2 * v + (1 - beta2) * g * g              // exp_avg_sq
/// v̂ = amsgrad ? (vmax = max(vmax, v)) : v          // max_exp_avg_sq
/// p = p - lr / (1 - beta1^t) * m / (sqrt(v̂) / sqrt(1 - beta2^t) + eps)
/// ```
///
/// ```swift
/// let optimizer = Adam([w, b], lr: 1e-3)
/// ```
public final class Adam: Optimizer {
    /// The parameter groups (PyTorch: `optimizer.param_groups`).
    public var paramGroups: [ParamGroup] = []
    /// Per-parameter state: `step`, `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` (PyTorch: `optimizer.state`).
    public var state = OptimizerState()
    /// The options groups get by default (PyTorch: `optimizer.defaults`).
    public let defaults: ParamGroup
    /// Adam's per-parameter buffers.
    public static var stateBufferNames: [String] { ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] }

    /// Adam over `params` (PyTorch: `torch.optim.Adam(params, lr, betas, eps, weight_decay,
    /// amsgrad, maximize=)`).
    public convenience init(
        _ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init([ParamGroup(params: params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, maximize: maximize, file: file, line: line)
    }

    /// Adam over parameter groups; options a group does not set come from these arguments.
    public init(
        _ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, amsgrad: Bool = false, maximize: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        defaults = ParamGroup(params: [], lr: lr, weightDecay: weightDecay, maximize: maximize,
                              betas: betas, eps: eps, amsgrad: amsgrad)
        checkDefaults(file: file, line: line)
        check(!groups.isEmpty, "Adam", "optimizer got an empty parameter list", file: file, line: line)
        for g in groups { addParamGroup(g, file: file, line: line) }
    }

    /// Performs one Adam update of every parameter that has a gradient (PyTorch: `optimizer.step()`).
    public func step() { adamStep(self, decoupled: false) }
}

/// The step shared by Adam and AdamW, which differ only in how weight decay is applied.
func adamStep(_ optimizer: some Optimizer, decoupled: Bool) {
    var batch = FusedBatch<AdamKernel>()
    optimizer.forEachParameterWithGrad { group, p, g, st in
        let m = st.buffer("exp_avg", like: p)
        let v = st.buffer("exp_avg_sq", like: p)
        let amsgrad = group.amsgrad
        let vmax = amsgrad ? st.buffer("max_exp_avg_sq", like: p) : nil
        st.step += 1
        let (beta1, beta2) = group.betas
        let t = Double(st.step)
        let lr = group.lr
        let kernel = AdamKernel(
            beta1: beta1, beta2: beta2, eps: group.eps, weightDecay: group.weightDecay,
            decoupledDecay: decoupled ? 1 - lr * group.weightDecay : nil,
            stepSize: lr / (1 - pow(beta1, t)), biasCorrection2Sqrt: (1 - pow(beta2, t)).squareRoot(),
            amsgrad: amsgrad, maximize: group.maximize)
        batch.add(kernel, param: p, grad: g, m, v, vmax)
    }
    batch.run()
}

/// Adam's per-element update: `s0` exp_avg, `s1` exp_avg_sq, `s2` max_exp_avg_sq.
/// `decoupledDecay` is AdamW's `1 - lr * weight_decay` factor (nil for Adam's L2 decay).
struct AdamKernel: FusedUpdate {
    let beta1, beta2, eps, weightDecay: Double
    let decoupledDecay: Double?
    let stepSize, biasCorrection2Sqrt: Double
    let amsgrad, maximize: Bool

    @inline(__always)
    func apply<V: FloatLanes>(_ b: UpdateBuffers<V.Scalar>, _ i: Int, _: V.Type) {
        typealias T = V.Scalar
        var x = V.load(b.param, i)
        if let decay = decoupledDecay { x = x * V(splat: T(decay)) }
        var g = V.load(b.grad, i) * V(splat: maximize ? -1 : 1)
        if decoupledDecay == nil && weightDecay != 0 { g = g + V(splat: T(weightDecay)) * x }
        let m = V.load(b.s0, i) * V(splat: T(beta1)) + V(splat: T(1 - beta1)) * g
        let v = V.load(b.s1, i) * V(splat: T(beta2)) + V(splat: T(1 - beta2)) * g * g
        m.store(b.s0, i)
        v.store(b.s1, i)
        var s = v
        if amsgrad {
            s = V.maximum(V.load(b.s2, i), v)
            s.store(b.s2, i)
        }
        let denom = s.sqrtLanes() / V(splat: T(biasCorrection2Sqrt)) + V(splat: T(eps))
        (x + V(splat: T(-stepSize)) * m / denom).store(b.param, i)
    }
}
