/// How the first line(s) of a CSV file are read.
public enum CSVHeader: Sendable, Equatable {
    /// No header: every line is data; columns are named "0", "1", ...
    case none
    /// The first line names the columns (pandas' default, `header=0`).
    case names
    /// scikit-learn's bundled-data format (`sklearn/datasets/data/*.csv`): the first line is
    /// `n_samples,n_features,class names...` and the columns are unnamed, the target last.
    /// The counts are checked against the data, and the class names become `classes`.
    case sklearn
}

/// The cells of a CSV file as text, with the line each row started on, so that numeric
/// parsing can report `file:line: column name: problem` (PyTorch users reach for
/// `pandas.read_csv` or `numpy.loadtxt` here).
///
/// Quoted fields (`"a, b"`, `""` for a quote, line breaks inside quotes) follow RFC 4180;
/// `\r\n` line ends and blank lines are accepted; a `.gz` file is decompressed. With
/// `delimiter: " "`, any run of spaces and tabs separates fields (numpy's `loadtxt` default).
///
/// ```swift
/// let table = try CSVTable(path: "wine.csv", header: .sklearn)
/// table.rows.count    // 178
/// ```
public struct CSVTable: Sendable {
    /// The file read.
    public let path: String
    /// The column names: from the header line, or "0", "1", ... without one.
    public let columnNames: [String]
    /// The data rows' cells, all with `columnNames.count` fields.
    public let rows: [[String]]
    /// The 1-based line on which each row starts.
    public let lines: [Int]
    /// Class names from a `.sklearn` header, else empty.
    public let classNames: [String]

    /// The most features a scikit-learn header may declare for a file without data rows,
    /// where no row can confirm the count.
    static let maxColumnsWithoutRows = 1 << 16

    /// Reads and splits a CSV file. Every row must have as many fields as the first (or the
    /// header); a short or long row throws `DataError.badRow` naming the line.
    public init(path: String, header: CSVHeader = .names, delimiter: Character = ",", skipLines: Int = 0) throws(DataError) {
        guard let d = delimiter.asciiValue, delimiter != "\"", delimiter != "\n", delimiter != "\r" else {
            emberFailure("CSVTable", "delimiter must be one ASCII character other than a quote or line break, got \(delimiter.debugDescription)", file: #fileID, line: #line)
        }
        let bytes = try FileBytes.readMaybeGzip(path)
        var records = try CSVParser.records(bytes, delimiter: d, path: path)
        self.path = path

        // Skip lines: whole records starting on the first `skipLines` lines.
        records.removeAll { $0.line <= skipLines }
        var names: [String] = []
        var classNames: [String] = []
        var expectedRows: Int?
        switch header {
        case .none:
            break
        case .names:
            guard !records.isEmpty else { throw .badFormat(path: path, detail: "the file is empty: no header line") }
            names = records.removeFirst().fields.map { $0.trimmingWhitespace() }
        case .sklearn:
            guard !records.isEmpty else { throw .badFormat(path: path, detail: "the file is empty: no scikit-learn header line") }
            let first = records.removeFirst()
            let cells = first.fields.map { $0.trimmingWhitespace() }
            guard cells.count >= 2, let n = Int(cells[0]), let f = Int(cells[1]), n >= 0, f >= 0 else {
                throw .badRow(path: path, line: first.line,
                              detail: "expected scikit-learn's header \"n_samples,n_features,class names...\", got \"\(cells.joined(separator: ","))\"")
            }
            // The declared count is checked against the data before any names are made: a
            // corrupt count (n_features 29223372036854) must not allocate its names.
            let width = f == Int.max ? f : f + 1
            if let r = records.first(where: { $0.fields.count != width }) {
                throw .badRow(path: path, line: r.line, detail: "expected \(f) features and the target as the scikit-learn header declares, found \(r.fields.count) fields")
            }
            if records.isEmpty && f > CSVTable.maxColumnsWithoutRows {
                throw .badFormat(path: path, detail: "the scikit-learn header declares \(f) features and the file holds no data rows")
            }
            expectedRows = n
            classNames = cells.dropFirst(2).filter { !$0.isEmpty }
            names = (0..<f).map { "feature \($0)" } + ["target"]
        }
        let width = names.isEmpty ? (records.first?.fields.count ?? 0) : names.count
        if names.isEmpty { names = (0..<width).map(String.init) }
        for r in records where r.fields.count != width {
            throw .badRow(path: path, line: r.line, detail: "expected \(width) fields\(header == .none ? " (as on the first line)" : " (as in the header)"), found \(r.fields.count)")
        }
        if let expectedRows, expectedRows != records.count {
            throw .badFormat(path: path, detail: "the scikit-learn header declares \(expectedRows) samples but the file holds \(records.count) data rows")
        }
        columnNames = names
        rows = records.map(\.fields)
        lines = records.map(\.line)
        self.classNames = classNames
    }

    /// The index of `column` in `columnNames`, or a `columnNotFound` error.
    public func columnIndex(_ column: CSVColumn) throws(DataError) -> Int {
        switch column {
        case .index(let i):
            let j = i < 0 ? i + columnNames.count : i
            guard j >= 0 && j < columnNames.count else {
                throw .columnNotFound(path: path, column: "\(i)", available: columnNames.indices.map { "\($0)" })
            }
            return j
        case .name(let name):
            guard let j = columnNames.firstIndex(of: name) else {
                throw .columnNotFound(path: path, column: "\"\(name)\"", available: columnNames)
            }
            return j
        }
    }

    /// The numbers in `column` as Doubles; an empty or non-numeric cell throws `badCell`
    /// naming the line and column. `nan` and `inf` are accepted.
    public func numbers(_ column: Int) throws(DataError) -> [Double] {
        var out = [Double]()
        out.reserveCapacity(rows.count)
        for (r, row) in rows.enumerated() {
            let cell = row[column].trimmingWhitespace()
            guard let v = Double(cell) else {
                throw .badCell(path: path, line: lines[r], column: columnDescription(column),
                               detail: cell.isEmpty ? "empty cell where a number was expected" : "cannot parse \"\(cell)\" as a number")
            }
            out.append(v)
        }
        return out
    }

    /// `"petal width" (3)` or `3` for headerless files.
    func columnDescription(_ column: Int) -> String {
        columnNames[column] == "\(column)" ? "\(column)" : "\"\(columnNames[column])\" (\(column))"
    }
}

/// A column of a CSV file, by header name or by index (negative counts from the end).
///
/// ```swift
/// let target: CSVColumn = "species"   // or 4, or -1
/// ```
public enum CSVColumn: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// The column with this header name.
    case name(String)
    /// The column at this index; -1 is the last.
    case index(Int)

    /// A column by name.
    public init(stringLiteral value: String) { self = .name(value) }
    /// A column by index.
    public init(integerLiteral value: Int) { self = .index(value) }
}

/// Splits CSV bytes into records.
enum CSVParser {
    struct Record { var line: Int; var fields: [String] }

    static func records(_ bytes: [UInt8], delimiter: UInt8, path: String) throws(DataError) -> [Record] {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        let whitespaceSeparated = delimiter == space
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, recordLine = 1
        var inQuotes = false     // inside "..."
        var quoted = false       // the current field was quoted
        var closed = false       // the current field's closing quote has been seen
        var pending = false      // a field has begun (content, a quote, or a delimiter before it)

        func finishField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            quoted = false; closed = false; pending = false
        }
        func finishRecord() {
            if pending || quoted || !field.isEmpty { finishField() }
            if !fields.isEmpty { records.append(Record(line: recordLine, fields: fields)) }
            fields.removeAll()
            field.removeAll(keepingCapacity: true)
            quoted = false; closed = false; pending = false
        }

        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            i += 1
            if inQuotes {
                if b == quote {
                    if i < n && bytes[i] == quote { field.append(quote); i += 1 } else { inQuotes = false; closed = true }
                } else {
                    if b == lf { line += 1 }
                    field.append(b)
                }
                continue
            }
            if b == lf || b == cr {
                finishRecord()
                if b == cr && i < n && bytes[i] == lf { i += 1 }
                line += 1
                recordLine = line
                continue
            }
            if whitespaceSeparated && (b == space || b == tab) {
                if pending || quoted { finishField() }
                continue
            }
            if !whitespaceSeparated && b == delimiter {
                finishField()
                pending = true   // a (possibly empty) field follows
                continue
            }
            if closed {
                if b == space || b == tab { continue }
                throw .badRow(path: path, line: line, detail: "unexpected character \(String(decoding: [b], as: UTF8.self).debugDescription) after the closing quote of field \(fields.count + 1)")
            }
            if b == quote && !quoted && field.allSatisfy({ $0 == space || $0 == tab }) {
                field.removeAll(keepingCapacity: true)
                inQuotes = true; quoted = true; pending = true
                continue
            }
            field.append(b)
            pending = true
        }
        if inQuotes { throw .badRow(path: path, line: recordLine, detail: "a quoted field is not closed before the end of the file") }
        finishRecord()
        return records
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(scalars[start...end])
    }
}
