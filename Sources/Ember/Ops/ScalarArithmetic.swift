/// Arithmetic between a tensor and a Swift scalar (`x * 0.5`, `1 - x`). The scalar stays a
/// value in the kernel: no 0-d tensor is allocated and no broadcasting runs, which matters in
/// optimizer updates and small models where these ops are most of the work.
struct ScalarRightFn<T: ArithmeticElement, Tag: ArithmeticBinaryTag>: UnaryMap {
    let s: T
    @inline(__always) func callAsFunction(_ x: T) -> T { Tag.apply(x, s) }
}

struct ScalarLeftFn<T: ArithmeticElement, Tag: ArithmeticBinaryTag>: UnaryMap {
    let s: T
    @inline(__always) func callAsFunction(_ x: T) -> T { Tag.apply(s, x) }
}

struct ScalarKernel: ArithmeticVisitor {
    let op: BinaryOp, x: Tensor, out: Tensor, scalar: Double, scalarOnLeft: Bool

    func visit<T: ArithmeticElement>(_: T.Type) {
        switch op {
        case .add: run(T.self, AddTag.self)
        case .sub: run(T.self, SubTag.self)
        case .mul: run(T.self, MulTag.self)
        case .div: run(T.self, DivTag.self)
        case .maximum: run(T.self, MaxTag.self)
        case .minimum: run(T.self, MinTag.self)
        case .pow: run(T.self, PowTag.self)
        }
    }

    @inline(__always)
    private func run<T: ArithmeticElement, Tag: ArithmeticBinaryTag>(_: T.Type, _: Tag.Type) {
        let s = T(double: scalar)
        if scalarOnLeft {
            mapUnary(x, into: out, ScalarLeftFn<T, Tag>(s: s))
        } else {
            mapUnary(x, into: out, ScalarRightFn<T, Tag>(s: s))
        }
    }
}

/// `op(x, s)` (or `op(s, x)` when `scalarOnLeft`) with PyTorch's type rules for Python
/// scalars: an integral value keeps an integer tensor integer, a fractional one makes it float32.
func scalarOp(_ op: BinaryOp, _ x: Tensor, _ s: Double, scalarOnLeft: Bool = false,
              file: StaticString = unknownFile, line: UInt = 0) -> Tensor {
    var outType = x.dtype.promotedWithScalar(isFloatingScalar: s.rounded() != s)
    if op == .div && !outType.isFloatingPoint { outType = .float32 }
    let compute = outType.computeType
    let input = x.convertedRaw(compute)
    let out = input.isContiguous ? Tensor(empty: x.shape, strides: input.strides, dtype: compute) : Tensor(empty: x.shape, dtype: compute)
    compute.visitArithmetic(ScalarKernel(op: op, x: input, out: out, scalar: s, scalarOnLeft: scalarOnLeft))
    let result = compute == outType ? out : out.convertedRaw(outType)
    if needsGrad(x) && outType.isFloatingPoint {
        let inType = x.dtype
        let saved = op == .div || op == .pow ? SavedTensor(x, op: "\(op)") : nil
        let savedOut = op == .pow && scalarOnLeft ? SavedTensor(result, op: "pow", isOutput: true) : nil
        record(scalarNodeName(op, scalarOnLeft: scalarOnLeft), result, x, file: file, line: line) { g in
            let grad: Tensor
            switch op {
            case .add: grad = g
            case .sub: grad = scalarOnLeft ? -g : g
            case .mul: grad = g * s
            case .div: grad = scalarOnLeft ? -g * s / saved!.value.square() : g / s
            case .pow:
                if scalarOnLeft {
                    let y = GradMode.isEnabled ? scalarOp(.pow, saved!.value, s, scalarOnLeft: true) : savedOut!.value
                    grad = g * y * Glibc.log(s)
                } else {
                    grad = s == 0 ? Tensor.zerosLike(g) : g * saved!.value.pow(s - 1) * s
                }
            case .maximum, .minimum:
                grad = g  // not reachable: the public API sends these through `binary`
            }
            return [grad.to(inType)]
        }
    }
    return result
}

/// PyTorch's node names for tensor-scalar ops (`x * 2` records `MulBackward0`, `1 - x` `RsubBackward1`).
private func scalarNodeName(_ op: BinaryOp, scalarOnLeft: Bool) -> String {
    switch op {
    case .add: "AddBackward0"
    case .sub: scalarOnLeft ? "RsubBackward1" : "SubBackward0"
    case .mul: "MulBackward0"
    case .div: "DivBackward0"
    case .pow: scalarOnLeft ? "PowBackward1" : "PowBackward0"
    case .maximum: "MaximumBackward0"
    case .minimum: "MinimumBackward0"
    }
}

#if canImport(Glibc)
import Glibc
#endif
