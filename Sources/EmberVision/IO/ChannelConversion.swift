import Ember

/// Conversions between the channel layouts of `ImageReadMode`, on decoded pixels.
enum ChannelConversion {
    /// PIL's integer luma: `(19595·R + 38470·G + 7471·B + 2¹⁵) >> 16` (`Image.convert("L")`).
    @inline(__always)
    static func luma(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: (UInt32(r) * 19595 + UInt32(g) * 38470 + UInt32(b) * 7471 + 0x8000) >> 16)
    }

    /// Interleaved uint8 `[H, W, c]` pixels as `[C, H, W]` in the channels of `mode`.
    static func toCHW(_ hwc: Tensor, mode: ImageReadMode) -> Tensor {
        let h = hwc.shape[0], w = hwc.shape[1], c = hwc.shape[2]
        let outC = mode.channels ?? c
        let out = Tensor(empty: [outC, h, w], dtype: .uint8)
        let src = UnsafePointer(hwc.pointer(UInt8.self)), dst = out.pointer(UInt8.self)
        let plane = h * w
        let hasAlpha = c == 2 || c == 4, wantsAlpha = outC == 2 || outC == 4
        let colourIn = c >= 3, colourOut = outC >= 3
        for p in 0..<plane {
            let s = src + p * c
            if colourOut {
                if colourIn {
                    dst[p] = s[0]; dst[plane + p] = s[1]; dst[2 * plane + p] = s[2]
                } else {
                    dst[p] = s[0]; dst[plane + p] = s[0]; dst[2 * plane + p] = s[0]
                }
            } else {
                dst[p] = colourIn ? luma(s[0], s[1], s[2]) : s[0]
            }
            if wantsAlpha { dst[(outC - 1) * plane + p] = hasAlpha ? s[c - 1] : 255 }
        }
        return out
    }

    /// A uint8 `[C, H, W]` image (C from 1 to 4) converted to `channels` channels as `toCHW`
    /// would have decoded it.
    static func convert(_ chw: Tensor, channels: Int) -> Tensor {
        if chw.shape[0] == channels { return chw }
        let mode: ImageReadMode = [1: .gray, 2: .grayAlpha, 3: .rgb, 4: .rgbAlpha][channels]!
        return toCHW(chw.permute([1, 2, 0]).contiguous(), mode: mode)
    }
}
