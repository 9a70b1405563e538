import EmberFuzzHarness

/// libFuzzer's entry point for the `safetensors` target (see `FuzzTarget.safetensors`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzHarness.fuzzOne(.safetensors, data, size)
}
