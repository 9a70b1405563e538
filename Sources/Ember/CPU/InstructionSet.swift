import CEmberKernels

/// The instruction set Ember's C kernels run on this machine (PyTorch calls it the CPU
/// capability, `torch.backends.cpu.get_cpu_capability()`).
///
/// Each C kernel is built for AVX-512, for AVX2 with FMA and for the portable baseline (the
/// only build off x86-64, where clang's vector extensions compile to NEON); the best one the
/// CPU runs is picked when the first kernel is called. Setting the environment variable
/// `EMBER_ISA` to `avx512`, `avx2` or `base` before the process starts picks a lower one, so
/// tests can run every build on one machine (`make test` does).
///
/// ```swift
/// print(InstructionSet.current)   // avx512
/// ```
public enum InstructionSet: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The portable build: x86-64's baseline SSE2, or the host's own vector unit elsewhere.
    case base
    /// AVX2 with FMA, 8 floats per vector.
    case avx2
    /// AVX-512 (F, DQ, VL), 16 floats per vector; also enables Ember's own float32 GEMM kernel.
    case avx512

    /// The instruction set the kernels use in this process.
    public static var current: InstructionSet {
        switch ember_isa_level() {
        case 2: .avx512
        case 1: .avx2
        default: .base
        }
    }

    public var description: String { rawValue }
}
