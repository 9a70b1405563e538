/// An algorithm that updates parameters from their gradients (PyTorch: `torch.optim.Optimizer`).
///
/// An optimizer holds parameter groups (`paramGroups`), each a list of tensors with its own
/// options, and per-parameter state (`state`). `step()` updates every parameter that has a
/// gradient, in place and without recording autograd; `zeroGrad()` clears the gradients.
///
/// ```swift
/// let optimizer = Adam([w, b], lr: 1e-3)
/// for (x, y) in batches {
///     optimizer.zeroGrad()
///     let loss = (x.matmul(w) + b - y).square().mean()
///     loss.backward()
///     optimizer.step()
/// }
/// try save(optimizer.stateDict(), to: "optimizer.safetensors")
/// ```
///
/// The update math of each optimizer is PyTorch 1.13's single-tensor code path, written once
/// as a fused per-element kernel (see `FusedUpdate`): a step allocates nothing after the first.
public protocol Optimizer: AnyObject {
    /// The parameter groups (PyTorch: `optimizer.param_groups`).
    var paramGroups: [ParamGroup] { get set }
    /// Per-parameter state (PyTorch: `optimizer.state`).
    var state: OptimizerState { get set }
    /// The options a group gets when it does not set them (PyTorch: `optimizer.defaults`).
    var defaults: ParamGroup { get }
    /// The names of the parameter-shaped buffers this optimizer keeps per parameter, e.g.
    /// `["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]` (checked by `loadStateDict`).
    static var stateBufferNames: [String] { get }
    /// The names of one-element float32 buffers kept per parameter (NAdam's `mu_product`).
    static var scalarStateNames: [String] { get }

    /// Performs one update of every parameter that has a gradient (PyTorch: `optimizer.step()`).
    func step()
    /// Evaluates `closure` (with gradient recording on), then updates; returns the closure's
    /// loss (PyTorch: `optimizer.step(closure)`). LBFGS calls the closure several times.
    @discardableResult func step(closure: () -> Tensor) -> Tensor
    /// The state and options as tensors, ready for `save(_:to:)` (PyTorch: `optimizer.state_dict()`).
    func stateDict() -> TensorDict
    /// Restores state and options saved by `stateDict()` (PyTorch: `optimizer.load_state_dict`).
    /// Validates everything first: on error nothing is changed.
    func loadStateDict(_ dict: TensorDict) throws
}

extension Optimizer {
    /// No one-element buffers by default.
    public static var scalarStateNames: [String] { [] }

    /// Evaluates `closure` with gradient recording on, then calls `step()`.
    @discardableResult
    public func step(closure: () -> Tensor) -> Tensor {
        let loss = withGrad(closure)
        step()
        return loss
    }

    /// Clears the gradients of every parameter (PyTorch: `optimizer.zero_grad(set_to_none=)`).
    /// With `setToNone` (the default, as in PyTorch 2) `.grad` becomes nil; otherwise the
    /// gradient tensors are detached and filled with zeros.
    public func zeroGrad(setToNone: Bool = true) {
        for group in paramGroups {
            for p in group.params {
                guard let g = p.grad else { continue }
                if setToNone {
                    p.grad = nil
                } else {
                    g.detach_()
                    withNoGrad { g.zero_() }
                }
            }
        }
    }

    /// Adds a group of parameters, filling in the options it does not set from `defaults`
    /// (PyTorch: `optimizer.add_param_group`). Traps on an option this optimizer does not
    /// have, a non-leaf or non-floating parameter, or a parameter already being optimized.
    public func addParamGroup(_ group: ParamGroup, file: StaticString = #fileID, line: UInt = #line) {
        var g = group
        let name = "\(Self.self)"
        for (key, value) in g.options where key != .initialLR {
            guard let d = defaults.options[key] else {
                emberFailure("addParamGroup", "\(name) has no option '\(key.pytorchName)'; its options are \(defaults.options.keys.map(\.pytorchName).sorted())", file: file, line: line)
            }
            check(value.sameKind(d), "addParamGroup", "option '\(key.pytorchName)' of \(name) takes a value like \(d), got \(value)", file: file, line: line)
        }
        for (key, value) in defaults.options where g.options[key] == nil { g.options[key] = value }
        var seen = Set<ObjectIdentifier>()
        for other in paramGroups { for p in other.params { seen.insert(ObjectIdentifier(p)) } }
        for (i, p) in g.params.enumerated() {
            check(p.dtype.isFloatingPoint, "addParamGroup", "parameter \(i) has dtype \(p.dtype); an optimizer can only optimize floating-point tensors", file: file, line: line)
            check(p.isLeaf, "addParamGroup", "parameter \(i) is not a leaf tensor (it was computed by an op); optimize the leaves, or call detach() and requiresGrad_()", file: file, line: line)
            check(seen.insert(ObjectIdentifier(p)).inserted, "addParamGroup", "parameter \(i) appears more than once in this optimizer's parameter groups", file: file, line: line)
        }
        paramGroups.append(g)
    }

    /// Every parameter in group order (the order `stateDict()` numbers them in).
    var allParams: [Tensor] { paramGroups.flatMap(\.params) }

    /// Calls `body(group, param, grad, state)` for each parameter that has a gradient, with
    /// gradient recording off: the loop every `step()` runs.
    func forEachParameterWithGrad(_ body: (ParamGroup, Tensor, Tensor, ParamState) -> Void) {
        withNoGrad {
            for group in paramGroups {
                for p in group.params {
                    guard let g = p.grad else { continue }
                    check(g.shape == p.shape, "step", "\(Self.self): the gradient has shape \(g.shape) but its parameter has shape \(p.shape)", file: #fileID, line: #line)
                    body(group, p, g, state.entry(for: p))
                }
            }
        }
    }

    /// Checks the options the constructors of every optimizer check (PyTorch raises ValueError).
    func checkDefaults(file: StaticString, line: UInt) {
        let name = "\(Self.self)"
        for key in [Hyperparameter.lr, .weightDecay, .eps, .momentum, .lrDecay, .initialAccumulatorValue, .momentumDecay] {
            if case .number(let x)? = defaults.options[key] {
                check(x >= 0, "optimizer", "\(name): invalid \(key.pytorchName) \(x): it must be >= 0", file: file, line: line)
            }
        }
        if case .pair(let b1, let b2)? = defaults.options[.betas] {
            check((0..<1).contains(b1), "optimizer", "\(name): invalid beta parameter at index 0: \(b1) (expected 0 <= beta < 1)", file: file, line: line)
            check((0..<1).contains(b2), "optimizer", "\(name): invalid beta parameter at index 1: \(b2) (expected 0 <= beta < 1)", file: file, line: line)
        }
        for key in [Hyperparameter.alpha] {
            if case .number(let x)? = defaults.options[key] {
                check(x >= 0, "optimizer", "\(name): invalid \(key.pytorchName) \(x): it must be >= 0", file: file, line: line)
            }
        }
        for key in [Hyperparameter.rho] {
            if case .number(let x)? = defaults.options[key] {
                check(x >= 0 && x <= 1, "optimizer", "\(name): invalid \(key.pytorchName) \(x): it must be in [0, 1]", file: file, line: line)
            }
        }
    }
}
