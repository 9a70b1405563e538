/// Random tensors from a `Generator` (the default one unless given).
extension Tensor {
    /// Uniform values in [0, 1) (PyTorch: `torch.rand`).
    public static func rand(_ shape: [Int], dtype: DType = .float32, generator: Generator = .default, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(empty: shape, dtype: dtype)
        t.fillUniform(0, 1, generator)
        if requiresGrad { t.requiresGrad_() }
        return t
    }

    /// Standard normal values (PyTorch: `torch.randn`).
    public static func randn(_ shape: [Int], dtype: DType = .float32, generator: Generator = .default, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(empty: shape, dtype: dtype)
        t.fillNormal(0, 1, generator)
        if requiresGrad { t.requiresGrad_() }
        return t
    }

    /// Uniform integers in `low..<high` (PyTorch: `torch.randint`), int64 by default.
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], dtype: DType = .int64, generator: Generator = .default,
                               file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(high > low, "randint", "high (\(high)) must be greater than low (\(low))", file: file, line: line)
        let n = shape.reduce(1, *)
        let range = UInt64(high - low)
        let values: [Int64] = generator.withWords { next in
            (0..<n).map { _ in Int64(low) + Int64(generator.integer(below: range, next)) }
        }
        return Tensor(values, shape: shape, dtype: dtype)
    }

    /// A random permutation of `0..<n` (PyTorch: `torch.randperm`).
    public static func randperm(_ n: Int, dtype: DType = .int64, generator: Generator = .default) -> Tensor {
        var values = (0..<n).map { Int64($0) }
        generator.withWords { next in
            if n > 1 {
                for i in stride(from: n - 1, to: 0, by: -1) {
                    let j = Int(generator.integer(below: UInt64(i + 1), next))
                    values.swapAt(i, j)
                }
            }
        }
        return Tensor(values, dtype: dtype)
    }

    /// Uniform values like another tensor (PyTorch: `torch.rand_like`).
    public static func randLike(_ t: Tensor, generator: Generator = .default) -> Tensor { rand(t.shape, dtype: t.dtype, generator: generator) }
    /// Normal values like another tensor (PyTorch: `torch.randn_like`).
    public static func randnLike(_ t: Tensor, generator: Generator = .default) -> Tensor { randn(t.shape, dtype: t.dtype, generator: generator) }

    /// 1 with probability `p[i]` else 0, same shape and dtype (PyTorch: `torch.bernoulli`).
    public func bernoulli(generator: Generator = .default) -> Tensor {
        let u = Tensor.rand(shape, dtype: dtype.isFloatingPoint ? dtype : .float32, generator: generator)
        return (u .< self).to(dtype)
    }

    /// Writes uniform values in [low, high) without autograd.
    func fillUniform(_ low: Double, _ high: Double, _ generator: Generator) {
        let n = numel
        if dtype == .float32 {
            let u = generator.uniformFloats(n)
            let lo = Float(low), span = Float(high - low)
            copyRaw(from: Tensor(u.map { lo + span * $0 }, shape: shape, dtype: .float32))
        } else {
            let u = generator.uniformDoubles(n)
            copyRaw(from: Tensor(u.map { low + (high - low) * $0 }, shape: shape, dtype: .float64))
        }
    }

    /// Writes normal values with the given mean and standard deviation without autograd.
    func fillNormal(_ mean: Double, _ std: Double, _ generator: Generator) {
        copyRaw(from: Tensor(generator.normals(numel).map { mean + std * $0 }, shape: shape, dtype: .float64))
    }
}
