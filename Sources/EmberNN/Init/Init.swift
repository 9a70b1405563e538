/// Weight initialization, in place and without recording gradients (PyTorch: `torch.nn.init`).
/// Each function fills the tensor it is given and returns it; the random ones draw from a
/// `Generator` (the default one unless given), so `manualSeed` makes them reproducible.
///
/// ```swift
/// Init.kaimingNormal_(conv.weight, mode: .fanOut, nonlinearity: .relu)
/// Init.zeros_(conv.bias!)
/// ```
public enum Init {
    /// Which fan the Kaiming initializers scale by: `fanIn` keeps the variance of the
    /// forward pass, `fanOut` that of the backward pass (PyTorch: `mode="fan_in"`).
    public enum FanMode: Sendable {
        /// Scale by the number of inputs (PyTorch: `"fan_in"`, the default).
        case fanIn
        /// Scale by the number of outputs (PyTorch: `"fan_out"`).
        case fanOut
    }

    /// A nonlinearity whose recommended gain `calculateGain` returns
    /// (PyTorch: the `nonlinearity` strings of `calculate_gain`).
    public enum Nonlinearity: Sendable, Equatable {
        /// No nonlinearity, or a layer kind PyTorch treats the same (gain 1).
        case linear, conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d
        /// Sigmoid (gain 1), tanh (gain 5/3), ReLU (gain √2) and SELU (gain 3/4).
        case sigmoid, tanh, relu, selu
        /// Leaky ReLU with the given negative slope (PyTorch's default for `param=None` is 0.01).
        case leakyRelu(negativeSlope: Double = 0.01)
    }

    /// The recommended gain for a nonlinearity (PyTorch: `nn.init.calculate_gain`): 1 for
    /// linear, convolutions and sigmoid, 5/3 for tanh, √2 for ReLU, √(2 / (1 + a²)) for leaky
    /// ReLU with slope a, and 3/4 for SELU.
    public static func calculateGain(_ nonlinearity: Nonlinearity) -> Double {
        switch nonlinearity {
        case .linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid:
            return 1
        case .tanh: return 5.0 / 3
        case .relu: return 2.0.squareRoot()
        case .leakyRelu(let a): return (2.0 / (1 + a * a)).squareRoot()
        case .selu: return 3.0 / 4
        }
    }

    /// `(fanIn, fanOut)` of a weight of at least 2 dims: `size(1)` and `size(0)` times the
    /// receptive field (the product of the remaining dims)
    /// (PyTorch: `nn.init._calculate_fan_in_and_fan_out`).
    public static func calculateFans(_ tensor: Tensor, file: StaticString = #fileID, line: UInt = #line) -> (fanIn: Int, fanOut: Int) {
        check(tensor.dim >= 2, "Init", "fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape \(tensor.shape))", file: file, line: line)
        let receptive = tensor.shape.dropFirst(2).reduce(1, *)
        return (tensor.shape[1] * receptive, tensor.shape[0] * receptive)
    }

    static func fan(_ tensor: Tensor, _ mode: FanMode, file: StaticString, line: UInt) -> Int {
        let fans = calculateFans(tensor, file: file, line: line)
        return mode == .fanIn ? fans.fanIn : fans.fanOut
    }

    /// Fills with values drawn uniformly from `[a, b)` (PyTorch: `nn.init.uniform_`).
    @discardableResult
    public static func uniform_(_ tensor: Tensor, _ a: Double = 0, _ b: Double = 1, generator: Generator = .default) -> Tensor {
        withNoGrad { tensor.uniform_(a, b, generator: generator) }
    }

    /// Fills with values drawn from N(mean, std²) (PyTorch: `nn.init.normal_`).
    @discardableResult
    public static func normal_(_ tensor: Tensor, mean: Double = 0, std: Double = 1, generator: Generator = .default) -> Tensor {
        withNoGrad { tensor.normal_(mean: mean, std: std, generator: generator) }
    }

    /// Fills with `value` (PyTorch: `nn.init.constant_`).
    @discardableResult
    public static func constant_(_ tensor: Tensor, _ value: Double) -> Tensor {
        withNoGrad { tensor.fill_(value) }
    }

    /// Fills with zeros (PyTorch: `nn.init.zeros_`).
    @discardableResult
    public static func zeros_(_ tensor: Tensor) -> Tensor { constant_(tensor, 0) }

    /// Fills with ones (PyTorch: `nn.init.ones_`).
    @discardableResult
    public static func ones_(_ tensor: Tensor) -> Tensor { constant_(tensor, 1) }

    /// Fills with U(-b, b), b = gain·√(6 / (fanIn + fanOut)) (Glorot & Bengio 2010)
    /// (PyTorch: `nn.init.xavier_uniform_`).
    @discardableResult
    public static func xavierUniform_(_ tensor: Tensor, gain: Double = 1, generator: Generator = .default,
                                      file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let (fanIn, fanOut) = calculateFans(tensor, file: file, line: line)
        let std = gain * (2.0 / Double(fanIn + fanOut)).squareRoot()
        let bound = 3.0.squareRoot() * std
        return uniform_(tensor, -bound, bound, generator: generator)
    }

    /// Fills with N(0, std²), std = gain·√(2 / (fanIn + fanOut)) (PyTorch: `nn.init.xavier_normal_`).
    @discardableResult
    public static func xavierNormal_(_ tensor: Tensor, gain: Double = 1, generator: Generator = .default,
                                     file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let (fanIn, fanOut) = calculateFans(tensor, file: file, line: line)
        return normal_(tensor, std: gain * (2.0 / Double(fanIn + fanOut)).squareRoot(), generator: generator)
    }

    /// Fills with U(-b, b), b = gain·√(3 / fan), gain from `nonlinearity` (He et al. 2015)
    /// (PyTorch: `nn.init.kaiming_uniform_(tensor, a, mode, nonlinearity)`). `a` is the
    /// negative slope used when `nonlinearity` is `.leakyRelu` (the default, as in PyTorch).
    @discardableResult
    public static func kaimingUniform_(_ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                       nonlinearity: Nonlinearity = .leakyRelu(), generator: Generator = .default,
                                       file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let std = kaimingStd(tensor, a: a, mode: mode, nonlinearity: nonlinearity, file: file, line: line)
        let bound = 3.0.squareRoot() * std
        return uniform_(tensor, -bound, bound, generator: generator)
    }

    /// Fills with N(0, std²), std = gain / √fan (PyTorch: `nn.init.kaiming_normal_`).
    @discardableResult
    public static func kaimingNormal_(_ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                      nonlinearity: Nonlinearity = .leakyRelu(), generator: Generator = .default,
                                      file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        normal_(tensor, std: kaimingStd(tensor, a: a, mode: mode, nonlinearity: nonlinearity, file: file, line: line), generator: generator)
    }

    /// gain / √fan, where a leaky ReLU takes its slope from `a` (PyTorch passes `a` as
    /// `calculate_gain`'s `param`).
    private static func kaimingStd(_ tensor: Tensor, a: Double, mode: FanMode, nonlinearity: Nonlinearity,
                                   file: StaticString, line: UInt) -> Double {
        let fan = fan(tensor, mode, file: file, line: line)
        check(fan > 0, "Init", "initializing a zero-element tensor (shape \(tensor.shape))", file: file, line: line)
        let gain = nonlinearity.isLeakyRelu ? calculateGain(.leakyRelu(negativeSlope: a)) : calculateGain(nonlinearity)
        return gain / Double(fan).squareRoot()
    }
}

extension Init.Nonlinearity {
    var isLeakyRelu: Bool {
        if case .leakyRelu = self { return true }
        return false
    }
}
