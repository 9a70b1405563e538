import EmberFuzzHarness

/// libFuzzer's entry point for the `png` target (see `FuzzTarget.png`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.fuzzOne(.png, data, size)
}
