import Ember

/// Loads the file; a file that loads must survive `save` and load again unchanged: saving
/// the reloaded tensors gives the same bytes as saving the first load.
func fuzzSafetensors(_ path: String, _ scratch: ScratchFiles, _ check: inout Check) {
    let tensors: TensorDict, metadata: [String: String]
    do {
        (tensors, metadata) = try loadWithMetadata(path)
    } catch {
        check.rejected(error, "loadWithMetadata")
        return
    }
    check.accepted()
    for (name, t) in tensors where t.numel * t.dtype.itemSize < 0 || !t.isContiguous {
        check.fail("tensor '\(name)' loaded as \(t.shape) \(t.dtype), not a contiguous tensor")
        return
    }
    let first = scratch.path("first.safetensors"), second = scratch.path("second.safetensors")
    do {
        try save(tensors, to: first, metadata: metadata.isEmpty ? nil : metadata)
        let (again, againMetadata) = try loadWithMetadata(first)
        guard again.keys == tensors.keys, againMetadata == metadata else {
            check.fail("save and load changed the names or metadata: \(tensors.keys) \(metadata) became \(again.keys) \(againMetadata)")
            return
        }
        for (name, t) in tensors where again[name]!.shape != t.shape || again[name]!.dtype != t.dtype {
            check.fail("save and load changed tensor '\(name)' from \(t.shape) \(t.dtype) to \(again[name]!.shape) \(again[name]!.dtype)")
            return
        }
        try save(again, to: second, metadata: againMetadata.isEmpty ? nil : againMetadata)
    } catch {
        check.fail("save or load of what was just loaded failed: \(error)")
        return
    }
    guard let a = readAll(first), let b = readAll(second) else {
        check.fail("cannot read back the saved files")
        return
    }
    if a != b { check.fail("saving the reloaded tensors gave other bytes (\(a.count) and \(b.count) bytes)") }
}
