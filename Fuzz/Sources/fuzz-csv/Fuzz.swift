import EmberFuzzHarness

/// libFuzzer's entry point for the `csv` target (see `FuzzTarget.csv`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.fuzzOne(.csv, data, size)
}
