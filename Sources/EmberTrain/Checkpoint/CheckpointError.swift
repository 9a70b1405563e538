/// Why a checkpoint or run folder could not be written or read. Every case names the file.
///
/// ```swift
/// do { try trainer.resume(from: "runs/a/checkpoint.safetensors") }
/// catch { print(error) }   // "runs/a/checkpoint.safetensors: no such file (nothing to resume)"
/// ```
public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No file at `path`.
    case fileNotFound(path: String)
    /// The operating system refused (permissions, disk full, ...).
    case io(path: String, detail: String)
    /// The file is there but is not a valid checkpoint (corrupt, truncated, a key missing).
    case invalid(path: String, detail: String)
    /// The checkpoint is valid but belongs to something else: another model, optimizer or
    /// scheduler than the one being resumed.
    case mismatch(path: String, detail: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .fileNotFound(let p), .io(let p, _), .invalid(let p, _), .mismatch(let p, _): return p
        }
    }

    /// One line naming the file and the problem.
    public var description: String {
        switch self {
        case .fileNotFound(let p): return "\(p): no such file"
        case .io(let p, let d): return "\(p): \(d)"
        case .invalid(let p, let d): return "\(p): not a valid checkpoint: \(d)"
        case .mismatch(let p, let d): return "\(p): does not match this run: \(d)"
        }
    }
}
