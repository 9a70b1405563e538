/// What went wrong reading a dataset from disk. Every case names the file, and the message
/// says what is wrong with it and, where it helps, how to fix it (PyTorch and torchvision
/// raise `RuntimeError`/`ValueError` with less detail).
///
/// A dataset whose files are missing, truncated or corrupt throws one of these from its
/// initializer; nothing is half-loaded.
///
/// ```swift
/// do { let train = try FashionMNIST(train: true) }
/// catch { print(error) }   // "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz: no such file. Install it with: sudo apt-get install dataset-fashion-mnist"
/// ```
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No file at `path`; `hint` says how to get it.
    case fileNotFound(path: String, hint: String)
    /// The operating system refused to read the file (permissions, a directory, I/O error).
    case ioError(path: String, detail: String)
    /// The file looks gzip-compressed (or is named `.gz`) but does not decompress: a bad
    /// header, a corrupt deflate stream, a CRC or length mismatch, or a cut-off stream.
    case badGzip(path: String, detail: String)
    /// The file (after decompression) ends before the data its header declares.
    case truncated(path: String, detail: String)
    /// The content is not what the format requires: a bad magic number, wrong dimensions,
    /// bytes after the data, a value out of range.
    case badFormat(path: String, detail: String)
    /// Two files that must agree do not (e.g. 10000 images but 9999 labels).
    case countMismatch(path: String, otherPath: String, detail: String)
    /// A CSV row has the wrong number of fields, or a bad quote (`line` counts from 1).
    case badRow(path: String, line: Int, detail: String)
    /// A CSV cell cannot be parsed (`line` counts from 1; `column` is the header name or index).
    case badCell(path: String, line: Int, column: String, detail: String)
    /// A CSV column asked for by name or index does not exist.
    case columnNotFound(path: String, column: String, available: [String])
    /// A text file is not valid UTF-8, holds a token outside the vocabulary, or is too
    /// short for one window.
    case badText(path: String, detail: String)

    /// The file the error is about.
    public var path: String {
        switch self {
        case .fileNotFound(let p, _), .ioError(let p, _), .badGzip(let p, _), .truncated(let p, _),
             .badFormat(let p, _), .countMismatch(let p, _, _), .badRow(let p, _, _),
             .badCell(let p, _, _, _), .columnNotFound(let p, _, _), .badText(let p, _):
            return p
        }
    }

    /// A one-line message naming the file and the problem.
    public var description: String {
        switch self {
        case .fileNotFound(let p, let hint):
            return "\(p): no such file" + (hint.isEmpty ? "" : ". \(hint)")
        case .ioError(let p, let d):
            return "\(p): \(d)"
        case .badGzip(let p, let d):
            return "\(p): corrupt gzip file: \(d)"
        case .truncated(let p, let d):
            return "\(p): truncated: \(d)"
        case .badFormat(let p, let d):
            return "\(p): \(d)"
        case .countMismatch(let p, let q, let d):
            return "\(p) and \(q) do not match: \(d)"
        case .badRow(let p, let line, let d):
            return "\(p):\(line): \(d)"
        case .badCell(let p, let line, let column, let d):
            return "\(p):\(line): column \(column): \(d)"
        case .columnNotFound(let p, let column, let available):
            let shown = available.prefix(20).joined(separator: ", ") + (available.count > 20 ? ", ..." : "")
            return "\(p): no column \(column) (columns: \(shown))"
        case .badText(let p, let d):
            return "\(p): \(d)"
        }
    }
}
