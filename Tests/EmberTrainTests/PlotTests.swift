import Testing
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import EmberTrain

/// Parses `svg` as XML; returns the parser's error, or nil when well-formed.
func xmlError(_ svg: String) -> String? {
    let parser = XMLParser(data: Data(svg.utf8))
    return parser.parse() ? nil : "\(parser.parserError.map { "\($0)" } ?? "unknown error")"
}

@Suite struct PlotTests {
    @Test func lineChartIsWellFormedXML() {
        let chart = LineChart(title: "Loss <train & \"val\">", xLabel: "epoch", yLabel: "loss", series: [
            .init(name: "train", values: [0.9, 0.5, 0.4, .nan]),
            .init(name: "val's", values: [nil, 0.6, 0.45, 0.44]),
        ])
        let svg = chart.svg
        #expect(xmlError(svg) == nil)
        #expect(svg.contains("&lt;train &amp; &quot;val&quot;&gt;"))
        #expect(svg.contains("<polyline"))
        #expect(!svg.contains("nan"))
    }

    @Test func degenerateChartsStillRender() {
        #expect(xmlError(LineChart(title: "one", xLabel: "x", yLabel: "y", series: [.init(name: "a", values: [1])]).svg) == nil)
        #expect(xmlError(LineChart(title: "none", xLabel: "x", yLabel: "y", series: []).svg) == nil)
        #expect(xmlError(LineChart(title: "flat", xLabel: "x", yLabel: "y", series: [.init(name: "a", values: [2, 2, 2])]).svg) == nil)
    }

    /// Issue 17: huge, infinite and NaN values (a diverged loss) must not trap or hang.
    @Test func extremeValuesStillRender() {
        let cases: [[Double?]] = [
            [0.5, 1e20, 3e38], [.nan, .nan, .nan], [.infinity, -.infinity], [.greatestFiniteMagnitude, -.greatestFiniteMagnitude],
            [1e300, 1e300], [1e17, 1e17 + 64], [.leastNonzeroMagnitude, 0], [nil, .nan, 2],
        ]
        for values in cases {
            let chart = LineChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", values: values), .init(name: "b", values: [.nan])])
            let svg = chart.svg
            #expect(xmlError(svg) == nil, "\(values)")
            #expect(!svg.contains("nan\"") && !svg.contains("\"inf"), "\(values)")
        }
        let svg = LineChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", values: [1, 2e20])]).svg
        #expect(svg.contains("e+20"))
        for (lo, hi) in [(-1e308, 1e308), (1e300, 1e300), (0, 0), (.nan, 1), (1, -1), (-.infinity, .infinity)] {
            let (ticks, tlo, thi) = LineChart.niceTicks(lo, hi)
            #expect(ticks.count >= 2 && ticks.count <= 50 && tlo < thi, "\(lo)...\(hi)")
        }
    }

    @Test func confusionMatrixHeatMap() {
        var cm = ConfusionMatrix(numClasses: 3)
        cm.add(actual: [0, 1, 2, 2], predicted: [0, 2, 2, 1])
        let svg = cm.svg(classNames: ["T-shirt/top", "Bag & <shoe>", "x"])
        #expect(xmlError(svg) == nil)
        #expect(svg.contains("Bag &amp; &lt;shoe&gt;"))
        #expect(svg.components(separatedBy: "<rect").count - 1 == 1 + 9)
    }

    @Test func niceTicksCoverTheRange() {
        let (ticks, lo, hi) = LineChart.niceTicks(0.23, 0.91)
        #expect(lo <= 0.23 && hi >= 0.91)
        #expect(ticks.count >= 3 && ticks.count <= 12)
    }

    @Test func python3AgreesTheFilesAreXML() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return }
        let dir = try temporaryDirectory()
        var cm = ConfusionMatrix(numClasses: 10)
        cm.add(actual: Array(0..<10), predicted: Array((0..<10).reversed()))
        try FileIO.writeAtomically(cm.svg(), to: dir + "/confusion.svg")
        try FileIO.writeAtomically(LineChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", values: [3, 1, 2])]).svg,
                                   to: dir + "/loss.svg")
        let result = try runProcess("/usr/bin/python3", ["-c", "import sys, xml.etree.ElementTree as E\nfor p in sys.argv[1:]: E.parse(p)",
                                                         dir + "/confusion.svg", dir + "/loss.svg"])
        #expect(result.status == 0, "\(result.stderr)")
    }
}
