/// Pointers to the elements one fused update reads and writes: a parameter, its gradient and
/// up to four state buffers, all contiguous and of one float type. Unused buffers point at
/// the parameter and are never touched.
struct UpdateBuffers<T> {
    let param: UnsafeMutablePointer<T>
    let grad: UnsafeMutablePointer<T>
    let s0: UnsafeMutablePointer<T>
    let s1: UnsafeMutablePointer<T>
    let s2: UnsafeMutablePointer<T>
    let s3: UnsafeMutablePointer<T>
}

/// One optimizer's per-element update math, written once for float32 and float64 and run
/// over all elements of a parameter in a single pass (in parallel chunks for big tensors).
///
/// PyTorch's single-tensor path runs the same math as a sequence of whole-tensor ops
/// (`exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)`, ...), each a full pass over memory and
/// some allocating temporaries; here each element's parameter, gradient and state are loaded
/// once and written once. Each kernel follows PyTorch's order of operations and rounds its
/// scalars to the element type as PyTorch's CPU kernels do, so float32 results agree with
/// PyTorch to rounding.
protocol FusedUpdate {
    /// Updates elements `range` of the buffers.
    func apply<T: BinaryFloatingPoint>(_ b: UpdateBuffers<T>, _ range: Range<Int>)
}

/// Elements per parallel chunk below which a tensor is updated on the calling thread
/// (PyTorch's `at::internal::GRAIN_SIZE`).
let fusedGrain = 32768

/// Runs `kernel` over `param`, `grad` and the state buffers `s0...s3` (each shaped like
/// `param`), writing the parameter and the buffers in place and bumping their versions.
///
/// float32 and float64 contiguous tensors are updated directly. Anything else (half
/// precision, non-contiguous views) is computed on contiguous float32/float64 copies that are
/// written back: correct for every layout, fast where it matters.
func runFused<K: FusedUpdate>(
    _ kernel: K, param: Tensor, grad: Tensor,
    _ s0: Tensor? = nil, _ s1: Tensor? = nil, _ s2: Tensor? = nil, _ s3: Tensor? = nil
) {
    let dtype = param.dtype
    func fits(_ t: Tensor?) -> Bool { t.map { $0.isContiguous && $0.dtype == dtype } ?? true }
    if (dtype == .float32 || dtype == .float64) && param.isContiguous && fits(grad)
        && fits(s0) && fits(s1) && fits(s2) && fits(s3) {
        runContiguous(kernel, param, grad, s0, s1, s2, s3)
        param.storage.bumpVersion()
        s0?.storage.bumpVersion(); s1?.storage.bumpVersion(); s2?.storage.bumpVersion(); s3?.storage.bumpVersion()
        return
    }
    let compute: DType = dtype == .float64 ? .float64 : .float32
    func copy(_ t: Tensor?) -> Tensor? { t.map { $0.detach().to(compute, copy: true) } }
    let p = copy(param)!, c0 = copy(s0), c1 = copy(s1), c2 = copy(s2), c3 = copy(s3)
    let g = grad.detach().to(compute).contiguous()
    runContiguous(kernel, p, g, c0, c1, c2, c3)
    withNoGrad {
        param.copy_(p)
        for (original, updated) in [(s0, c0), (s1, c1), (s2, c2), (s3, c3)] {
            if let original, let updated { original.copy_(updated) }
        }
    }
}

/// Runs `kernel` on contiguous float32 or float64 tensors of one dtype.
private func runContiguous<K: FusedUpdate>(
    _ kernel: K, _ param: Tensor, _ grad: Tensor,
    _ s0: Tensor?, _ s1: Tensor?, _ s2: Tensor?, _ s3: Tensor?
) {
    func run<T: BinaryFloatingPoint>(_: T.Type) {
        let p = param.pointer(T.self)
        let b = UpdateBuffers(
            param: p, grad: grad.pointer(T.self),
            s0: s0?.pointer(T.self) ?? p, s1: s1?.pointer(T.self) ?? p,
            s2: s2?.pointer(T.self) ?? p, s3: s3?.pointer(T.self) ?? p)
        Parallel.forRange(param.numel, grain: fusedGrain) { range in kernel.apply(b, range) }
    }
    if param.dtype == .float64 { run(Double.self) } else { run(Float.self) }
}

extension ParamState {
    /// The buffer `name`, created as zeros shaped like `param` (contiguous, the parameter's
    /// dtype) when missing (PyTorch: `torch.zeros_like(p, memory_format=torch.preserve_format)`).
    func buffer(_ name: String, like param: Tensor, fill: Double = 0) -> Tensor {
        if let t = buffers[name] { return t }
        let t = Tensor.full(param.shape, fill, dtype: param.dtype)
        buffers[name] = t
        return t
    }
}
