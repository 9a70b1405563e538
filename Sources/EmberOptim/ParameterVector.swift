/// The parameters flattened and concatenated into one vector, in order
/// (PyTorch: `torch.nn.utils.parameters_to_vector`).
///
/// ```swift
/// let flat = parametersToVector([w, b])        // shape [w.numel + b.numel]
/// ```
public func parametersToVector(_ parameters: [Tensor], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(!parameters.isEmpty, "parametersToVector", "expected at least one parameter", file: file, line: line)
    return Tensor.cat(parameters.map { $0.reshape([-1]) }, dim: 0, file: file, line: line)
}

/// Copies consecutive slices of `vector` into the parameters, in order, in place
/// (PyTorch: `torch.nn.utils.vector_to_parameters`, which rebinds `param.data`; Ember
/// writes into each parameter's storage, so views of it see the new values too).
///
/// ```swift
/// vectorToParameters(flat * 0.5, [w, b])
/// ```
public func vectorToParameters(_ vector: Tensor, _ parameters: [Tensor], file: StaticString = #fileID, line: UInt = #line) {
    let total = parameters.reduce(0) { $0 + $1.numel }
    check(vector.dim == 1, "vectorToParameters", "expected a 1-d vector, got shape \(vector.shape)", file: file, line: line)
    check(vector.numel == total, "vectorToParameters", "the vector has \(vector.numel) elements but the parameters have \(total)", file: file, line: line)
    withNoGrad {
        var offset = 0
        for p in parameters {
            let n = p.numel
            p.copy_(vector.narrow(0, start: offset, length: n).reshape(p.shape), file: file, line: line)
            offset += n
        }
    }
}
