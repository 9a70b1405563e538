/// Calls a generic function with the Swift type that matches a runtime `DType`, so a kernel
/// is written once and the dtype is switched once per op, not per element.
protocol ElementVisitor {
    associatedtype Result
    func visit<T: TensorElement>(_ type: T.Type) -> Result
}

extension DType {
    /// Runs `visitor` specialized for this dtype's Swift element type.
    @inline(__always)
    func visit<V: ElementVisitor>(_ visitor: V) -> V.Result {
        switch self {
        case .float32: return visitor.visit(Float.self)
        case .float64: return visitor.visit(Double.self)
        case .float16: return visitor.visit(Float16.self)
        case .bfloat16: return visitor.visit(BFloat16.self)
        case .int64: return visitor.visit(Int64.self)
        case .int32: return visitor.visit(Int32.self)
        case .uint8: return visitor.visit(UInt8.self)
        case .bool: return visitor.visit(Bool.self)
        }
    }
}
