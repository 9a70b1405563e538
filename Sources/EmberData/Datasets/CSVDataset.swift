/// How a CSV dataset reads its target column.
public enum CSVTarget: Sendable, Equatable {
    /// Integer class indices (e.g. `0`, `1`, `2`), as int64.
    case classIndex
    /// Real values for regression, as float32.
    case regression
    /// Text labels (e.g. `setosa`), numbered 0, 1, ... in sorted order of the distinct
    /// labels (scikit-learn's `LabelEncoder`); `classes` lists them.
    case categorical
}

/// Rows of a CSV file as `(features, target)` samples: features a float32 tensor `[F]`
/// from the chosen columns, target a 0-d tensor (int64 class index or float32 value).
/// Batches are `([B, F] float32, [B] int64 or float32)` (PyTorch users build this with
/// pandas and `TensorDataset`).
///
/// Every cell is checked when the file is read: a bad one throws `DataError.badCell`
/// naming the file, line and column.
///
/// ```swift
/// // scikit-learn's iris.csv: first line "150,4,setosa,versicolor,virginica", target last.
/// let iris = try CSVDataset(path: "iris.csv", header: .sklearn)
/// let (x, y) = iris[0]        // [5.1, 3.5, 1.4, 0.2], 0
/// iris.classes                // ["setosa", "versicolor", "virginica"]
///
/// let wine = try CSVDataset(path: "wine.csv", features: ["alcohol", "ash"], target: "quality", targetKind: .regression)
/// ```
public struct CSVDataset: BatchedDataset {
    /// The file read.
    public let path: String
    /// Every row's features, float32 `[N, F]`.
    public let features: Tensor
    /// Every row's target: int64 `[N]` for class indices, float32 `[N]` for regression.
    public let targets: Tensor
    /// The names of the feature columns, in order.
    public let featureNames: [String]
    /// The name of the target column.
    public let targetName: String
    /// Class names: the distinct labels for `.categorical`, the header's for `.sklearn`, else empty.
    public let classes: [String]
    /// The 1-based line of the file each row starts on, for messages about a row.
    public let lines: [Int]
    /// The target column as the file names it (its header name, or its index without a header).
    public let targetColumn: String

    /// Reads `path` (optionally `.gz`). `features` defaults to every column but the target;
    /// `target` defaults to the last column. Columns are picked by header name or index.
    public init(path: String, features: [CSVColumn]? = nil, target: CSVColumn = -1, targetKind: CSVTarget = .classIndex,
                header: CSVHeader = .names, delimiter: Character = ",", skipLines: Int = 0) throws(DataError) {
        let table = try CSVTable(path: path, header: header, delimiter: delimiter, skipLines: skipLines)
        let t = try table.columnIndex(target)
        let f: [Int]
        if let features {
            var picked: [Int] = []
            for c in features { picked.append(try table.columnIndex(c)) }
            f = picked
        } else {
            f = table.columnNames.indices.filter { $0 != t }
        }
        if table.rows.isEmpty { throw .badFormat(path: path, detail: "no data rows") }

        // Features, column by column into a row-major [N, F] buffer.
        let n = table.rows.count
        var x = [Float](repeating: 0, count: n * f.count)
        for (k, c) in f.enumerated() {
            let column = try table.numbers(c)
            for r in 0..<n { x[r * f.count + k] = Float(column[r]) }
        }

        var classes: [String] = []
        let y: Tensor
        switch targetKind {
        case .regression:
            y = Tensor(try table.numbers(t).map { Float($0) }, dtype: .float32)
        case .classIndex:
            var labels: [Int64] = []
            labels.reserveCapacity(n)
            for (r, row) in table.rows.enumerated() {
                let cell = row[t].trimmingWhitespace()
                guard let v = Int64(cell) ?? Double(cell).flatMap({ $0 == $0.rounded() ? Int64(exactly: $0) : nil }) else {
                    throw .badCell(path: path, line: table.lines[r], column: table.columnDescription(t),
                                   detail: cell.isEmpty ? "empty cell where a class index was expected"
                                       : "cannot parse \"\(cell)\" as an integer class index (use targetKind: .categorical for text labels, .regression for real values)")
                }
                if !table.classNames.isEmpty && (v < 0 || v >= Int64(table.classNames.count)) {
                    throw .badCell(path: path, line: table.lines[r], column: table.columnDescription(t),
                                   detail: "class index \(v) is outside the \(table.classNames.count) classes the header names")
                }
                labels.append(v)
            }
            y = Tensor(labels, dtype: .int64)
            classes = table.classNames
        case .categorical:
            let cells = table.rows.map { $0[t].trimmingWhitespace() }
            if let r = cells.firstIndex(of: "") {
                throw .badCell(path: path, line: table.lines[r], column: table.columnDescription(t), detail: "empty cell where a label was expected")
            }
            classes = Array(Set(cells)).sorted()
            let ids = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Int64($0)) })
            y = Tensor(cells.map { ids[$0]! }, dtype: .int64)
        }

        self.path = path
        self.features = Tensor(x, shape: [n, f.count], dtype: .float32)
        self.targets = y
        self.featureNames = f.map { table.columnNames[$0] }
        self.targetName = table.columnNames[t]
        self.classes = classes
        self.lines = table.lines
        self.targetColumn = table.columnDescription(t)
    }

    /// The number of data rows.
    public var count: Int { features.shape[0] }

    /// Row `index`: features `[F]` and a 0-d target, views into `features` and `targets`.
    public subscript(index: Int) -> (Tensor, Tensor) {
        dataCheck(index >= 0 && index < count, "CSVDataset", "index \(index) is out of range for a dataset of \(count) rows", file: #fileID, line: #line)
        return (features.select(0, index), targets.select(0, index))
    }

    /// The rows at `indices`, gathered with `indexSelect`.
    public func batch(at indices: [Int]) -> (Tensor, Tensor) {
        TensorDataset(features, targets).batch(at: indices)
    }
}
