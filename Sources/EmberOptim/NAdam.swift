#if canImport(Glibc)
import Glibc
#endif

/// NAdam: Adam with Nesterov momentum and a momentum schedule (PyTorch: `torch.optim.NAdam`).
///
/// For each parameter `p` with gradient `g`, at step `t` (PyTorch 1.13's single-tensor path):
/// ```
/// if weightDecay != 0: g = g + weightDecay * p
/// mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentumDecay)), likewise mu_{t+1}
/// prod = prod * mu_t                               // mu_product, a float32 scalar as in PyTorch
/// m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
/// denom = sqrt(v / (1 - beta2^t)) + eps
/// p = p - lr * (1 - mu_t) / (1 - prod) * g / denom
/// p = p - lr * mu_{t+1} / (1 - prod * mu_{t+1}) * m / denom
/// ```
///
/// ```swift
/// let optimizer = NAdam(parameters)   // lr 2e-3
/// ```
public final class NAdam: Optimizer {
    /// The parameter groups (PyTorch: `optimizer.param_groups`).
    public var paramGroups: [ParamGroup] = []
    /// Per-parameter state: `step`, `mu_product`, `exp_avg`, `exp_avg_sq` (PyTorch: `optimizer.state`).
    public var state = OptimizerState()
    /// The options groups get by default (PyTorch: `optimizer.defaults`).
    public let defaults: ParamGroup
    /// NAdam's parameter-shaped buffers.
    public static var stateBufferNames: [String] { ["exp_avg", "exp_avg_sq"] }
    /// NAdam's one-element float32 buffer.
    public static var scalarStateNames: [String] { ["mu_product"] }

    /// NAdam over `params` (PyTorch: `torch.optim.NAdam(params, lr, betas, eps, weight_decay,
    /// momentum_decay)`).
    public convenience init(
        _ params: [Tensor], lr: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, momentumDecay: Double = 4e-3, file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init([ParamGroup(params: params)], lr: lr, betas: betas, eps: eps, weightDecay: weightDecay,
                  momentumDecay: momentumDecay, file: file, line: line)
    }

    /// NAdam over parameter groups; options a group does not set come from these arguments.
    public init(
        _ groups: [ParamGroup], lr: Double = 2e-3, betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
        weightDecay: Double = 0, momentumDecay: Double = 4e-3, file: StaticString = #fileID, line: UInt = #line
    ) {
        defaults = ParamGroup(params: [], lr: lr, weightDecay: weightDecay, betas: betas, eps: eps,
                              momentumDecay: momentumDecay)
        checkDefaults(file: file, line: line)
        check(!groups.isEmpty, "NAdam", "optimizer got an empty parameter list", file: file, line: line)
        for g in groups { addParamGroup(g, file: file, line: line) }
    }

    /// Performs one NAdam update of every parameter that has a gradient (PyTorch: `optimizer.step()`).
    public func step() {
        forEachParameterWithGrad { group, p, g, st in
            let product = st["mu_product"] ?? {
                let t = Tensor(scalar: Float(1), dtype: .float32)
                st["mu_product"] = t
                return t
            }()
            let m = st.buffer("exp_avg", like: p)
            let v = st.buffer("exp_avg_sq", like: p)
            st.step += 1
            let t = Double(st.step)
            let (beta1, beta2) = group.betas
            let decay = group.momentumDecay
            let mu = beta1 * (1 - 0.5 * pow(0.96, t * decay))
            let muNext = beta1 * (1 - 0.5 * pow(0.96, (t + 1) * decay))
            // PyTorch keeps mu_product as a float32 tensor and multiplies it in float32.
            let cell = product.pointer(Float.self)
            let prod = cell.pointee * Float(mu)
            cell.pointee = prod
            product.storage.bumpVersion()
            let prodNext = prod * Float(mu) * Float(muNext)
            let lr = group.lr
            let kernel = NAdamKernel(
                beta1: beta1, beta2: beta2, eps: group.eps, weightDecay: group.weightDecay,
                biasCorrection2: 1 - pow(beta2, t),
                gradStep: -lr * (1 - mu) / (1 - Double(prod)),
                avgStep: -lr * muNext / (1 - Double(prodNext)))
            runFused(kernel, param: p, grad: g, m, v)
        }
    }
}

/// NAdam's per-element update: `s0` exp_avg, `s1` exp_avg_sq. The step sizes are negative.
struct NAdamKernel: FusedUpdate {
    let beta1, beta2, eps, weightDecay, biasCorrection2, gradStep, avgStep: Double

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
        let denom = (v / V(splat: T(biasCorrection2))).sqrtLanes() + V(splat: T(eps))
        let y = x + V(splat: T(gradStep)) * g / denom
        (y + V(splat: T(avgStep)) * m / denom).store(b.param, i)
    }
}
