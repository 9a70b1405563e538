/// A minimal SVG document builder: shapes and text appended as elements, attribute values
/// and text escaped, so the output is always well-formed XML.
struct SVGDocument {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// XML-escapes `s` for text and attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 forbids most control characters.
                if let a = ch.asciiValue, a < 0x20, a != 0x09, a != 0x0A, a != 0x0D { out += "?" } else { out.append(ch) }
            }
        }
        return out
    }

    /// A number as an SVG coordinate: two decimals at most, never `nan`, and within ±1e9 (a
    /// point that far off the page is off it anyway).
    static func num(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let s = formatFixed(min(max(x, -1e9), 1e9), digits: 2)
        var t = Substring(s)
        if t.contains(".") {
            while t.hasSuffix("0") { t = t.dropLast() }
            if t.hasSuffix(".") { t = t.dropLast() }
        }
        return t == "-0" ? "0" : String(t)
    }

    mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) {
        let attrs = attributes.map { " \($0.0)=\"\(Self.escape($0.1))\"" }.joined()
        if let text {
            body.append("<\(name)\(attrs)>\(Self.escape(text))</\(name)>")
        } else {
            body.append("<\(name)\(attrs)/>")
        }
    }

    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil) {
        var a = [("x", Self.num(x)), ("y", Self.num(y)), ("width", Self.num(width)), ("height", Self.num(height)), ("fill", fill)]
        if let stroke { a.append(("stroke", stroke)) }
        element("rect", a)
    }

    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil) {
        var a = [("x1", Self.num(x1)), ("y1", Self.num(y1)), ("x2", Self.num(x2)), ("y2", Self.num(y2)),
                 ("stroke", stroke), ("stroke-width", Self.num(width))]
        if let dash { a.append(("stroke-dasharray", dash)) }
        element("line", a)
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2) {
        let p = points.map { "\(Self.num($0.0)),\(Self.num($0.1))" }.joined(separator: " ")
        element("polyline", [("points", p), ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.num(width)),
                             ("stroke-linejoin", "round")])
    }

    mutating func circle(x: Double, y: Double, r: Double, fill: String) {
        element("circle", [("cx", Self.num(x)), ("cy", Self.num(y)), ("r", Self.num(r)), ("fill", fill)])
    }

    mutating func text(_ s: String, x: Double, y: Double, size: Double = 12, anchor: String = "start", fill: String = "#222",
                       weight: String = "normal", rotate: Double? = nil) {
        var a = [("x", Self.num(x)), ("y", Self.num(y)), ("font-size", Self.num(size)), ("text-anchor", anchor),
                 ("fill", fill), ("font-weight", weight)]
        if let rotate { a.append(("transform", "rotate(\(Self.num(rotate)) \(Self.num(x)) \(Self.num(y)))")) }
        element("text", a, text: s)
    }

    /// The finished document.
    var rendered: String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            + "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.num(width))\" height=\"\(Self.num(height))\" "
            + "viewBox=\"0 0 \(Self.num(width)) \(Self.num(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n"
            + body.joined(separator: "\n") + "\n</svg>\n"
    }
}
