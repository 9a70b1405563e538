/// RMSprop: divide the gradient by a running root mean square, optionally centered and with
/// momentum (PyTorch: `torch.optim.RMSprop`).
///
/// For each parameter `p` with gradient `g` (PyTorch 1.13's single-tensor path):
/// ```
/// g = maximize ? -g : g
/// if weightDecay != 0: g = g + weightDecay * p
/// sq = alpha * sq + (1 - alpha) * g * g                        // square_avg
/// avg = centered ? sqrt(sq - ga * ga) : sqrt(sq)               // ga = alpha * ga + (1 - alpha) * g
/// avg = avg + eps
/// if momentum > 0: buf = momentum * buf + g / avg; p = p - lr * buf
/// else:            p = p - lr * g / avg
/// ```
///
/// ```swift
/// let optimizer = RMSprop(parameters, lr: 0.01, momentum: 0.9, centered: true)
/// ```
public final class RMSprop: Optimizer {
    /// The parameter groups (PyTorch: `optimizer.param_groups`).
    public var paramGroups: [ParamGroup] = []
    /// Per-parameter state: `step`, `square_avg`, `momentum_buffer`, `grad_avg` (PyTorch: `optimizer.state`).
    public var state = OptimizerState()
    /// The options groups get by default (PyTorch: `optimizer.defaults`).
    public let defaults: ParamGroup
    /// RMSprop's per-parameter buffers.
    public static var stateBufferNames: [String] { ["square_avg", "momentum_buffer", "grad_avg"] }

    /// RMSprop over `params` (PyTorch: `torch.optim.RMSprop(params, lr, alpha, eps,
    /// weight_decay, momentum, centered, maximize=)`).
    public convenience init(
        _ params: [Tensor], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, weightDecay: Double = 0,
        momentum: Double = 0, centered: Bool = false, maximize: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        self.init([ParamGroup(params: params)], lr: lr, alpha: alpha, eps: eps, weightDecay: weightDecay,
                  momentum: momentum, centered: centered, maximize: maximize, file: file, line: line)
    }

    /// RMSprop over parameter groups; options a group does not set come from these arguments.
    public init(
        _ groups: [ParamGroup], lr: Double = 1e-2, alpha: Double = 0.99, eps: Double = 1e-8, weightDecay: Double = 0,
        momentum: Double = 0, centered: Bool = false, maximize: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        defaults = ParamGroup(params: [], lr: lr, weightDecay: weightDecay, momentum: momentum, maximize: maximize,
                              eps: eps, alpha: alpha, centered: centered)
        checkDefaults(file: file, line: line)
        check(!groups.isEmpty, "RMSprop", "optimizer got an empty parameter list", file: file, line: line)
        for g in groups { addParamGroup(g, file: file, line: line) }
    }

    /// Performs one RMSprop update of every parameter that has a gradient (PyTorch: `optimizer.step()`).
    public func step() {
        forEachParameterWithGrad { group, p, g, st in
            let momentum = group.momentum, centered = group.centered
            let sq = st.buffer("square_avg", like: p)
            let buf = momentum > 0 ? st.buffer("momentum_buffer", like: p) : nil
            let ga = centered ? st.buffer("grad_avg", like: p) : nil
            st.step += 1
            let kernel = RMSpropKernel(
                lr: group.lr, alpha: group.alpha, eps: group.eps, weightDecay: group.weightDecay,
                momentum: momentum, centered: centered, maximize: group.maximize)
            runFused(kernel, param: p, grad: g, sq, buf, ga)
        }
    }
}

/// RMSprop's per-element update: `s0` square_avg, `s1` momentum_buffer, `s2` grad_avg.
struct RMSpropKernel: FusedUpdate {
    let lr, alpha, eps, weightDecay, momentum: Double
    let centered, maximize: Bool

    @inline(__always)
    func apply<V: FloatLanes>(_ b: UpdateBuffers<V.Scalar>, _ i: Int, _: V.Type) {
        typealias T = V.Scalar
        let x = V.load(b.param, i)
        var g = V.load(b.grad, i) * V(splat: maximize ? -1 : 1)
        if weightDecay != 0 { g = g + V(splat: T(weightDecay)) * x }
        let a = V(splat: T(alpha)), c = V(splat: T(1 - alpha))
        let sq = V.load(b.s0, i) * a + c * g * g
        sq.store(b.s0, i)
        var avg: V
        if centered {
            let ga = V.load(b.s2, i) * a + c * g
            ga.store(b.s2, i)
            avg = (sq + V(splat: -1) * ga * ga).sqrtLanes()
        } else {
            avg = sq.sqrtLanes()
        }
        avg = avg + V(splat: T(eps))
        if momentum > 0 {
            let buf = V.load(b.s1, i) * V(splat: T(momentum)) + V(splat: 1) * g / avg
            buf.store(b.s1, i)
            (x + V(splat: T(-lr)) * buf).store(b.param, i)
        } else {
            (x + V(splat: T(-lr)) * g / avg).store(b.param, i)
        }
    }
}
