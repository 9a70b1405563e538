/// Activation functions as free functions, for forward code such as `relu(fc1(x))`
/// (PyTorch: `torch.nn.functional`). Each forwards to the `Tensor` method of the same name
/// where Ember has one.

/// `max(x, 0)` (PyTorch: `F.relu`). A temporary argument without autograd state, as in
/// `relu(conv1(x))` under `withNoGrad`, is overwritten instead of copied.
public func relu(_ x: consuming Tensor) -> Tensor { x.relu() }

/// `x` if positive else `negativeSlope · x` (PyTorch: `F.leaky_relu`).
public func leakyRelu(_ x: Tensor, negativeSlope: Double = 0.01) -> Tensor { x.leakyRelu(negativeSlope: negativeSlope) }

/// `x` if positive else `α(eˣ - 1)` (PyTorch: `F.elu`).
public func elu(_ x: Tensor, alpha: Double = 1) -> Tensor { x.elu(alpha: alpha) }

/// Gaussian error linear unit, exact (`"none"`) or with the tanh approximation (`"tanh"`)
/// (PyTorch: `F.gelu`).
public func gelu(_ x: Tensor, approximate: String = "none") -> Tensor { x.gelu(approximate: approximate) }

/// `x · σ(x)`, also called swish (PyTorch: `F.silu`).
public func silu(_ x: Tensor) -> Tensor { x.silu() }

/// `1 / (1 + e⁻ˣ)` (PyTorch: `torch.sigmoid`).
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }

/// Hyperbolic tangent (PyTorch: `torch.tanh`).
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }

/// `log(1 + e^(βx)) / β`, linear where `βx > threshold` (PyTorch: `F.softplus`).
public func softplus(_ x: Tensor, beta: Double = 1, threshold: Double = 20) -> Tensor {
    x.softplus(beta: beta, threshold: threshold)
}

/// `exp(x) / Σ exp(x)` along `dim` (PyTorch: `F.softmax`).
public func softmax(_ x: Tensor, dim: Int) -> Tensor { x.softmax(dim: dim) }

/// `x - log Σ exp(x)` along `dim` (PyTorch: `F.log_softmax`).
public func logSoftmax(_ x: Tensor, dim: Int) -> Tensor { x.logSoftmax(dim: dim) }

/// `x` clamped to `[minVal, maxVal]`; the gradient is 1 strictly inside and 0 outside, as
/// PyTorch's (PyTorch: `F.hardtanh`).
public func hardtanh(_ x: Tensor, minVal: Double = -1, maxVal: Double = 1, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    check(maxVal > minVal, "hardtanh", "max_val (\(maxVal)) must be greater than min_val (\(minVal))", file: file, line: line)
    let inside = (x .> minVal).logicalAnd(x .< maxVal)
    return Tensor.where(inside, x, x.detach().clamp(min: minVal, max: maxVal))
}

/// `x` if positive else `weight · x`, with one learned slope per channel (dim 1) or one for
/// all (PyTorch: `F.prelu`).
public func prelu(_ x: Tensor, weight: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    var w = weight
    if weight.numel > 1 {
        check(x.dim >= 2 && x.shape[1] == weight.numel, "PReLU", "weight has \(weight.numel) slopes but the input has shape \(x.shape) (expected \(weight.numel) channels in dim 1)", file: file, line: line)
        var shape = [Int](repeating: 1, count: x.dim)
        shape[1] = weight.numel
        w = weight.reshape(shape)
    } else if x.dim > 0 {
        w = weight.reshape([Int](repeating: 1, count: x.dim))
    } else {
        w = weight.reshape([])
    }
    return Tensor.where(x .> 0, x, w * x)
}
