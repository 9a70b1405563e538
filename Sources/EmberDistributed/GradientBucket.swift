import Ember

/// Some parameters' gradients laid end to end in one flat tensor, reduced by one collective
/// (PyTorch: a `Reducer` bucket). Buckets follow the parameters in reverse order, the order in
/// which backward makes their gradients ready.
final class GradientBucket {
    /// Indices of the parameters, into the reducer's list.
    let parameters: [Int]
    /// Where each parameter's gradient starts in `flat`.
    let offsets: [Int]
    /// The gradients, end to end.
    let flat: Tensor
    /// Parameters whose gradient has not arrived in this backward pass.
    var pending: Int

    init(parameters: [Int], sizes: [Int], dtype: DType) {
        self.parameters = parameters
        var offsets: [Int] = [], total = 0
        for s in sizes { offsets.append(total); total += s }
        self.offsets = offsets
        flat = Tensor.zeros([total], dtype: dtype)
        pending = parameters.count
    }

    /// Groups `params` (in reverse order) into buckets of at most `capBytes` each (a single
    /// larger parameter gets its own bucket), the first one at most `firstCapBytes` so that
    /// communication starts early; a bucket holds one dtype.
    static func assign(_ params: [Tensor], capBytes: Int, firstCapBytes: Int) -> [GradientBucket] {
        var buckets: [GradientBucket] = []
        var members: [Int] = [], sizes: [Int] = [], bytes = 0
        var dtype: DType?
        func close() {
            if let dtype, !members.isEmpty { buckets.append(GradientBucket(parameters: members, sizes: sizes, dtype: dtype)) }
            members = []; sizes = []; bytes = 0
        }
        for i in params.indices.reversed() {
            let p = params[i]
            if dtype != nil && dtype != p.dtype { close() }
            dtype = p.dtype
            members.append(i)
            sizes.append(p.numel)
            bytes += p.numel * p.dtype.itemSize
            if bytes >= (buckets.isEmpty ? firstCapBytes : capBytes) { close() }
        }
        close()
        return buckets
    }
}
