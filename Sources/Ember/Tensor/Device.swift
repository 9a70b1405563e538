/// Where a tensor's storage lives (PyTorch: `torch.device`). Only the CPU today; this is
/// the seam a CUDA backend plugs into.
public enum Device: String, Sendable, CustomStringConvertible {
    case cpu
    public var description: String { rawValue }
}
