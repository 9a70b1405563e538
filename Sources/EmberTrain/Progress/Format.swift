/// Number and duration formatting for progress lines and tables, without Foundation's
/// locale-dependent formatters (so output is the same on every machine).
public enum Format {
    /// `x` with exactly `digits` decimals: `Format.fixed(0.91234, 2)` is `"0.91"`.
    public static func fixed(_ x: Double, _ digits: Int) -> String { formatFixed(x, digits: digits) }

    /// A fraction as a percentage with two decimals: `Format.percent(0.9142)` is `"91.42%"`.
    public static func percent(_ x: Double) -> String { formatFixed(x * 100, digits: 2) + "%" }

    /// Scientific notation with `digits` decimals: `Format.scientific(0.001)` is `"1.00e-03"`;
    /// `nan`, `inf` and `-inf` for non-finite values.
    public static func scientific(_ x: Double, _ digits: Int = 2) -> String {
        guard x.isFinite else { return formatFixed(x, digits: 0) }
        let digits = min(max(digits, 0), 15)
        if x == 0 { return formatFixed(0, digits: digits) + "e+00" }
        var exponent = Int((abs(x)).log10Floor)
        var mantissa = scaled(x, byPowerOf10: -exponent)
        if abs(mantissa).rounded(toPlaces: digits) >= 10 {
            exponent += 1
            mantissa = scaled(x, byPowerOf10: -exponent)
        }
        let e = abs(exponent) < 10 ? "0\(abs(exponent))" : "\(abs(exponent))"
        return formatFixed(mantissa, digits: digits) + "e" + (exponent < 0 ? "-" : "+") + e
    }

    /// A duration as `m:ss` or `h:mm:ss`: `Format.duration(75)` is `"1:15"`; `?:??` when
    /// unknown (negative, not finite, or past a million hours).
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0, seconds < 3.6e9 else { return "?:??" }
        let s = Int(seconds.rounded())
        let h = s / 3600, m = (s % 3600) / 60, r = s % 60
        let rs = r < 10 ? "0\(r)" : "\(r)"
        if h > 0 { return "\(h):" + (m < 10 ? "0\(m)" : "\(m)") + ":" + rs }
        return "\(m):" + rs
    }

    /// An integer with thousands separators: `Format.grouped(1234567)` is `"1,234,567"`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `s` padded with spaces on the left to `width` characters.
    public static func padLeft(_ s: String, _ width: Int) -> String {
        String(repeating: " ", count: max(0, width - s.count)) + s
    }

    /// `s` padded with spaces on the right to `width` characters.
    public static func padRight(_ s: String, _ width: Int) -> String {
        s + String(repeating: " ", count: max(0, width - s.count))
    }

    /// An integer count of something measured as a `Double` (a rate), for `grouped`: 0 when
    /// not finite, clamped to `Int`'s range.
    public static func count(_ x: Double) -> Int {
        guard x.isFinite else { return 0 }
        if x >= 9.0e18 { return Int.max }
        if x <= -9.0e18 { return Int.min + 1 }
        return Int(x)
    }

    /// `x × 10^e`, in two steps when `10^|e|` alone would overflow (subnormal `x`).
    private static func scaled(_ x: Double, byPowerOf10 e: Int) -> Double {
        if abs(e) <= 300 { return e < 0 ? x / pow10(-e) : x * pow10(e) }
        let half = e / 2
        return scaled(scaled(x, byPowerOf10: half), byPowerOf10: e - half)
    }

    private static func pow10(_ e: Int) -> Double {
        var r = 1.0
        for _ in 0..<abs(e) { r *= 10 }
        return e < 0 ? 1 / r : r
    }
}

/// `x` with exactly `digits` decimals, e.g. `formatFixed(0.91234, digits: 2)` is `"0.91"`.
/// Values whose integer part has more than 15 digits switch to scientific notation
/// (`1.2346e+20`), so no width of number can overflow; non-finite values are `nan`, `inf`
/// and `-inf`.
func formatFixed(_ x: Double, digits: Int) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    let digits = min(max(digits, 0), 15)
    var scale: UInt64 = 1
    for _ in 0..<digits { scale *= 10 }
    let r = (abs(x) * Double(scale)).rounded()
    // Past 10^15 in the integer part, or past what UInt64 holds, the digits are not exact anyway.
    guard abs(x) < 1e15, r < 1.8e19 else { return Format.scientific(x, max(digits, 2)) }
    let ri = UInt64(r)
    let whole = ri / scale, frac = ri % scale
    let sign = x < 0 && ri != 0 ? "-" : ""
    if digits == 0 { return "\(sign)\(whole)" }
    let f = String(frac)
    return "\(sign)\(whole)." + String(repeating: "0", count: digits - f.count) + f
}

extension Double {
    /// `self` rounded to `places` decimals (for comparisons while formatting).
    fileprivate func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }

    /// `floor(log10(self))` for positive finite values, by repeated scaling (exact at powers of 10).
    fileprivate var log10Floor: Double {
        var x = self, e = 0
        while x >= 10 { x /= 10; e += 1 }
        while x < 1 { x *= 10; e -= 1 }
        return Double(e)
    }
}
