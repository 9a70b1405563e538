#if canImport(Glibc)
import Glibc
#endif

/// Formats tensors the way PyTorch prints them: `tensor([ 52., 142., 272.])`, integers as
/// integers, 4 decimals (or scientific notation for wide ranges), long dims summarised with
/// `...`, and non-default dtypes and autograd state after the values.
struct TensorFormatter {
    let values: [Double]
    let shape: [Int]
    let dtype: DType
    let summarize: Bool
    private var width = 1
    private var style: Style = .integer
    private enum Style { case integer, wholeFloat, fixed, scientific, boolean }

    init(_ t: Tensor) {
        shape = t.shape
        dtype = t.dtype
        summarize = t.numel > 1000
        values = withNoGrad { t.toArray(as: Double.self) }
        chooseStyle()
    }

    /// Picks one format for all printed values, like PyTorch's `_Formatter`.
    private mutating func chooseStyle() {
        if dtype == .bool { style = .boolean; width = 5; return }
        let shown = summarize ? sampledValues() : values
        if !dtype.isFloatingPoint {
            style = .integer
            width = shown.map { format($0).count }.max() ?? 1
            return
        }
        let finite = shown.filter { $0.isFinite }
        let nonzero = finite.map(Swift.abs).filter { $0 != 0 }
        // PyTorch's _Formatter: integral values print as "3." unless their range is wide.
        let lo = nonzero.min() ?? 0, hi = nonzero.max() ?? 0
        let wide = !nonzero.isEmpty && (hi / lo > 1000 || hi > 1e8)
        if finite.allSatisfy({ $0 == $0.rounded() }) {
            style = wide ? .scientific : .wholeFloat
        } else if wide || (!nonzero.isEmpty && lo < 1e-4) {
            style = .scientific
        } else {
            style = .fixed
        }
        width = shown.map { format($0).count }.max() ?? 1
    }

    private func sampledValues() -> [Double] {
        var picked: [Double] = []
        collect(dim: 0, base: 0, into: &picked)
        return picked
    }

    private func collect(dim: Int, base: Int, into out: inout [Double]) {
        let strides = contiguousStrides(shape)
        if dim == shape.count { out.append(values[base]); return }
        for i in shownIndices(shape[dim]) where i >= 0 { collect(dim: dim + 1, base: base + i * strides[dim], into: &out) }
    }

    /// Indices printed along a dim of size n; -1 marks the `...`.
    private func shownIndices(_ n: Int) -> [Int] {
        if summarize && n > 6 { return [0, 1, 2, -1, n - 3, n - 2, n - 1] }
        return Array(0..<n)
    }

    func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        switch style {
        case .boolean: return v != 0 ? "True" : "False"
        case .integer: return String(Int64(v))
        case .wholeFloat: return String(Int64(v)) + "."
        case .fixed: return cFormat("%.4f", v)
        case .scientific: return cFormat("%.4e", v)
        }
    }

    private func cFormat(_ f: String, _ v: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = withVaList([v]) { vsnprintf(&buffer, 64, f, $0) }
        return String(decoding: buffer.prefix(Int(max(0, min(n, 63)))).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func padded(_ v: Double) -> String {
        let s = format(v)
        return String(repeating: " ", count: Swift.max(0, width - s.count)) + s
    }

    /// The nested-bracket body; `oneLine` joins rows with spaces instead of newlines.
    func body(oneLine: Bool, indent: Int) -> String {
        if shape.isEmpty { return format(values.first ?? 0) }
        return render(dim: 0, base: 0, oneLine: oneLine, indent: indent)
    }

    private func render(dim: Int, base: Int, oneLine: Bool, indent: Int) -> String {
        let strides = contiguousStrides(shape)
        let idx = shownIndices(shape[dim])
        if dim == shape.count - 1 {
            let items = idx.map { $0 < 0 ? " ..." : padded(values[base + $0 * strides[dim]]) }
            if oneLine { return "[" + items.joined(separator: ", ") + "]" }
            // Wrap long rows at 80 columns, as PyTorch's _vector_str does.
            let perLine = Swift.max(1, (80 - indent - dim) / (width + 2))
            var lines: [String] = []
            var i = 0
            while i < items.count {
                lines.append(items[i..<Swift.min(i + perLine, items.count)].joined(separator: ", "))
                i += perLine
            }
            return "[" + lines.joined(separator: ",\n" + String(repeating: " ", count: indent + dim + 1)) + "]"
        }
        let sep = oneLine ? ", " : ",\n" + String(repeating: "\n", count: shape.count - dim - 2) + String(repeating: " ", count: indent + dim + 1)
        return "[" + idx.map { $0 < 0 ? "..." : render(dim: dim + 1, base: base + $0 * strides[dim], oneLine: oneLine, indent: indent) }.joined(separator: sep) + "]"
    }
}

extension Tensor: CustomStringConvertible {
    /// The tensor printed as PyTorch prints it, e.g. `tensor([[1., 2.], [3., 4.]])`. Short
    /// tensors print on one line; longer ones one row per line, aligned as in PyTorch.
    public var description: String {
        let f = TensorFormatter(self)
        var suffix: [String] = []
        if numel == 0 && dim != 1 { suffix.append("size=(" + shape.map(String.init).joined(separator: ", ") + ")") }
        if dtype != .float32 && dtype != .int64 && dtype != .bool { suffix.append("dtype=\(dtype)") }
        if let gradFn { suffix.append("grad_fn=<\(gradFn.name)>") } else if requiresGradFlag { suffix.append("requires_grad=True") }
        let tail = suffix.isEmpty ? "" : ", " + suffix.joined(separator: ", ")
        if numel == 0 { return "tensor([]" + tail + ")" }
        let single = "tensor(" + f.body(oneLine: true, indent: 7) + tail + ")"
        if single.count <= 80 { return single }
        return "tensor(" + f.body(oneLine: false, indent: 7) + tail + ")"
    }
}
