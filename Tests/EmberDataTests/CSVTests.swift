import EmberTestSupport
import Foundation
import Testing
@testable import EmberData

@Suite struct CSVTests {
    /// scikit-learn's iris.csv, copied into Tests/Fixtures/data.
    static let iris = fixturesDirectory() + "/data/iris.csv"
    static let sklearnData = "/usr/lib/python3/dist-packages/sklearn/datasets/data"
    static var sklearnInstalled: Bool { FileManager.default.fileExists(atPath: sklearnData + "/wine_data.csv") }

    @Test func irisWithTheSklearnHeader() throws {
        let iris = try CSVDataset(path: Self.iris, header: .sklearn)
        #expect(iris.count == 150)
        #expect(iris.classes == ["setosa", "versicolor", "virginica"])
        #expect(iris.features.shape == [150, 4] && iris.features.dtype == .float32)
        #expect(iris.targets.dtype == .int64)
        let (x, y) = iris[0]
        #expect(x.toArray() == [5.1, 3.5, 1.4, 0.2] && y.item() == 0)
        #expect(iris[149].0.toArray() == [5.9, 3.0, 5.1, 1.8] && iris[149].1.item() == 2)
        let counts = ints(iris.targets).reduce(into: [0, 0, 0]) { $0[$1] += 1 }
        #expect(counts == [50, 50, 50])
        // Column sums (Python's csv module + float).
        let sums = (0..<4).map { c in iris.features.select(1, c).toArray(as: Double.self).reduce(0, +) }
        for (s, e) in zip(sums, [876.5, 458.6, 563.7, 179.9]) { #expect(abs(s - e) < 1e-3) }
        // Batches through the loader, split 70/30 like PyTorch.
        let parts = randomSplit(iris, lengths: [0.7, 0.3], generator: Generator(seed: 0))
        #expect(parts.map(\.count) == [105, 45])
        let batches = Array(DataLoader(parts[0], batchSize: 32, shuffle: true, generator: Generator(seed: 1)))
        #expect(batches.map { $0.0.shape } == [[32, 4], [32, 4], [32, 4], [9, 4]])
        #expect(batches[0].1.shape == [32] && batches[0].1.dtype == .int64)
    }

    @Test func pickingColumnsByIndexAndSkippingTheFirstLine() throws {
        // Skip sklearn's line and read headerless: columns are named by index.
        let petals = try CSVDataset(path: Self.iris, features: [2, 3], target: 4, header: .none, skipLines: 1)
        #expect(petals.count == 150 && petals.featureNames == ["2", "3"] && petals.targetName == "4")
        #expect(petals[0].0.toArray() == [1.4, 0.2])
        // Sepal length as a regression target from the other three.
        let reg = try CSVDataset(path: Self.iris, features: [1, 2, 3], target: 0, targetKind: .regression, header: .sklearn)
        #expect(reg.targets.dtype == .float32 && reg[0].1.item(as: Float.self) == 5.1)
    }

    @Test func namedColumnsQuotesAndCategories() throws {
        let csv = [
            #""sepal length","sepal width",species,"note""#,
            #"5.1,3.5,setosa,"plain""#,
            #"7.0, 3.2 ,versicolor,"with, comma""#,
            #"6.3,3.3,virginica,"say ""hi""""#,
            #"4.9,3.0,setosa,"multi"#,
            #"line""#,
            "",
        ].joined(separator: "\n")
        try withFile("flowers.csv", Array(csv.utf8)) { path in
            let d = try CSVDataset(path: path, features: ["sepal width", "sepal length"], target: "species", targetKind: .categorical)
            #expect(d.count == 4)
            #expect(d.classes == ["setosa", "versicolor", "virginica"])
            #expect(ints(d.targets) == [0, 1, 2, 0])
            #expect(d[1].0.toArray() == [3.2, 7.0])
            let table = try CSVTable(path: path)
            #expect(table.columnNames == ["sepal length", "sepal width", "species", "note"])
            #expect(table.rows.map { $0[3] } == ["plain", "with, comma", "say \"hi\"", "multi\nline"])
            #expect(table.lines == [2, 3, 4, 5])
        }
    }

    @Test func crlfBlankLinesTabsAndWhitespaceSeparation() throws {
        try withFile("a.csv", Array("x\ty\r\n1\t2\r\n\r\n3\t4\r\n".utf8)) { path in
            let d = try CSVDataset(path: path, delimiter: "\t")
            #expect(d.features.toArray() == [1, 3] && ints(d.targets) == [2, 4])
        }
        // numpy.loadtxt style: runs of spaces, leading spaces, no header (sklearn's diabetes files).
        try withFile("b.txt", Array("  1.5   2 3\n4 5.25  6  \n".utf8)) { path in
            let d = try CSVDataset(path: path, targetKind: .regression, header: .none, delimiter: " ")
            #expect(d.features.toArray() == [1.5, 2, 4, 5.25] && d.targets.toArray() == [3, 6])
        }
    }

    @Test func gzippedCSV() throws {
        try withFile("iris.csv.gz", gzipped(fileBytes(Self.iris))) { path in
            let d = try CSVDataset(path: path, header: .sklearn)
            #expect(d.count == 150)
        }
    }

    @Test func badCellNamesFileLineAndColumn() throws {
        try withFile("bad.csv", Array("a,b,label\n1,2,0\n3,oops,1\n".utf8)) { path in
            let e = try #require(dataError { try CSVDataset(path: path) })
            #expect(e == .badCell(path: path, line: 3, column: "\"b\" (1)", detail: "cannot parse \"oops\" as a number"))
            #expect(e.description == "\(path):3: column \"b\" (1): cannot parse \"oops\" as a number")
        }
        try withFile("empty-cell.csv", Array("1,2,0\n3,,1\n".utf8)) { path in
            let e = try #require(dataError { try CSVDataset(path: path, header: .none) })
            #expect(e.description == "\(path):2: column 1: empty cell where a number was expected")
        }
        try withFile("label.csv", Array("a,y\n1,0\n2,cat\n".utf8)) { path in
            let e = try #require(dataError { try CSVDataset(path: path) })
            #expect(e.description.hasPrefix("\(path):3: column \"y\" (1): cannot parse \"cat\" as an integer class index"))
        }
    }

    @Test func rowsWithTheWrongNumberOfFields() throws {
        try withFile("ragged.csv", Array("a,b,c\n1,2,3\n4,5\n".utf8)) { path in
            let e = try #require(dataError { try CSVDataset(path: path) })
            #expect(e == .badRow(path: path, line: 3, detail: "expected 3 fields (as in the header), found 2"))
        }
        try withFile("quote.csv", Array("a,b\n1,\"2\n".utf8)) { path in
            let e = try #require(dataError { try CSVTable(path: path) })
            #expect(e.description.contains("quoted field is not closed"))
        }
        try withFile("after-quote.csv", Array("a,b\n1,\"2\"x\n".utf8)) { path in
            let e = try #require(dataError { try CSVTable(path: path) })
            #expect(e.description.contains(":2: unexpected character \"x\" after the closing quote of field 2"))
        }
    }

    @Test func sklearnHeaderIsChecked() throws {
        try withFile("short.csv", Array("3,2,a,b\n1,2,0\n3,4,1\n".utf8)) { path in
            let e = try #require(dataError { try CSVDataset(path: path, header: .sklearn) })
            #expect(e.description.contains("declares 3 samples but the file holds 2 data rows"))
        }
        try withFile("class.csv", Array("2,2,a,b\n1,2,0\n3,4,2\n".utf8)) { path in
            let e = try #require(dataError { try CSVDataset(path: path, header: .sklearn) })
            #expect(e.description.contains(":3: column \"target\" (2): class index 2 is outside the 2 classes"))
        }
        // A corrupt feature count is refused before it sizes anything (found by fuzzing: it
        // asked for 29 trillion column names).
        try withFile("features.csv", Array("2,29223372036854\r\n775807\n".utf8)) { path in
            let e = try #require(dataError { try CSVDataset(path: path, header: .sklearn) })
            #expect(e.description.contains(":2: expected 29223372036854 features and the target as the scikit-learn header declares, found 1 fields"))
        }
        try withFile("norows.csv", Array("0,9223372036854775807\n".utf8)) { path in
            let e = try #require(dataError { try CSVTable(path: path, header: .sklearn) })
            #expect(e.description.contains("declares 9223372036854775807 features and the file holds no data rows"))
        }
        try withFile("noheader.csv", Array("x,y\n1,2\n".utf8)) { path in
            let e = try #require(dataError { try CSVDataset(path: path, header: .sklearn) })
            #expect(e.description.contains("expected scikit-learn's header"))
        }
    }

    @Test func missingColumnsAndFiles() throws {
        let e = try #require(dataError { try CSVDataset(path: Self.iris, target: "species", header: .sklearn) })
        #expect(e.description.contains("no column \"species\" (columns: feature 0, feature 1, feature 2, feature 3, target)"))
        let f = try #require(dataError { try CSVDataset(path: Self.iris, target: 7, header: .sklearn) })
        #expect(f.description.contains("no column 7"))
        let g = try #require(dataError { try CSVDataset(path: "/nonexistent/x.csv") })
        #expect(g == .fileNotFound(path: "/nonexistent/x.csv", hint: ""))
        try withFile("empty.csv", []) { path in
            let e = try #require(dataError { try CSVDataset(path: path) })
            #expect(e.description.contains("empty"))
        }
    }

    // The real CSVs Debian's python3-sklearn ships, when it is installed (CI does not install it).

    @Test(.enabled(if: sklearnInstalled, "python3-sklearn is not installed"))
    func sklearnWineAndBreastCancer() throws {
        let wine = try CSVDataset(path: Self.sklearnData + "/wine_data.csv", header: .sklearn)
        #expect(wine.count == 178 && wine.features.shape == [178, 13] && wine.classes == ["class_0", "class_1", "class_2"])
        #expect(ints(wine.targets).reduce(into: [0, 0, 0]) { $0[$1] += 1 } == [59, 71, 48])
        let cancer = try CSVDataset(path: Self.sklearnData + "/breast_cancer.csv", header: .sklearn)
        #expect(cancer.count == 569 && cancer.features.shape == [569, 30] && cancer.classes == ["malignant", "benign"])
        let installedIris = try CSVDataset(path: Self.sklearnData + "/iris.csv", header: .sklearn)
        #expect(identical(installedIris.features, try CSVDataset(path: Self.iris, header: .sklearn).features))
    }

    @Test(.enabled(if: sklearnInstalled, "python3-sklearn is not installed"))
    func sklearnDiabetesSpaceSeparatedGzip() throws {
        let x = try CSVTable(path: Self.sklearnData + "/diabetes_data_raw.csv.gz", header: .none, delimiter: " ")
        let y = try CSVTable(path: Self.sklearnData + "/diabetes_target.csv.gz", header: .none, delimiter: " ")
        #expect(x.rows.count == 442 && x.columnNames.count == 10 && y.rows.count == 442)
        let features = Tensor(try (0..<10).map { try x.numbers($0) }.flatMap { $0 }, shape: [10, 442]).T.contiguous()
        let data = TensorDataset(features, Tensor(try y.numbers(0), dtype: .float32))
        #expect(data[0].0.toArray()[0] == 59 && data[0].1.item() == 151)
    }
}
