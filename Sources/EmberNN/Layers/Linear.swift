/// `y = x Wᵀ + b` over the last dimension (PyTorch: `nn.Linear`).
///
/// `weight` has shape `[outFeatures, inFeatures]`, `bias` `[outFeatures]`; both start as
/// PyTorch's: `kaiming_uniform_(a: √5)` for the weight, which is U(-1/√in, 1/√in), and the
/// same bound for the bias. Inputs are `[*, inFeatures]`.
///
/// ```swift
/// let fc = Linear(784, 128)
/// let y = fc(Tensor.randn([64, 784]))   // [64, 128]
/// ```
open class Linear: Module, @unchecked Sendable {
    /// Size of each input sample (PyTorch: `in_features`).
    public let inFeatures: Int
    /// Size of each output sample (PyTorch: `out_features`).
    public let outFeatures: Int
    /// The learned weight, `[outFeatures, inFeatures]`.
    @Parameter public var weight: Tensor
    /// The learned bias, `[outFeatures]`, or nil when created with `bias: false`.
    @Parameter public var bias: Tensor?

    /// A linear layer with PyTorch's default initialization (PyTorch:
    /// `nn.Linear(in_features, out_features, bias=True, dtype=None)`).
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32,
                file: StaticString = #fileID, line: UInt = #line) {
        check(inFeatures >= 0 && outFeatures >= 0, "Linear", "in_features and out_features must be non-negative, got \(inFeatures) and \(outFeatures)", file: file, line: line)
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        self.weight = Tensor(empty: [outFeatures, inFeatures], dtype: dtype)
        self.bias = bias ? Tensor(empty: [outFeatures], dtype: dtype) : nil
        super.init()
        resetParameters()
    }

    /// Re-draws the weight and bias as at construction (PyTorch: `reset_parameters`).
    open func resetParameters() {
        Init.kaimingUniform_(weight, a: 5.0.squareRoot())
        if let bias {
            let bound = inFeatures > 0 ? 1 / Double(inFeatures).squareRoot() : 0
            Init.uniform_(bias, -bound, bound)
        }
    }

    /// `x Wᵀ + b` (PyTorch: `F.linear`).
    open override func forward(_ x: Tensor) -> Tensor {
        check(x.dim >= 1 && x.shape[x.dim - 1] == inFeatures, "Linear", "expected an input of shape [*, \(inFeatures)] (in_features=\(inFeatures)), got \(x.shape)")
        return linear(x, weight: weight, bias: bias)
    }

    /// `in_features=784, out_features=128, bias=True`.
    open override var extraDescription: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(pyBool(bias != nil))"
    }
}

/// `x Wᵀ + b` over the last dimension of `x` (PyTorch: `F.linear`).
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    x.linear(weight: weight, bias: bias, file: file, line: line)
}

/// `y = x₁ᵀ A x₂ + b` for two inputs (PyTorch: `nn.Bilinear`).
///
/// `weight` has shape `[outFeatures, in1Features, in2Features]`; weight and bias start as
/// U(-1/√in1, 1/√in1), as in PyTorch. Inputs are `[*, in1]` and `[*, in2]` with the same
/// leading dims.
///
/// ```swift
/// let bil = Bilinear(20, 30, 40)
/// let y = bil(Tensor.randn([128, 20]), Tensor.randn([128, 30]))   // [128, 40]
/// ```
open class Bilinear: Module, @unchecked Sendable {
    /// Size of each first input sample (PyTorch: `in1_features`).
    public let in1Features: Int
    /// Size of each second input sample (PyTorch: `in2_features`).
    public let in2Features: Int
    /// Size of each output sample (PyTorch: `out_features`).
    public let outFeatures: Int
    /// The learned weight, `[outFeatures, in1Features, in2Features]`.
    @Parameter public var weight: Tensor
    /// The learned bias, `[outFeatures]`, or nil.
    @Parameter public var bias: Tensor?

    /// A bilinear layer (PyTorch: `nn.Bilinear(in1_features, in2_features, out_features, bias=True)`).
    public init(_ in1Features: Int, _ in2Features: Int, _ outFeatures: Int, bias: Bool = true, dtype: DType = .float32) {
        self.in1Features = in1Features
        self.in2Features = in2Features
        self.outFeatures = outFeatures
        self.weight = Tensor(empty: [outFeatures, in1Features, in2Features], dtype: dtype)
        self.bias = bias ? Tensor(empty: [outFeatures], dtype: dtype) : nil
        super.init()
        resetParameters()
    }

    /// Re-draws weight and bias from U(-1/√in1, 1/√in1) (PyTorch: `reset_parameters`).
    open func resetParameters() {
        let bound = in1Features > 0 ? 1 / Double(in1Features).squareRoot() : 0
        Init.uniform_(weight, -bound, bound)
        if let bias { Init.uniform_(bias, -bound, bound) }
    }

    /// `x₁ᵀ A x₂ + b` (PyTorch: `bilinear(input1, input2)`).
    public func callAsFunction(_ x1: Tensor, _ x2: Tensor,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        runningForward(file: file, line: line) {
            forward(x1, x2)
        }
    }

    /// `x₁ᵀ A x₂ + b`: one GEMM `x₁ · A` over all outputs, then a product with `x₂` summed
    /// over its features (PyTorch: `F.bilinear`).
    open func forward(_ x1: Tensor, _ x2: Tensor) -> Tensor {
        check(x1.dim >= 1 && x1.shape.last == in1Features, "Bilinear", "expected input1 of shape [*, \(in1Features)], got \(x1.shape)")
        check(x2.dim >= 1 && x2.shape.last == in2Features, "Bilinear", "expected input2 of shape [*, \(in2Features)], got \(x2.shape)")
        check(Array(x1.shape.dropLast()) == Array(x2.shape.dropLast()), "Bilinear", "input1 \(x1.shape) and input2 \(x2.shape) must have the same leading dimensions")
        let lead = Array(x1.shape.dropLast())
        let a = x1.reshape([-1, in1Features])
        let b = x2.reshape([-1, in2Features])
        // [in1, out * in2]: row i holds A[o, i, j] for every (o, j).
        let w = weight.permute(1, 0, 2).reshape([in1Features, outFeatures * in2Features])
        let t = a.mm(w).reshape([-1, outFeatures, in2Features])
        var y = (t * b.unsqueeze(1)).sum(dim: 2)
        if let bias { y = y + bias }
        return y.reshape(lead + [outFeatures])
    }

    /// `in1_features=20, in2_features=30, out_features=40, bias=True`.
    open override var extraDescription: String {
        "in1_features=\(in1Features), in2_features=\(in2Features), out_features=\(outFeatures), bias=\(pyBool(bias != nil))"
    }
}
