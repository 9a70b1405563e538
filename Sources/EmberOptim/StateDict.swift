/// Why an optimizer or scheduler state dictionary could not be loaded
/// (PyTorch raises `ValueError`/`KeyError` from `load_state_dict`).
public enum OptimizerStateError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The saved parameter groups do not match this optimizer's (count or sizes).
    case mismatchedGroups(String)
    /// A key this optimizer or scheduler does not know.
    case unexpectedKey(String)
    /// A key it needs is absent.
    case missingKey(String)
    /// A value of the wrong dtype or shape.
    case invalidValue(key: String, reason: String)

    /// What is wrong, naming the key.
    public var description: String {
        switch self {
        case .mismatchedGroups(let m): return "state dict: \(m)"
        case .unexpectedKey(let k): return "state dict: unexpected key '\(k)'"
        case .missingKey(let k): return "state dict: missing key '\(k)'"
        case .invalidValue(let k, let r): return "state dict: '\(k)' \(r)"
        }
    }
}

/// The layout of an optimizer state dictionary, PyTorch's `state_dict()` flattened into
/// named tensors so it saves as one safetensors file:
///
/// ```
/// param_groups.<g>.params         int64 [n]   the global indices of the group's parameters
/// param_groups.<g>.<option>       float64 [] for numbers, bool [] for flags, float64 [2] for betas
/// state.<i>.step                  int64 []    updates made to parameter i
/// state.<i>.<buffer>              the parameter's buffers (exp_avg, momentum_buffer, ...)
/// ```
///
/// Parameters are numbered 0, 1, ... through the groups in order, as PyTorch numbers them.
extension Optimizer {
    /// The state and options as named tensors (PyTorch: `optimizer.state_dict()`). The
    /// tensors are copies: later steps do not change a dictionary already taken.
    public func stateDict() -> TensorDict {
        var d = TensorDict()
        encodeParamGroups(into: &d)
        withNoGrad {
            for (index, p) in allParams.enumerated() {
                guard let st = state[p] else { continue }
                d["state.\(index).step"] = Tensor(scalar: Int64(st.step), dtype: .int64)
                for (name, t) in st.buffers { d["state.\(index).\(name)"] = t.to(t.dtype, copy: true) }
            }
        }
        return d
    }

    /// Restores state and options from `stateDict()`'s layout (PyTorch:
    /// `optimizer.load_state_dict`). Saved parameters map to this optimizer's by position;
    /// buffers are copied and converted to their parameter's dtype. Everything is checked
    /// before anything changes, so a bad dictionary leaves the optimizer as it was.
    public func loadStateDict(_ dict: TensorDict) throws {
        let params = allParams
        let newGroups = try decodeParamGroups(dict)
        var newState: [(Tensor, ParamState)] = []
        var stateByIndex: [Int: ParamState] = [:]
        for (key, value) in dict where !key.hasPrefix("param_groups.") {
            let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == "state", let n = Int(parts[1]), n >= 0, n < params.count else {
                throw OptimizerStateError.unexpectedKey(key)
            }
            let p = params[n]
            let st = stateByIndex[n] ?? {
                let s = ParamState()
                stateByIndex[n] = s
                newState.append((p, s))
                return s
            }()
            let name = parts[2]
            if name == "step" {
                st.step = try wholeNumber(value, key: key)
            } else if Self.stateBufferNames.contains(name) {
                guard value.dtype.isFloatingPoint, value.shape == p.shape else {
                    throw OptimizerStateError.invalidValue(key: key, reason: "has dtype \(value.dtype) and shape \(value.shape); parameter \(n) has shape \(p.shape)")
                }
                st.buffers[name] = withNoGrad { value.detach().to(p.dtype, copy: true) }
            } else if Self.scalarStateNames.contains(name) {
                guard value.dtype.isFloatingPoint, value.numel == 1 else {
                    throw OptimizerStateError.invalidValue(key: key, reason: "must be one floating-point value, has dtype \(value.dtype) and shape \(value.shape)")
                }
                st.buffers[name] = withNoGrad { value.detach().reshape([]).to(.float32, copy: true) }
            } else {
                throw OptimizerStateError.unexpectedKey(key)
            }
        }
        paramGroups = newGroups
        state.removeAll()
        for (p, s) in newState { state[p] = s }
    }

    /// Writes `param_groups.<g>.params` (global parameter indices) and every option.
    func encodeParamGroups(into d: inout TensorDict) {
        var index = 0
        for (gi, group) in paramGroups.enumerated() {
            let ids = (index..<index + group.params.count).map(Int64.init)
            d["param_groups.\(gi).params"] = Tensor(ids, shape: [ids.count], dtype: .int64)
            for key in Hyperparameter.allCases {
                guard let value = group.options[key] else { continue }
                d["param_groups.\(gi).\(key.pytorchName)"] = encode(value)
            }
            index += group.params.count
        }
    }

    /// This optimizer's groups with the options saved under `param_groups.<g>.`, checked
    /// against this optimizer's groups and options (nothing is assigned).
    func decodeParamGroups(_ dict: TensorDict) throws -> [ParamGroup] {
        var groupCount = 0
        while dict["param_groups.\(groupCount).params"] != nil { groupCount += 1 }
        guard groupCount == paramGroups.count else {
            throw OptimizerStateError.mismatchedGroups("it has \(groupCount) parameter groups, this optimizer has \(paramGroups.count)")
        }
        var groups = paramGroups
        for (gi, group) in paramGroups.enumerated() {
            let ids = dict["param_groups.\(gi).params"]!
            guard ids.dim == 1, !ids.dtype.isFloatingPoint, ids.shape[0] == group.params.count else {
                throw OptimizerStateError.mismatchedGroups("group \(gi) has \(ids.numel) parameters, this optimizer's group has \(group.params.count)")
            }
        }
        for (key, value) in dict where key.hasPrefix("param_groups.") {
            let parts = key.split(separator: ".", maxSplits: 2).map(String.init)
            guard parts.count == 3, let n = Int(parts[1]), n >= 0, n < groupCount else { throw OptimizerStateError.unexpectedKey(key) }
            if parts[2] == "params" { continue }
            guard let option = Hyperparameter(pytorchName: parts[2]),
                  option == .initialLR || defaults.options[option] != nil else {
                throw OptimizerStateError.unexpectedKey(key)
            }
            groups[n].options[option] = try decode(value, like: defaults.options[option] ?? .number(0), key: key)
        }
        return groups
    }
}

/// A one-element tensor holding a non-negative whole number (a step or evaluation count).
func wholeNumber(_ t: Tensor, key: String) throws -> Int {
    guard t.numel == 1 else { throw OptimizerStateError.invalidValue(key: key, reason: "must hold one value, has shape \(t.shape)") }
    let x = t.item()
    guard x >= 0, x == x.rounded(), x < 1e15 else { throw OptimizerStateError.invalidValue(key: key, reason: "must be a whole number, is \(x)") }
    return Int(x)
}

/// A group option as a tensor: a number as a float64 scalar, a flag as a bool scalar, a pair
/// as a float64 vector of two.
func encode(_ value: HyperparameterValue) -> Tensor {
    switch value {
    case .number(let x): return Tensor(scalar: x, dtype: .float64)
    case .flag(let b): return Tensor(scalar: b)
    case .pair(let a, let b): return Tensor([a, b], dtype: .float64)
    }
}

/// Reads a group option back, shaped like `like`.
func decode(_ t: Tensor, like: HyperparameterValue, key: String) throws -> HyperparameterValue {
    switch like {
    case .number:
        guard t.numel == 1, t.dtype != .bool else { throw OptimizerStateError.invalidValue(key: key, reason: "must be one number, has dtype \(t.dtype) and shape \(t.shape)") }
        return .number(t.item())
    case .flag:
        guard t.numel == 1 else { throw OptimizerStateError.invalidValue(key: key, reason: "must be one flag, has shape \(t.shape)") }
        return .flag(t.item() != 0)
    case .pair:
        guard t.numel == 2, t.dtype != .bool else { throw OptimizerStateError.invalidValue(key: key, reason: "must be two numbers, has dtype \(t.dtype) and shape \(t.shape)") }
        let v = t.toArray(as: Double.self)
        return .pair(v[0], v[1])
    }
}
