import Ember

/// One optimizer step's fused updates, collected parameter by parameter and then run together.
///
/// The contiguous float32 (and float64) updates run as one pass over all their elements, split
/// across the cores once: one wake-up of the thread pool per step instead of one per large
/// tensor, and the small tensors (biases) share that pass instead of running alone on the
/// calling thread. Every element goes through the same `FusedUpdate.apply` as in `runFused`,
/// so the results are bit for bit the same wherever the chunk boundaries fall. Updates that
/// need copies (half precision, strided views) go one by one through `runFused`.
struct FusedBatch<K: FusedUpdate> {
    private struct Item {
        let kernel: K
        let param: Tensor, grad: Tensor
        let s0: Tensor?, s1: Tensor?, s2: Tensor?, s3: Tensor?
        var numel: Int { param.numel }
        var tensors: [Tensor?] { [param, grad, s0, s1, s2, s3] }
    }

    private var items: [Item] = []

    /// Queues `kernel` over `param`, `grad` and the state buffers (each shaped like `param`).
    mutating func add(_ kernel: K, param: Tensor, grad: Tensor,
                      _ s0: Tensor? = nil, _ s1: Tensor? = nil, _ s2: Tensor? = nil, _ s3: Tensor? = nil) {
        items.append(Item(kernel: kernel, param: param, grad: grad, s0: s0, s1: s1, s2: s2, s3: s3))
    }

    /// Runs every queued update, writing the parameters and buffers in place and bumping their
    /// versions.
    func run() {
        var float32: [Item] = [], float64: [Item] = []
        for item in items {
            let dtype = item.param.dtype
            let direct = (dtype == .float32 || dtype == .float64)
                && item.tensors.allSatisfy { $0.map { $0.isContiguous && $0.dtype == dtype } ?? true }
            if !direct {
                runFused(item.kernel, param: item.param, grad: item.grad, item.s0, item.s1, item.s2, item.s3)
            } else if dtype == .float32 {
                float32.append(item)
            } else {
                float64.append(item)
            }
        }
        Self.runTogether(float32, Float.self)
        Self.runTogether(float64, Double.self)
    }

    /// One parallel pass over the elements of `items`, laid end to end.
    private static func runTogether<T: LaneScalar>(_ items: [Item], _: T.Type) {
        if items.isEmpty { return }
        let buffers = items.map { item -> UpdateBuffers<T> in
            let p = item.param.pointer(T.self)
            return UpdateBuffers(
                param: p, grad: item.grad.pointer(T.self),
                s0: item.s0?.pointer(T.self) ?? p, s1: item.s1?.pointer(T.self) ?? p,
                s2: item.s2?.pointer(T.self) ?? p, s3: item.s3?.pointer(T.self) ?? p)
        }
        var starts = [0]   // element offset of each item; the last entry is the total
        for item in items { starts.append(starts[starts.count - 1] + item.numel) }
        let kernels = items.map(\.kernel)
        if starts[starts.count - 1] == 0 { return }
        buffers.withUnsafeBufferPointer { b in
            starts.withUnsafeBufferPointer { s in
                kernels.withUnsafeBufferPointer { k in
                    Parallel.forRange(s[s.count - 1], grain: fusedGrain) { range in
                        // The first item that ends after range.lowerBound, then on to range's end.
                        var j = 0
                        while s[j + 1] <= range.lowerBound { j += 1 }
                        while j < b.count && s[j] < range.upperBound {
                            let lo = Swift.max(range.lowerBound, s[j]) - s[j]
                            let hi = Swift.min(range.upperBound, s[j + 1]) - s[j]
                            applyLanes(k[j], b[j], lo..<hi)
                            j += 1
                        }
                    }
                }
            }
        }
        for item in items {
            item.param.storage.bumpVersion()
            for t in [item.s0, item.s1, item.s2, item.s3] { t?.storage.bumpVersion() }
        }
        withExtendedLifetime(items) {}
    }
}
