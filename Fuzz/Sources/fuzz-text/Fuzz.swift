import EmberFuzzHarness

/// libFuzzer's entry point for the `text` target (see `FuzzTarget.text`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.fuzzOne(.text, data, size)
}
