/// A line chart of per-epoch values as a standalone SVG file (what a training script draws
/// with matplotlib's `plt.plot(history["loss"])`).
///
/// ```swift
/// let chart = LineChart(title: "Loss", xLabel: "epoch", yLabel: "loss",
///                       series: [.init(name: "train", values: [0.9, 0.5, 0.4]),
///                                .init(name: "val", values: [0.7, 0.5, 0.45])])
/// try FileIO.writeAtomically(chart.svg, to: "runs/a/loss.svg")
/// ```
public struct LineChart: Sendable {
    /// One line: a name for the legend and a value per epoch (x = 1, 2, ...); nil leaves a gap.
    public struct Series: Sendable {
        /// The legend entry.
        public var name: String
        /// One value per x position, starting at x = 1.
        public var values: [Double?]
        /// Creates a series.
        public init(name: String, values: [Double?]) {
            self.name = name
            self.values = values
        }
    }

    /// The heading above the plot.
    public var title: String
    /// The x-axis label.
    public var xLabel: String
    /// The y-axis label.
    public var yLabel: String
    /// The lines, drawn in order with a fixed palette.
    public var series: [Series]
    /// Formats y tick labels (default: 3 significant decimals).
    public var yFormat: @Sendable (Double) -> String

    /// A chart; `yFormat` formats the y ticks.
    public init(title: String, xLabel: String, yLabel: String, series: [Series],
                yFormat: @escaping @Sendable (Double) -> String = { Format.fixed($0, 3) }) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
        self.yFormat = yFormat
    }

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]

    /// The chart as an SVG document.
    public var svg: String {
        let width = 640.0, height = 400.0
        let left = 70.0, right = 120.0, top = 40.0, bottom = 50.0
        let plotW = width - left - right, plotH = height - top - bottom
        var doc = SVGDocument(width: width, height: height)
        doc.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        doc.text(title, x: width / 2, y: 24, size: 16, anchor: "middle", weight: "bold")

        let count = series.map(\.values.count).max() ?? 0
        // Non-finite values leave gaps; huge ones are drawn at ±1e300, so the range stays finite.
        let all = series.flatMap { $0.values.compactMap { $0 }.filter(\.isFinite) }.map(Self.clamp)
        var lo = all.min() ?? 0, hi = all.max() ?? 1
        // A flat line gets a band around it, wide enough to be more than rounding at its magnitude.
        let minSpan = max(1e-12, max(abs(lo), abs(hi)) * 1e-9)
        if hi - lo < minSpan {
            let pad = max(0.5, max(abs(lo), abs(hi)) * 1e-3)
            (lo, hi) = (lo - pad, hi + pad)
        }
        let (ticks, tlo, thi) = Self.niceTicks(lo, hi)
        lo = tlo
        hi = thi
        let xMax = Double(max(count, 2))
        func px(_ i: Int) -> Double { left + (Double(i + 1) - 1) / (xMax - 1) * plotW }
        func py(_ v: Double) -> Double { top + (1 - (v - lo) / (hi - lo)) * plotH }

        for t in ticks {
            let y = py(t)
            doc.line(x1: left, y1: y, x2: left + plotW, y2: y, stroke: "#e5e5e5")
            doc.text(yFormat(t), x: left - 6, y: y + 4, size: 11, anchor: "end", fill: "#555")
        }
        let step = max(1, Int((Double(count) / 10).rounded(.up)))
        for i in stride(from: 0, to: max(count, 1), by: step) {
            let x = px(i)
            doc.line(x1: x, y1: top + plotH, x2: x, y2: top + plotH + 4, stroke: "#555")
            doc.text("\(i + 1)", x: x, y: top + plotH + 18, size: 11, anchor: "middle", fill: "#555")
        }
        doc.line(x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, stroke: "#555")
        doc.line(x1: left, y1: top, x2: left, y2: top + plotH, stroke: "#555")
        doc.text(xLabel, x: left + plotW / 2, y: height - 10, size: 12, anchor: "middle")
        doc.text(yLabel, x: 18, y: top + plotH / 2, size: 12, anchor: "middle", rotate: -90)

        for (k, s) in series.enumerated() {
            let color = Self.palette[k % Self.palette.count]
            var run: [(Double, Double)] = []
            func flush() {
                if run.count > 1 { doc.polyline(run, stroke: color) }
                run.removeAll()
            }
            for (i, v) in s.values.enumerated() {
                guard let v, v.isFinite else { flush(); continue }
                run.append((px(i), py(Self.clamp(v))))
                doc.circle(x: px(i), y: py(Self.clamp(v)), r: 3, fill: color)
            }
            flush()
            // The legend sits right of the plot, where no line can cover it.
            let ly = top + 8 + Double(k) * 18
            doc.line(x1: left + plotW + 12, y1: ly, x2: left + plotW + 32, y2: ly, stroke: color, width: 3)
            doc.text(s.name, x: left + plotW + 38, y: ly + 4, size: 12)
        }
        return doc.rendered
    }

    /// `v` limited to ±1e300, so that differences of plotted values stay finite.
    static func clamp(_ v: Double) -> Double { min(max(v, -1e300), 1e300) }

    /// About five round tick values covering `lo...hi`, and the covered range. A range that
    /// is empty, reversed or not finite gets the ticks of `0...1`.
    static func niceTicks(_ lo: Double, _ hi: Double) -> ([Double], Double, Double) {
        let raw = (hi - lo) / 5
        guard raw.isFinite, raw > 0, lo.isFinite, hi.isFinite else { return niceTicks(0, 1) }
        var mag = 1.0
        while mag * 10 <= raw { mag *= 10 }
        while mag > raw { mag /= 10 }
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        let start = (lo / step).rounded(.down) * step
        let end = (hi / step).rounded(.up) * step
        var ticks: [Double] = []
        // Counted, not accumulated: `start + k × step` cannot stall where `t += step` would
        // be lost to rounding.
        var k = 0.0
        while ticks.count < 50 {
            let t = start + k * step
            if t > end + step * 1e-9 { break }
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            k += 1
        }
        guard ticks.count >= 2, start < end else { return niceTicks(0, 1) }
        return (ticks, start, end)
    }
}
