/// `exp` on float32 vectors: range reduction to `2^n · e^r` with |r| ≤ ln2/2 and a degree-6
/// polynomial, in 16-lane SIMD (within 2 ulp of libm). libm's scalar `expf` does not
/// vectorize; PyTorch uses SLEEF for the same reason.
@inline(__always)
func expSIMD(_ x: SIMD16<Float>) -> SIMD16<Float> {
    // Compare-and-replace vectorizes; pointwiseMin/Max run lane by lane.
    var clamped = x
    clamped.replace(with: 88.7, where: x .> 88.7)
    clamped.replace(with: -87.5, where: x .< -87.5)
    // Adding 1.5·2^23 rounds x·log2(e) to an integer n held in the low mantissa bits.
    let magic = SIMD16<Float>(repeating: 12582912)
    let shifted = clamped * 1.44269504088896341 + magic
    let n = shifted - magic
    var r = clamped - n * 0.693359375
    r = r - n * -2.12194440e-4
    var p = SIMD16<Float>(repeating: 1.9875691500e-4)
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    p = p * r * r + r + 1
    // 2^n as a float: (n + 127) << 23, taking n from `shifted`'s bits.
    let nBits = unsafeBitCast(shifted, to: SIMD16<UInt32>.self) &- 0x4B40_0000
    let scale = unsafeBitCast((nBits &+ 127) &<< 23, to: SIMD16<Float>.self)
    var result = p * scale
    // Overflow to +inf and underflow to 0 exactly as libm, and keep NaN.
    result.replace(with: Float.infinity, where: x .> 88.72283)
    result.replace(with: 0, where: x .< -103.97)
    result.replace(with: x, where: x .!= x)
    return result
}

/// `out = exp(x)`: SIMD for contiguous float32, libm otherwise.
@inline(__always)
func vectorExp<T: FloatElement>(_ x: Tensor, into out: Tensor, _: T.Type) {
    if T.self == Float.self && x.isContiguous && out.isContiguous {
        let px = x.pointer(Float.self), po = out.pointer(Float.self)
        Parallel.forRange(x.numel, grain: 1 << 14) { r in
            var i = r.lowerBound
            while i + 16 <= r.upperBound {
                let v = UnsafeRawPointer(px + i).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(po + i).storeBytes(of: expSIMD(v), as: SIMD16<Float>.self)
                i += 16
            }
            while i < r.upperBound { po[i] = Float.exp(px[i]); i += 1 }
        }
        return
    }
    mapUnary(x, into: out, grain: 4096) { (v: T) in T.exp(v) }
}
