import Dispatch
import Ember
#if canImport(Glibc)
import Glibc
#endif

/// Workload `elementwise`: float32 add, mul, relu and exp on 4M elements, and sum and softmax
/// over the last dim of 1024x1024, in GB/s of tensor data read plus written. The limit for the
/// elementwise ops is the bandwidth of a plain copy (memcpy or a SIMD loop, whichever is faster,
/// one chunk per core) that reads and writes as many bytes as the op does (add on 4M floats:
/// 24 MiB copied to 24 MiB, the same 48 MiB of traffic).
enum ElementwiseBench {
    static func run(quick: Bool) {
        let plan: TimingPlan = quick ? .quick : .full
        let count = quick ? 1024 * 1024 : 4 * 1024 * 1024
        let rows = quick ? 256 : 1024, cols = 1024
        let bytes = Double(count * MemoryLayout<Float>.size)
        let a = Tensor.randn([count]), b = Tensor.randn([count])
        let n = count == 4 * 1024 * 1024 ? "4M" : "\(count / (1024 * 1024))M"

        // (name, tensors read + written, op)
        let ops: [(String, Double, () -> Tensor)] = [
            ("add", 3, { a + b }),
            ("mul", 3, { a * b }),
            ("relu", 2, { a.relu() }),
            ("exp", 2, { a.exp() }),
        ]
        for (name, tensors, op) in ops {
            let t = secondsPerCall(plan) { blackHole(op()) }
            report("elementwise", "\(name) \(n)", .ember, "GB/s", tensors * bytes / t / 1e9)
            let copyBytes = Int(tensors * bytes / 2)
            let source = Tensor.rand([copyBytes / 4]), destination = Tensor(empty: [copyBytes / 4])
            let (d, s) = (destination.storage.data, source.storage.data)
            let copy = min(secondsPerCall(plan) { parallelCopy(d, s, copyBytes, memcpy: true) },
                           secondsPerCall(plan) { parallelCopy(d, s, copyBytes, memcpy: false) })
            report("elementwise", "\(name) \(n)", .limit, "GB/s", 2 * Double(copyBytes) / copy / 1e9, source: "copy")
            withExtendedLifetime((source, destination)) {}
        }

        let m = Tensor.randn([rows, cols])
        let matrixBytes = Double(rows * cols * MemoryLayout<Float>.size)
        let sum = secondsPerCall(plan) { blackHole(m.sum(dim: -1)) }
        report("elementwise", "sum \(rows)x\(cols) dim -1", .ember, "GB/s", (matrixBytes + Double(rows * 4)) / sum / 1e9)
        let softmax = secondsPerCall(plan) { blackHole(m.softmax(dim: -1)) }
        report("elementwise", "softmax \(rows)x\(cols) dim -1", .ember, "GB/s", 2 * matrixBytes / softmax / 1e9)
    }

    /// Copies `byteCount` bytes in one contiguous chunk per core, with glibc's memcpy (which
    /// switches to non-temporal stores for large sizes) or a plain SIMD loop (ordinary stores,
    /// like the kernels'). The faster of the two is the limit: neither wins everywhere.
    static func parallelCopy(_ dst: UnsafeMutableRawPointer, _ src: UnsafeMutableRawPointer, _ byteCount: Int, memcpy useMemcpy: Bool) {
        let chunks = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let d = Int(bitPattern: dst), s = Int(bitPattern: src)
        DispatchQueue.concurrentPerform(iterations: chunks) { i in
            let start = byteCount * i / chunks & ~63, end = i == chunks - 1 ? byteCount : byteCount * (i + 1) / chunks & ~63
            let to = UnsafeMutableRawPointer(bitPattern: d + start)!, from = UnsafeRawPointer(bitPattern: s + start)!
            if useMemcpy {
                memcpy(to, from, end - start)
            } else {
                copyLoop(to, from, end - start)
            }
        }
    }

    /// A 64-byte-per-step copy loop; `@inline(never)` and the SIMD type keep LLVM from turning
    /// it back into a memcpy call.
    @inline(never)
    static func copyLoop(_ to: UnsafeMutableRawPointer, _ from: UnsafeRawPointer, _ byteCount: Int) {
        let vectors = byteCount / 64
        let src = from.assumingMemoryBound(to: SIMD16<Float>.self), dst = to.assumingMemoryBound(to: SIMD16<Float>.self)
        for i in 0..<vectors { dst[i] = src[i] }
        memcpy(to + vectors * 64, from + vectors * 64, byteCount - vectors * 64)
    }
}
