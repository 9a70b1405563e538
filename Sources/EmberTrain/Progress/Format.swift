/// Number and duration formatting for progress lines and tables, without Foundation's
/// locale-dependent formatters (so output is the same on every machine).
public enum Format {
    /// `x` with exactly `digits` decimals: `Format.fixed(0.91234, 2)` is `"0.91"`.
    public static func fixed(_ x: Double, _ digits: Int) -> String { formatFixed(x, digits: digits) }

    /// A fraction as a percentage with two decimals: `Format.percent(0.9142)` is `"91.42%"`.
    public static func percent(_ x: Double) -> String { formatFixed(x * 100, digits: 2) + "%" }

    /// Scientific notation with `digits` decimals: `Format.scientific(0.001)` is `"1.00e-03"`.
    public static func scientific(_ x: Double, _ digits: Int = 2) -> String {
        guard x.isFinite else { return formatFixed(x, digits: 0) }
        if x == 0 { return formatFixed(0, digits: digits) + "e+00" }
        var exponent = Int((abs(x)).log10Floor)
        var mantissa = x / pow10(exponent)
        if Double(formatFixed(abs(mantissa), digits: digits))! >= 10 {
            exponent += 1
            mantissa = x / pow10(exponent)
        }
        let e = abs(exponent) < 10 ? "0\(abs(exponent))" : "\(abs(exponent))"
        return formatFixed(mantissa, digits: digits) + "e" + (exponent < 0 ? "-" : "+") + e
    }

    /// A duration as `m:ss` or `h:mm:ss`: `Format.duration(75)` is `"1:15"`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?:??" }
        let s = Int(seconds.rounded())
        let h = s / 3600, m = (s % 3600) / 60, r = s % 60
        let rs = r < 10 ? "0\(r)" : "\(r)"
        if h > 0 { return "\(h):" + (m < 10 ? "0\(m)" : "\(m)") + ":" + rs }
        return "\(m):" + rs
    }

    /// An integer with thousands separators: `Format.grouped(1234567)` is `"1,234,567"`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(abs(n))
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

    private static func pow10(_ e: Int) -> Double {
        var r = 1.0
        for _ in 0..<abs(e) { r *= 10 }
        return e < 0 ? 1 / r : r
    }
}

extension Double {
    /// `floor(log10(self))` for positive finite values, by repeated scaling (exact at powers of 10).
    fileprivate var log10Floor: Double {
        var x = self, e = 0
        while x >= 10 { x /= 10; e += 1 }
        while x < 1 { x *= 10; e -= 1 }
        return Double(e)
    }
}
