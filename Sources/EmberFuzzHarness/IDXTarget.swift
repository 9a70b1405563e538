import Ember
import EmberData

/// `IDX.read`: a tensor of the declared shape, or a `DataError` naming the file.
func fuzzIDX(_ path: String, _ check: inout Check) {
    let t: Tensor
    do {
        t = try IDX.read(path)
    } catch {
        check.rejected(error, "IDX.read")
        return
    }
    check.accepted()
    guard t.isContiguous, !t.shape.isEmpty, t.shape.allSatisfy({ $0 >= 0 }) else {
        check.fail("IDX.read gave a tensor of shape \(t.shape), contiguous: \(t.isContiguous)")
        return
    }
    // The first and last values are readable (the storage holds every value).
    if t.numel > 0 {
        let flat = t.reshape([t.numel])
        _ = flat[0].item()
        _ = flat[t.numel - 1].item()
    }
}
