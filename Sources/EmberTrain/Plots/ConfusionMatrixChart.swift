extension ConfusionMatrix {
    /// The matrix as an SVG heat map: one cell per (true, predicted) pair, shaded by the
    /// fraction of its row (recall), with the count written in it (scikit-learn:
    /// `ConfusionMatrixDisplay`).
    ///
    /// ```swift
    /// try FileIO.writeAtomically(cm.svg(classNames: FashionMNIST.classes), to: "runs/a/confusion.svg")
    /// ```
    public func svg(classNames: [String]? = nil, title: String = "Confusion matrix") -> String {
        let n = numClasses
        let names = (0..<n).map { c in classNames.flatMap { c < $0.count ? $0[c] : nil } ?? "\(c)" }
        let cell = n <= 10 ? 48.0 : max(14, 480 / Double(n))
        let labelWidth = min(160, 14 + 7 * Double(names.map(\.count).max() ?? 1))
        let left = labelWidth + 30, top = 50.0
        let width = left + cell * Double(n) + 20
        let height = top + cell * Double(n) + labelWidth + 30
        var doc = SVGDocument(width: width, height: height)
        doc.rect(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
        doc.text(title + " (accuracy \(Format.percent(accuracy)))", x: width / 2, y: 26, size: 15, anchor: "middle", weight: "bold")
        for a in 0..<n {
            let rowTotal = max(support(a), 1)
            for p in 0..<n {
                let v = self[a, p]
                let f = Double(v) / Double(rowTotal)
                // White to dark blue.
                let r = Int(247 - f * (247 - 8)), g = Int(251 - f * (251 - 48)), b = Int(255 - f * (255 - 107))
                let fill = "rgb(\(r),\(g),\(b))"
                let x = left + Double(p) * cell, y = top + Double(a) * cell
                doc.rect(x: x, y: y, width: cell, height: cell, fill: fill, stroke: "#ffffff")
                if cell >= 24 {
                    doc.text("\(v)", x: x + cell / 2, y: y + cell / 2 + 4, size: min(12, cell / 3.5), anchor: "middle",
                             fill: f > 0.5 ? "#ffffff" : "#222")
                }
            }
            doc.text(names[a], x: left - 6, y: top + Double(a) * cell + cell / 2 + 4, size: 11, anchor: "end")
        }
        for p in 0..<n {
            let x = left + Double(p) * cell + cell / 2 + 4, y = top + cell * Double(n) + 8
            doc.text(names[p], x: x, y: y, size: 11, anchor: "end", rotate: -60)
        }
        doc.text("true", x: 14, y: top + cell * Double(n) / 2, size: 12, anchor: "middle", rotate: -90)
        doc.text("predicted", x: left + cell * Double(n) / 2, y: height - 8, size: 12, anchor: "middle")
        return doc.rendered
    }
}
