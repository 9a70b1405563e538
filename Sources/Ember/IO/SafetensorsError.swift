/// What went wrong reading or writing a safetensors file. Every case names the file, and
/// where one tensor is at fault, the tensor (PyTorch: the `SafetensorError` raised by
/// `safetensors.torch.load_file` / `save_file`).
///
/// ```swift
/// do { let weights = try load("model.safetensors") }
/// catch let error as SafetensorsError { print(error) }   // "model.safetensors: truncated: ..."
/// ```
public enum SafetensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No file at `path`.
    case fileNotFound(path: String)
    /// The file ends before the bytes its header promises (a cut-off download or copy).
    case truncated(path: String, detail: String)
    /// The header is not a safetensors header: bad size, not UTF-8 JSON, not an object, an
    /// entry with missing or mistyped fields, a negative dimension, bad `__metadata__`.
    case invalidHeader(path: String, detail: String)
    /// Tensor `name` has a dtype Ember does not support (e.g. `I16`, `U32`, `F8_E4M3`).
    case unsupportedDType(path: String, name: String, dtype: String)
    /// Tensor `name`'s `data_offsets` are inconsistent: reversed, the wrong length for its
    /// shape and dtype, or overlapping / leaving a gap with its neighbours.
    case badOffsets(path: String, name: String, detail: String)
    /// The operating system refused a read or write (permissions, disk full, a directory).
    case ioError(path: String, detail: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .fileNotFound(let p), .truncated(let p, _), .invalidHeader(let p, _),
             .unsupportedDType(let p, _, _), .badOffsets(let p, _, _), .ioError(let p, _):
            return p
        }
    }

    /// A one-line message naming the file and the problem.
    public var description: String {
        switch self {
        case .fileNotFound(let p):
            return "\(p): no such file"
        case .truncated(let p, let d):
            return "\(p): truncated safetensors file: \(d)"
        case .invalidHeader(let p, let d):
            return "\(p): invalid safetensors header: \(d)"
        case .unsupportedDType(let p, let n, let d):
            return "\(p): tensor '\(n)' has dtype \(d), which Ember does not support (supported: F64, F32, F16, BF16, I64, I32, U8, BOOL)"
        case .badOffsets(let p, let n, let d):
            return "\(p): tensor '\(n)' has bad data_offsets: \(d)"
        case .ioError(let p, let d):
            return "\(p): \(d)"
        }
    }
}
