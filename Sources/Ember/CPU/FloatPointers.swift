/// `p` as the float32 pointer it is, for generic kernels that hand float32 data to the C
/// kernels (callers checked `T.self == Float.self`).
@inline(__always)
func floats<T>(_ p: UnsafePointer<T>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}

/// The mutable form of `floats(_:)`.
@inline(__always)
func floats<T>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}
