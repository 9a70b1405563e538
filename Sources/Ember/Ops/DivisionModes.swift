/// Division that rounds, and the two remainders (PyTorch: `torch.div(rounding_mode=)`,
/// `floor_divide`, `remainder`, `fmod`). Floating-point inputs are composed from `/`, `floor`
/// and `*`, so their gradients are PyTorch's (the rounded quotient has gradient 0; `remainder`'s
/// gradient is 1 for `self` and `-floor(self / other)` for `other`). Integer inputs are
/// computed exactly in Int64, with PyTorch's error for division by zero.
public enum RoundingMode: Sendable {
    /// Round the quotient toward zero (C's integer division; PyTorch: `"trunc"`).
    case trunc
    /// Round the quotient down (Python's `//`; PyTorch: `"floor"`).
    case floor
}

extension Tensor {
    /// `self / other`, rounded as `mode` says (PyTorch: `torch.div(a, b, rounding_mode=...)`).
    /// Integer tensors stay integer.
    public func div(_ other: Tensor, roundingMode mode: RoundingMode, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let type = DType.promote(dtype, other.dtype)
        if !type.isFloatingPoint {
            return integerDivision(other, type, "div", file: file, line: line) { a, b in
                let q = a.dividedReportingOverflow(by: b).partialValue
                return mode == .floor && (a.remainderReportingOverflow(dividingBy: b).partialValue != 0) && ((a < 0) != (b < 0)) ? q - 1 : q
            }
        }
        let quotient = self / other
        return mode == .floor ? quotient.floor(file: file, line: line) : quotient.roundedTowardZero()
    }

    /// `self / scalar` rounded as `mode` says.
    public func div(_ scalar: Double, roundingMode mode: RoundingMode, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        div(scalarLike(scalar, isFloating: scalar.rounded() != scalar), roundingMode: mode, file: file, line: line)
    }

    /// `self // other`, the quotient rounded down (PyTorch: `torch.floor_divide`).
    public func floorDivide(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        div(other, roundingMode: .floor, file: file, line: line)
    }

    /// `self // scalar` (PyTorch: `torch.floor_divide(t, 2)`).
    public func floorDivide(_ scalar: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        div(scalar, roundingMode: .floor, file: file, line: line)
    }

    /// Python's modulus: `self - floor(self / other) * other`, with the sign of `other`
    /// (PyTorch: `torch.remainder`, `a % b`).
    public func remainder(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let type = DType.promote(dtype, other.dtype)
        if !type.isFloatingPoint {
            return integerDivision(other, type, "remainder", file: file, line: line) { a, b in
                let r = a.remainderReportingOverflow(dividingBy: b).partialValue
                return r != 0 && ((r < 0) != (b < 0)) ? r + b : r
            }
        }
        return self - withNoGrad { (self / other).floor() } * other
    }

    /// `remainder` with a scalar divisor.
    public func remainder(_ scalar: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        remainder(scalarLike(scalar, isFloating: scalar.rounded() != scalar), file: file, line: line)
    }

    /// C's modulus: `self - trunc(self / other) * other`, with the sign of `self`
    /// (PyTorch: `torch.fmod`).
    public func fmod(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        let type = DType.promote(dtype, other.dtype)
        if !type.isFloatingPoint {
            return integerDivision(other, type, "fmod", file: file, line: line) { a, b in a.remainderReportingOverflow(dividingBy: b).partialValue }
        }
        return self - withNoGrad { (self / other).roundedTowardZero() } * other
    }

    /// `fmod` with a scalar divisor.
    public func fmod(_ scalar: Double, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
        fmod(scalarLike(scalar, isFloating: scalar.rounded() != scalar), file: file, line: line)
    }

    /// Rounds toward zero (PyTorch: `torch.trunc`); gradient 0 like `floor`.
    public func trunc(file: StaticString = #fileID, line: UInt = #line) -> Tensor { roundedTowardZero() }

    func roundedTowardZero() -> Tensor {
        Tensor.where(self .< 0, ceil(), floor())
    }

    /// `op` on broadcast Int64 values, exactly (Int64.min / -1 wraps, as in PyTorch); traps on
    /// a zero divisor as PyTorch does.
    private func integerDivision(
        _ other: Tensor, _ type: DType, _ op: StaticString, file: StaticString, line: UInt,
        _ apply: (Int64, Int64) -> Int64
    ) -> Tensor {
        let shape = broadcastShapes(self.shape, other.shape, op: op, file: file, line: line)
        let a = toArrayBroadcast(shape), b = other.toArrayBroadcast(shape)
        check(!b.contains(0), op, "ZeroDivisionError: integer division by zero", file: file, line: line)
        return Tensor(zip(a, b).map(apply), shape: shape, dtype: type)
    }

    /// The elements as Int64 after broadcasting to `shape`.
    private func toArrayBroadcast(_ shape: [Int]) -> [Int64] {
        broadcastRaw(shape).toArray(as: Int64.self)
    }
}
