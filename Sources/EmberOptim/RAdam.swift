#if canImport(Glibc)
import Glibc
#endif

/// RAdam: Adam with a rectified, variance-aware adaptive learning rate
/// (PyTorch: `torch.optim.RAdam`).
///
/// For each parameter `p` with gradient `g`, at step `t` (PyTorch 1.13's single-tensor path):
/// ```
/// if weightDecay != 0: g = g + weightDecay * p
/// m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
/// m̂ = m / (1 - beta1^t)
/// rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
/// if rho_t > 5: p = p - m̂ * lr * sqrt(1 - beta2^t) / (sqrt(v) + eps) * rect(rho_t)
/// else:         p = p - m̂ * lr
/// ```
///
/// ```swift
/// let optimizer = RAdam(parameters)   // lr 1e-3
/// ```
public final class RAdam: Optimizer {
    /// The parameter groups (PyTorch: `optimizer.param_groups`).
    public var paramGroups: [ParamGroup] = []
    /// Per-parameter state: `step`, `exp_avg`, `exp_avg_sq` (PyTorch: `optimizer.state`).
    public var state = OptimizerState()
    /// The options groups get by default (PyTorch: `optimizer.defaults`).
    public let defaults: ParamGroup
    /// RAdam's per-parameter buffers.
    public static var stateBufferNames: [String] { ["exp_avg", "exp_avg_sq"] }

    /// RAdam over `params` (PyTorch: `torch.optim.RAdam(params, lr, betas, eps, weight_decay)`).
    public convenience init(
        _ params: [Tensor], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init([ParamGroup(params: params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay, file: file, line: line)
    }

    /// RAdam over parameter groups; options a group does not set come from these arguments.
    public init(
        _ groups: [ParamGroup], lr: Double = 1e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, file: StaticString = #fileID, line: UInt = #line
    ) {
        defaults = ParamGroup(params: [], lr: lr, weightDecay: weightDecay, betas: betas, eps: eps)
        checkDefaults(file: file, line: line)
        check(!groups.isEmpty, "RAdam", "optimizer got an empty parameter list", file: file, line: line)
        for g in groups { addParamGroup(g, file: file, line: line) }
    }

    /// Performs one RAdam update of every parameter that has a gradient (PyTorch: `optimizer.step()`).
    public func step() {
        forEachParameterWithGrad { group, p, g, st in
            let m = st.buffer("exp_avg", like: p)
            let v = st.buffer("exp_avg_sq", like: p)
            st.step += 1
            let t = Double(st.step)
            let (beta1, beta2) = group.betas
            let bc1 = 1 - pow(beta1, t), bc2 = 1 - pow(beta2, t)
            let rhoInf = 2 / (1 - beta2) - 1
            let rhoT = rhoInf - 2 * t * pow(beta2, t) / bc2
            let rect: Double? = rhoT > 5
                ? ((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)).squareRoot()
                : nil
            let kernel = RAdamKernel(
                beta1: beta1, beta2: beta2, eps: group.eps, weightDecay: group.weightDecay, lr: group.lr,
                biasCorrection1: bc1, biasCorrection2Sqrt: bc2.squareRoot(), rect: rect)
            runFused(kernel, param: p, grad: g, m, v)
        }
    }
}

/// RAdam's per-element update: `s0` exp_avg, `s1` exp_avg_sq. `rect` is nil while the
/// variance is not tractable (rho_t <= 5): then the step is plain momentum.
struct RAdamKernel: FusedUpdate {
    let beta1, beta2, eps, weightDecay, lr, biasCorrection1, biasCorrection2Sqrt: Double
    let rect: Double?

    @inline(__always)
    func apply<V: FloatLanes>(_ b: UpdateBuffers<V.Scalar>, _ i: Int, _: V.Type) {
        typealias T = V.Scalar
        let x = V.load(b.param, i)
        var g = V.load(b.grad, i)
        if weightDecay != 0 { g = g + V(splat: T(weightDecay)) * x }
        let m = V.load(b.s0, i) * V(splat: T(beta1)) + V(splat: T(1 - beta1)) * g
        let v = V.load(b.s1, i) * V(splat: T(beta2)) + V(splat: T(1 - beta2)) * g * g
        m.store(b.s0, i)
        v.store(b.s1, i)
        let corrected = m / V(splat: T(biasCorrection1))
        if let rect {
            // PyTorch evaluates `scalar / tensor` as `tensor.reciprocal() * scalar`.
            let adaptive = V(splat: 1) / (v.sqrtLanes() + V(splat: T(eps))) * V(splat: T(biasCorrection2Sqrt))
            (x + V(splat: -1) * (corrected * V(splat: T(lr)) * adaptive * V(splat: T(rect)))).store(b.param, i)
        } else {
            (x + V(splat: -1) * (corrected * V(splat: T(lr)))).store(b.param, i)
        }
    }
}
