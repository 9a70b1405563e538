import EmberFuzzHarness

/// libFuzzer's entry point for the `idx-gzip` target (see `FuzzTarget.idxGzip`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.fuzzOne(.idxGzip, data, size)
}
