/// Padding by reflection, replication and wrap-around, besides Ember's constant `pad`, as a
/// function (PyTorch: `F.pad(mode=...)`) and as the padding layers (PyTorch: `nn.ZeroPad2d`,
/// `nn.ReflectionPad2d`, `nn.ReplicationPad2d`, ...). Non-constant modes gather each padded
/// dim through an index (`indexSelect`), so the gradient sums into the edge elements.

/// How `pad(_:_:mode:)` fills the border (PyTorch: `F.pad`'s `mode`).
public enum PaddingMode: String, Sendable {
    /// A constant `value` (PyTorch: `"constant"`).
    case constant
    /// The input mirrored at its edge, the edge itself not repeated (PyTorch: `"reflect"`).
    case reflect
    /// The edge element repeated (PyTorch: `"replicate"`).
    case replicate
    /// The input wrapped around (PyTorch: `"circular"`).
    case circular
}

/// Pads the trailing dims of `input` by `pad`, listed `(before, after)` from the last dim
/// backwards as in PyTorch, filling the border as `mode` says (PyTorch: `F.pad(input, pad, mode, value)`).
/// Reflection needs each amount below the dim's size; circular at most the size.
///
/// ```swift
/// let x = Tensor([[1.0, 2.0, 3.0]]).unsqueeze(0)        // [1, 1, 3]
/// pad(x, [2, 1], mode: .reflect)                        // [[[3, 2, 1, 2, 3, 2]]]
/// ```
public func pad(_ input: Tensor, _ pad: [Int], mode: PaddingMode, value: Double = 0,
                file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if mode == .constant { return Ember.pad(input, pad, value: value, file: file, line: line) }
    check(pad.count % 2 == 0 && pad.count / 2 <= input.dim, "pad", "\(mode.rawValue) padding needs (before, after) pairs for at most \(input.dim) dims of shape \(input.shape), got \(pad)", file: file, line: line)
    var out = input
    for k in 0..<(pad.count / 2) {
        let d = input.dim - 1 - k, n = input.shape[d], before = pad[2 * k], after = pad[2 * k + 1]
        check(before >= 0 && after >= 0, "pad", "\(mode.rawValue) padding must be non-negative, got \(pad)", file: file, line: line)
        if before == 0 && after == 0 { continue }
        switch mode {
        case .reflect:
            check(before < n && after < n, "pad", "reflect padding (\(before), \(after)) must be less than the size \(n) of dim \(d) of shape \(input.shape)", file: file, line: line)
        case .circular:
            check(before <= n && after <= n, "pad", "circular padding (\(before), \(after)) must be at most the size \(n) of dim \(d) of shape \(input.shape)", file: file, line: line)
        case .replicate:
            check(n > 0, "pad", "cannot replicate-pad the empty dim \(d) of shape \(input.shape)", file: file, line: line)
        case .constant: break
        }
        let index = (-before..<(n + after)).map { i -> Int in
            switch mode {
            case .reflect: return i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i)
            case .replicate: return Swift.min(Swift.max(i, 0), n - 1)
            case .circular: return ((i % n) + n) % n
            case .constant: return i
            }
        }
        out = out.indexSelect(d, Tensor(index), file: file, line: line)
    }
    return out
}

/// A layer that pads the last `dims` dims the same way every call (PyTorch's `_ConstantPadNd`,
/// `_ReflectionPadNd`, `_ReplicationPadNd`); the named layers below are its subclasses.
open class PaddingLayer: Module, @unchecked Sendable {
    /// `(before, after)` amounts from the last dim backwards, as `pad` takes them.
    public let padding: [Int]
    /// How the border is filled.
    public let mode: PaddingMode
    /// The fill value of `.constant` padding.
    public let value: Double

    /// A padding layer; `padding` lists `2·dims` amounts.
    public init(padding: [Int], mode: PaddingMode, value: Double = 0) {
        (self.padding, self.mode, self.value) = (padding, mode, value)
        super.init()
    }

    /// `pad(x, padding, mode:, value:)`.
    open override func forward(_ x: Tensor) -> Tensor { pad(x, padding, mode: mode, value: value) }

    /// `(1, 1, 2, 0)`, as PyTorch prints the padding tuple.
    open override var extraDescription: String { "(" + padding.map(String.init).joined(separator: ", ") + ")" }
}

/// Zero padding of the last two dims (PyTorch: `nn.ZeroPad2d(padding)`).
///
/// ```swift
/// let layer = ZeroPad2d((1, 1, 2, 0))   // left, right, top, bottom
/// ```
open class ZeroPad2d: PaddingLayer, @unchecked Sendable {
    /// The same amount on all four sides.
    public convenience init(_ padding: Int) { self.init((padding, padding, padding, padding)) }
    /// `(left, right, top, bottom)`.
    public init(_ padding: (Int, Int, Int, Int)) {
        super.init(padding: [padding.0, padding.1, padding.2, padding.3], mode: .constant)
    }
}

/// Reflection padding of the last dim (PyTorch: `nn.ReflectionPad1d(padding)`).
open class ReflectionPad1d: PaddingLayer, @unchecked Sendable {
    /// The same amount on both sides.
    public convenience init(_ padding: Int) { self.init((padding, padding)) }
    /// `(left, right)`.
    public init(_ padding: (Int, Int)) { super.init(padding: [padding.0, padding.1], mode: .reflect) }
}

/// Reflection padding of the last two dims (PyTorch: `nn.ReflectionPad2d(padding)`).
open class ReflectionPad2d: PaddingLayer, @unchecked Sendable {
    /// The same amount on all four sides.
    public convenience init(_ padding: Int) { self.init((padding, padding, padding, padding)) }
    /// `(left, right, top, bottom)`.
    public init(_ padding: (Int, Int, Int, Int)) {
        super.init(padding: [padding.0, padding.1, padding.2, padding.3], mode: .reflect)
    }
}

/// Edge replication of the last dim (PyTorch: `nn.ReplicationPad1d(padding)`).
open class ReplicationPad1d: PaddingLayer, @unchecked Sendable {
    /// The same amount on both sides.
    public convenience init(_ padding: Int) { self.init((padding, padding)) }
    /// `(left, right)`.
    public init(_ padding: (Int, Int)) { super.init(padding: [padding.0, padding.1], mode: .replicate) }
}

/// Edge replication of the last two dims (PyTorch: `nn.ReplicationPad2d(padding)`).
open class ReplicationPad2d: PaddingLayer, @unchecked Sendable {
    /// The same amount on all four sides.
    public convenience init(_ padding: Int) { self.init((padding, padding, padding, padding)) }
    /// `(left, right, top, bottom)`.
    public init(_ padding: (Int, Int, Int, Int)) {
        super.init(padding: [padding.0, padding.1, padding.2, padding.3], mode: .replicate)
    }
}
