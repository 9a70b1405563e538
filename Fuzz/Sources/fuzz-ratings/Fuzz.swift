import EmberFuzzHarness

/// libFuzzer's entry point for the `ratings` target (see `FuzzTarget.ratings`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.fuzzOne(.ratings, data, size)
}
