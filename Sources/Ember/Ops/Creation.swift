/// Swift values that can seed a tensor from an array literal: the tensor element types plus
/// `Int` (stored as int64, as Python ints are).
public protocol TensorLiteralElement {
    /// The dtype PyTorch would give a Python value of this kind: `Double` → float32
    /// (the default dtype), `Int` → int64, `Bool` → bool.
    static var defaultDType: DType { get }
    /// The value as a Double, for conversion.
    var literalDouble: Double { get }
}
extension Float: TensorLiteralElement { public static var defaultDType: DType { .float32 }; public var literalDouble: Double { Double(self) } }
extension Double: TensorLiteralElement { public static var defaultDType: DType { .float32 }; public var literalDouble: Double { self } }
extension Float16: TensorLiteralElement { public static var defaultDType: DType { .float16 }; public var literalDouble: Double { Double(Float(self)) } }
extension BFloat16: TensorLiteralElement { public static var defaultDType: DType { .bfloat16 }; public var literalDouble: Double { Double(float) } }
extension Int: TensorLiteralElement { public static var defaultDType: DType { .int64 }; public var literalDouble: Double { Double(self) } }
extension Int64: TensorLiteralElement { public static var defaultDType: DType { .int64 }; public var literalDouble: Double { Double(self) } }
extension Int32: TensorLiteralElement { public static var defaultDType: DType { .int32 }; public var literalDouble: Double { Double(self) } }
extension UInt8: TensorLiteralElement { public static var defaultDType: DType { .uint8 }; public var literalDouble: Double { Double(self) } }
extension Bool: TensorLiteralElement { public static var defaultDType: DType { .bool }; public var literalDouble: Double { self ? 1 : 0 } }

/// Writes values into a fresh contiguous tensor of any dtype.
private struct FillFromArray<E: TensorLiteralElement>: ElementVisitor {
    let values: [E], out: Tensor
    func visit<T: TensorElement>(_: T.Type) {
        let p = out.pointer(T.self)
        // Same element type (or Swift's Int into int64, the same 8 bytes): one copy. The type
        // tests compare metatypes; casting the array (`values as? [T]`) would check every
        // element, which made building a 2048-id batch take ~0.4 ms.
        if E.self == T.self || (E.self == Int.self && T.self == Int64.self && MemoryLayout<Int>.size == 8) {
            values.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(p).copyMemory(from: base, byteCount: raw.count) }
            }
            return
        }
        for (i, v) in values.enumerated() { p[i] = T(double: v.literalDouble) }
    }
}

extension Tensor {
    /// A tensor from a flat array, optionally reshaped (PyTorch: `torch.tensor(list)`).
    /// `[Double]` gives float32 (PyTorch's default dtype), `[Int]` int64, `[Bool]` bool;
    /// pass `dtype:` for anything else.
    ///
    /// ```swift
    /// let x = Tensor([1.0, 2.0, 3.0], requiresGrad: true)   // float32
    /// ```
    public convenience init<E: TensorLiteralElement>(
        _ values: [E], shape: [Int]? = nil, dtype: DType? = nil, requiresGrad: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        let shape = shape ?? [values.count]
        check(shape.reduce(1, *) == values.count, "tensor", "\(values.count) values cannot fill shape \(shape)", file: file, line: line)
        let dtype = dtype ?? E.defaultDType
        self.init(empty: shape, dtype: dtype)
        dtype.visit(FillFromArray(values: values, out: self))
        if requiresGrad { requiresGrad_(true, file: file, line: line) }
    }

    /// A 2-d tensor from nested arrays; rows must have equal lengths (PyTorch: `torch.tensor`).
    public convenience init<E: TensorLiteralElement>(
        _ rows: [[E]], dtype: DType? = nil, requiresGrad: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        let cols = rows.first?.count ?? 0
        check(rows.allSatisfy { $0.count == cols }, "tensor", "rows have different lengths \(rows.map(\.count)); expected a rectangular array", file: file, line: line)
        self.init(rows.flatMap { $0 }, shape: [rows.count, cols], dtype: dtype, requiresGrad: requiresGrad, file: file, line: line)
    }

    /// A 3-d tensor from nested arrays (PyTorch: `torch.tensor`).
    public convenience init<E: TensorLiteralElement>(
        _ planes: [[[E]]], dtype: DType? = nil, requiresGrad: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        let rows = planes.first?.count ?? 0
        let cols = planes.first?.first?.count ?? 0
        check(planes.allSatisfy { $0.count == rows && $0.allSatisfy { $0.count == cols } }, "tensor", "nested arrays are not rectangular", file: file, line: line)
        self.init(planes.flatMap { $0.flatMap { $0 } }, shape: [planes.count, rows, cols], dtype: dtype, requiresGrad: requiresGrad, file: file, line: line)
    }

    /// A 0-dimensional tensor holding one value (PyTorch: `torch.tensor(3.0)`).
    public convenience init<E: TensorLiteralElement>(scalar value: E, dtype: DType? = nil, requiresGrad: Bool = false) {
        self.init([value], shape: [], dtype: dtype, requiresGrad: requiresGrad)
    }

    /// A tensor filled with `value` (PyTorch: `torch.full`).
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(empty: shape, dtype: dtype)
        t.fillRaw(value)
        if requiresGrad { t.requiresGrad_() }
        return t
    }

    /// A tensor of zeros (PyTorch: `torch.zeros`).
    public static func zeros(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        full(shape, 0, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// A tensor of ones (PyTorch: `torch.ones`).
    public static func ones(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, dtype: dtype, requiresGrad: requiresGrad)
    }

    /// Zeros with another tensor's shape and dtype (PyTorch: `torch.zeros_like`).
    public static func zerosLike(_ t: Tensor, dtype: DType? = nil) -> Tensor { zeros(t.shape, dtype: dtype ?? t.dtype) }
    /// Ones with another tensor's shape and dtype (PyTorch: `torch.ones_like`).
    public static func onesLike(_ t: Tensor, dtype: DType? = nil) -> Tensor { ones(t.shape, dtype: dtype ?? t.dtype) }
    /// `value` everywhere, with another tensor's shape and dtype (PyTorch: `torch.full_like`).
    public static func fullLike(_ t: Tensor, _ value: Double, dtype: DType? = nil) -> Tensor { full(t.shape, value, dtype: dtype ?? t.dtype) }
    /// An uninitialized tensor with another tensor's shape and dtype (PyTorch: `torch.empty_like`).
    public static func emptyLike(_ t: Tensor, dtype: DType? = nil) -> Tensor { Tensor(empty: t.shape, dtype: dtype ?? t.dtype) }

    /// Values from `start` up to (not including) `end` in steps of `step` (PyTorch: `torch.arange`).
    /// Integer arguments give int64, as in PyTorch; pass `dtype:` to choose.
    public static func arange(_ start: Double = 0, _ end: Double, step: Double = 1, dtype: DType = .float32,
                              file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        check(step != 0, "arange", "step must be nonzero", file: file, line: line)
        check((end - start) / step >= 0, "arange", "upper bound and larger bound inconsistent with step sign (start \(start), end \(end), step \(step))", file: file, line: line)
        let n = Int(((end - start) / step).rounded(.up))
        return Tensor((0..<n).map { start + Double($0) * step }, dtype: dtype)
    }

    /// Integers `0..<end` as int64 (PyTorch: `torch.arange(end)`).
    public static func arange(_ end: Int, dtype: DType = .int64) -> Tensor {
        Tensor(Array(0..<end), dtype: dtype)
    }

    /// Integers from `start` to `end` (exclusive) in steps of `step`, int64 (PyTorch: `torch.arange`).
    public static func arange(_ start: Int, _ end: Int, step: Int = 1, dtype: DType = .int64) -> Tensor {
        Tensor(Array(stride(from: start, to: end, by: step)), dtype: dtype)
    }

    /// `steps` evenly spaced values from `start` to `end` inclusive (PyTorch: `torch.linspace`).
    public static func linspace(_ start: Double, _ end: Double, steps: Int, dtype: DType = .float32) -> Tensor {
        if steps == 1 { return Tensor([start], dtype: dtype) }
        let step = (end - start) / Double(steps - 1)
        // Like PyTorch, fill the second half from the end so both endpoints are exact.
        let half = steps / 2
        return Tensor((0..<steps).map { i in i < half ? start + step * Double(i) : end - step * Double(steps - 1 - i) }, dtype: dtype)
    }

    /// A 2-d tensor with ones on the diagonal (PyTorch: `torch.eye`).
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType = .float32) -> Tensor {
        let m = m ?? n
        var values = [Double](repeating: 0, count: n * m)
        for i in 0..<Swift.min(n, m) { values[i * m + i] = 1 }
        return Tensor(values, shape: [n, m], dtype: dtype)
    }
}
