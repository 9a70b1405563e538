/// Limited-memory BFGS, a quasi-Newton method that re-evaluates the model several times per
/// step (PyTorch: `torch.optim.LBFGS`).
///
/// `step(closure:)` is the only way to step: the closure clears the gradients, computes the
/// loss, runs backward and returns the loss. LBFGS supports one parameter group, as in PyTorch.
///
/// ```swift
/// let optimizer = LBFGS(parameters, lr: 1, lineSearchFn: .strongWolfe)
/// for _ in 0..<10 {
///     optimizer.step {
///         optimizer.zeroGrad()
///         let loss = (x.matmul(w) - y).square().mean()
///         loss.backward()
///         return loss
///     }
/// }
/// ```
///
/// Its state (PyTorch keeps it in `state[params[0]]`) is saved as `state.0.func_evals`,
/// `n_iter`, `d`, `t`, `old_dirs.<k>`, `old_stps.<k>`, `ro`, `H_diag`, `prev_flat_grad` and
/// `prev_loss`.
public final class LBFGS: Optimizer {
    /// The line search to use (PyTorch: `line_search_fn`).
    public enum LineSearch: Sendable {
        /// Search for a step satisfying the strong Wolfe conditions (PyTorch: `'strong_wolfe'`).
        case strongWolfe
    }

    /// The single parameter group (PyTorch: `optimizer.param_groups`).
    public var paramGroups: [ParamGroup] = []
    /// Unused: LBFGS keeps its state in its own properties (PyTorch: `optimizer.state`).
    public var state = OptimizerState()
    /// The options (PyTorch: `optimizer.defaults`).
    public let defaults: ParamGroup
    /// LBFGS keeps no per-parameter buffers.
    public static var stateBufferNames: [String] { [] }

    /// Closure evaluations so far (PyTorch: `state['func_evals']`).
    public private(set) var funcEvals = 0
    /// Iterations so far (PyTorch: `state['n_iter']`).
    public private(set) var nIter = 0
    private var d: Tensor?
    private var t: Double?
    private var oldDirs: [Tensor] = []
    private var oldSteps: [Tensor] = []
    private var ro: [Double] = []
    private var hDiag = 1.0
    private var prevFlatGrad: Tensor?
    private var prevLoss: Double?

    /// LBFGS over `params` (PyTorch: `torch.optim.LBFGS(params, lr, max_iter, max_eval,
    /// tolerance_grad, tolerance_change, history_size, line_search_fn)`); `maxEval` defaults
    /// to `maxIter * 5 / 4`.
    public init(
        _ params: [Tensor], lr: Double = 1, maxIter: Int = 20, maxEval: Int? = nil, toleranceGrad: Double = 1e-7,
        toleranceChange: Double = 1e-9, historySize: Int = 100, lineSearchFn: LineSearch? = nil,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        var d = ParamGroup(params: [], lr: lr)
        d[.maxIter] = .number(Double(maxIter))
        d[.maxEval] = .number(Double(maxEval ?? maxIter * 5 / 4))
        d[.toleranceGrad] = .number(toleranceGrad)
        d[.toleranceChange] = .number(toleranceChange)
        d[.historySize] = .number(Double(historySize))
        d[.lineSearchFn] = .flag(lineSearchFn == .strongWolfe)
        defaults = d
        checkDefaults(file: file, line: line)
        check(!params.isEmpty, "LBFGS", "optimizer got an empty parameter list", file: file, line: line)
        check(maxIter > 0 && historySize > 0, "LBFGS", "maxIter and historySize must be positive", file: file, line: line)
        addParamGroup(ParamGroup(params: params), file: file, line: line)
    }

    /// LBFGS needs a closure that re-evaluates the model: this traps with that message
    /// (PyTorch: `step()` without a closure is a TypeError).
    public func step() {
        emberFailure("LBFGS.step", "LBFGS re-evaluates the model several times per step: call step(closure:) with a closure that zeroes the gradients, computes the loss, calls backward and returns the loss", file: #fileID, line: #line)
    }

    private var params: [Tensor] { paramGroups[0].params }
    private var dtype: DType { params[0].dtype }

    /// Rounds a scalar to the parameters' dtype, as PyTorch's 0-d tensors of that dtype do.
    private func rounded(_ x: Double) -> Double { dtype == .float64 ? x : Double(Float(x)) }

    private func flatGrad() -> Tensor {
        Tensor.cat(params.map { p in p.grad.map { $0.detach().reshape([-1]) } ?? Tensor.zeros([p.numel], dtype: p.dtype) })
    }

    private func addGrad(_ stepSize: Double, _ update: Tensor) {
        var offset = 0
        for p in params {
            let n = p.numel
            p.add_(update.narrow(0, start: offset, length: n).reshape(p.shape), alpha: stepSize)
            offset += n
        }
    }

    /// Performs up to `maxIter` LBFGS iterations, calling `closure` to re-evaluate the loss and
    /// gradients; returns the loss the first evaluation gave (PyTorch: `optimizer.step(closure)`).
    @discardableResult
    public func step(closure: () -> Tensor) -> Tensor {
        let group = paramGroups[0]
        let lr = group.lr, maxIter = Int(group.number(.maxIter)), maxEval = Int(group.number(.maxEval))
        let tolGrad = group.number(.toleranceGrad), tolChange = group.number(.toleranceChange)
        let historySize = Int(group.number(.historySize)), wolfe = group.flag(.lineSearchFn)
        return withNoGrad {
            let origLoss = withGrad(closure)
            var loss = origLoss.item()
            var currentEvals = 1
            funcEvals += 1
            var grad = flatGrad()
            var optimal = grad.abs().max().item() <= tolGrad
            if optimal { return origLoss }

            var iteration = 0
            while iteration < maxIter {
                iteration += 1
                nIter += 1
                let direction: Tensor
                if nIter == 1 {
                    direction = grad.neg()
                    (oldDirs, oldSteps, ro, hDiag) = ([], [], [], 1)
                } else {
                    let y = grad - prevFlatGrad!
                    let s = d! * t!
                    let ys = y.dot(s).item()
                    if ys > 1e-10 {
                        if oldDirs.count == historySize {
                            oldDirs.removeFirst(); oldSteps.removeFirst(); ro.removeFirst()
                        }
                        oldDirs.append(y)
                        oldSteps.append(s)
                        ro.append(rounded(1 / ys))
                        hDiag = rounded(ys / y.dot(y).item())
                    }
                    // Two-loop recursion for the approximate inverse Hessian times the gradient.
                    var al = [Double](repeating: 0, count: oldDirs.count)
                    let q = grad.neg()
                    for i in stride(from: oldDirs.count - 1, through: 0, by: -1) {
                        al[i] = rounded(oldSteps[i].dot(q).item() * ro[i])
                        q.add_(oldDirs[i], alpha: -al[i])
                    }
                    let r = q * hDiag
                    for i in 0..<oldDirs.count {
                        let be = rounded(oldDirs[i].dot(r).item() * ro[i])
                        r.add_(oldSteps[i], alpha: rounded(al[i] - be))
                    }
                    direction = r
                }
                d = direction
                if let prev = prevFlatGrad { prev.copy_(grad) } else { prevFlatGrad = grad.clone() }
                prevLoss = loss
                if nIter == 1 {
                    let inverse = rounded(1 / grad.abs().sum().item())
                    t = inverse < 1 ? rounded(inverse * lr) : lr
                } else {
                    t = lr
                }
                let gtd = grad.dot(direction).item()
                if gtd > -tolChange { break }

                var lsEvals = 0
                if wolfe {
                    let start = params.map { $0.clone() }
                    let found = strongWolfe({ step in
                        self.addGrad(step, direction)
                        let l = withGrad(closure).item()
                        let g = self.flatGrad()
                        for (p, x) in zip(self.params, start) { p.copy_(x) }
                        return (l, g)
                    }, t: t!, d: direction, f: loss, g: grad, gtd: gtd)
                    (loss, grad, t, lsEvals) = (found.loss, found.grad, found.t, found.evaluations)
                    addGrad(t!, direction)
                    optimal = grad.abs().max().item() <= tolGrad
                } else {
                    addGrad(t!, direction)
                    if iteration != maxIter {
                        loss = withGrad(closure).item()
                        grad = flatGrad()
                        optimal = grad.abs().max().item() <= tolGrad
                        lsEvals = 1
                    }
                }
                currentEvals += lsEvals
                funcEvals += lsEvals

                if iteration == maxIter || currentEvals >= maxEval || optimal { break }
                if (direction * t!).abs().max().item() <= tolChange { break }
                if Swift.abs(loss - prevLoss!) < tolChange { break }
            }
            return origLoss
        }
    }

    /// The group and the algorithm's state as named tensors (PyTorch: `optimizer.state_dict()`).
    public func stateDict() -> TensorDict {
        var dict = TensorDict()
        encodeParamGroups(into: &dict)
        dict["state.0.func_evals"] = Tensor(scalar: Int64(funcEvals), dtype: .int64)
        dict["state.0.n_iter"] = Tensor(scalar: Int64(nIter), dtype: .int64)
        guard let d, let t, let prevFlatGrad, let prevLoss else { return dict }
        withNoGrad {
            dict["state.0.d"] = d.clone()
            dict["state.0.t"] = Tensor(scalar: t, dtype: .float64)
            for (k, v) in oldDirs.enumerated() { dict["state.0.old_dirs.\(k)"] = v.clone() }
            for (k, v) in oldSteps.enumerated() { dict["state.0.old_stps.\(k)"] = v.clone() }
            dict["state.0.ro"] = Tensor(ro, shape: [ro.count], dtype: .float64)
            dict["state.0.H_diag"] = Tensor(scalar: hDiag, dtype: .float64)
            dict["state.0.prev_flat_grad"] = prevFlatGrad.clone()
            dict["state.0.prev_loss"] = Tensor(scalar: prevLoss, dtype: .float64)
        }
        return dict
    }

    /// Restores `stateDict()`'s group and state; on error nothing changes (PyTorch: `optimizer.load_state_dict`).
    public func loadStateDict(_ dict: TensorDict) throws {
        let groups = try decodeParamGroups(dict)
        let n = params.reduce(0) { $0 + $1.numel }
        var used = Set(dict.keys.filter { $0.hasPrefix("param_groups.") })
        func value(_ name: String) throws -> Tensor {
            let key = "state.0.\(name)"
            guard let t = dict[key] else { throw OptimizerStateError.missingKey(key) }
            used.insert(key)
            return t
        }
        func vector(_ name: String) throws -> Tensor {
            let t = try value(name)
            guard t.dtype.isFloatingPoint, t.shape == [n] else {
                throw OptimizerStateError.invalidValue(key: "state.0.\(name)", reason: "must be a float vector of \(n) values, has dtype \(t.dtype) and shape \(t.shape)")
            }
            return withNoGrad { t.detach().to(dtype, copy: true) }
        }
        func number(_ name: String) throws -> Double {
            let t = try value(name)
            guard t.numel == 1 else { throw OptimizerStateError.invalidValue(key: "state.0.\(name)", reason: "must hold one number, has shape \(t.shape)") }
            return t.item()
        }
        let evals = dict["state.0.func_evals"] == nil ? 0 : try wholeNumber(value("func_evals"), key: "state.0.func_evals")
        let iters = dict["state.0.n_iter"] == nil ? 0 : try wholeNumber(value("n_iter"), key: "state.0.n_iter")
        var restored: (Tensor, Double, [Tensor], [Tensor], [Double], Double, Tensor, Double)?
        if dict["state.0.d"] != nil {
            var dirs: [Tensor] = [], steps: [Tensor] = []
            while dict["state.0.old_dirs.\(dirs.count)"] != nil { dirs.append(try vector("old_dirs.\(dirs.count)")) }
            while dict["state.0.old_stps.\(steps.count)"] != nil { steps.append(try vector("old_stps.\(steps.count)")) }
            let r = try value("ro")
            guard steps.count == dirs.count, r.numel == dirs.count else {
                throw OptimizerStateError.invalidValue(key: "state.0.ro", reason: "old_dirs, old_stps and ro must have the same length, have \(dirs.count), \(steps.count) and \(r.numel)")
            }
            restored = (try vector("d"), try number("t"), dirs, steps, r.toArray(as: Double.self),
                        try number("H_diag"), try vector("prev_flat_grad"), try number("prev_loss"))
        }
        if let extra = dict.keys.first(where: { !used.contains($0) }) { throw OptimizerStateError.unexpectedKey(extra) }
        paramGroups = groups
        (funcEvals, nIter) = (evals, iters)
        if let (d, t, dirs, steps, ro, h, prev, loss) = restored {
            (self.d, self.t, oldDirs, oldSteps, self.ro, hDiag, prevFlatGrad, prevLoss) = (d, t, dirs, steps, ro, h, prev, loss)
        } else {
            (d, t, oldDirs, oldSteps, ro, hDiag, prevFlatGrad, prevLoss) = (nil, nil, [], [], [], 1, nil, nil)
        }
    }
}
