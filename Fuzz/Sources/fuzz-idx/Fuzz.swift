import EmberFuzzHarness

/// libFuzzer's entry point for the `idx` target (see `FuzzTarget.idx`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.fuzzOne(.idx, data, size)
}
