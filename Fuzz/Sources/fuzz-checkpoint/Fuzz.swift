import EmberFuzzHarness

/// libFuzzer's entry point for the `checkpoint` target (see `FuzzTarget.checkpoint`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.fuzzOne(.checkpoint, data, size)
}
