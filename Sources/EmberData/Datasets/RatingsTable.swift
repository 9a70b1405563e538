/// A ratings file in MovieLens format, read whole: one `user item rating [timestamp]` per
/// line, separated by tabs (ml-100k's `u.data`), commas (ml-latest's `ratings.csv`, with its
/// header) or `::` (ml-1m's `ratings.dat`), with or without a header line. User and item ids
/// are any text; they are numbered 0, 1, ... in order of first appearance, and `users` and
/// `items` map the numbers back (PyTorch users do this with pandas' `factorize`).
///
/// Every line is checked: a bad one throws `DataError.badRow` naming the file and line.
///
/// ```swift
/// let r = try RatingsTable(path: "ml-100k/u.data")
/// r.count                     // 100000
/// r.users[r.user[0]]          // "196"
/// ```
public struct RatingsTable: Sendable {
    /// The file read.
    public let path: String
    /// Each rating's user number, `0..<users.count`.
    public let user: [Int]
    /// Each rating's item number, `0..<items.count`.
    public let item: [Int]
    /// Each rating's value.
    public let rating: [Double]
    /// Each rating's timestamp, when every line has one.
    public let timestamp: [Int64]?
    /// The 1-based line of each rating.
    public let lines: [Int]
    /// User ids as the file writes them, by number.
    public let users: [String]
    /// Item ids as the file writes them, by number.
    public let items: [String]

    /// The most ratings a file may hold (far beyond MovieLens 25M; keeps every count in range).
    public static let maxRatings = 1 << 28

    /// Reads `path` (optionally `.gz`).
    public init(path: String) throws(DataError) {
        let bytes = try FileBytes.readMaybeGzip(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .badText(path: path, detail: "not valid UTF-8 (first bad byte at offset \(TextDataset.firstInvalidUTF8(bytes)))")
        }
        try self.init(text: text, path: path)
    }

    /// Reads ratings from `text`; `path` names it in errors.
    public init(text: String, path: String) throws(DataError) {
        var user: [Int] = [], item: [Int] = [], rating: [Double] = [], stamps: [Int64] = [], lines: [Int] = []
        var userIds: [String: Int] = [:], itemIds: [String: Int] = [:]
        var users: [String] = [], items: [String] = []
        var allStamped = true
        var lineNumber = 0
        for raw in Self.lines(of: text) {
            lineNumber += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields: [Substring]
            if line.contains("\t") {
                fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            } else if line.contains("::") {
                fields = line.split(separator: "::", omittingEmptySubsequences: false)
            } else {
                fields = line.split(separator: ",", omittingEmptySubsequences: false)
            }
            let f = fields.map { String($0).trimmingWhitespace() }
            guard f.count == 3 || f.count == 4 else {
                throw .badRow(path: path, line: lineNumber, detail: "expected 'user item rating [timestamp]' separated by tabs, commas or '::', found \(f.count) fields")
            }
            guard let value = Double(f[2]) else {
                if rating.isEmpty && lines.isEmpty && lineNumber == Self.firstContentLine(text) { continue }   // a header line
                throw .badRow(path: path, line: lineNumber, detail: "cannot parse the rating \"\(f[2])\" as a number")
            }
            guard value.isFinite else { throw .badRow(path: path, line: lineNumber, detail: "the rating \(f[2]) is not finite") }
            guard !f[0].isEmpty, !f[1].isEmpty else { throw .badRow(path: path, line: lineNumber, detail: "empty user or item id") }
            if f.count == 4 {
                guard let t = Int64(f[3]) else {
                    throw .badRow(path: path, line: lineNumber, detail: "cannot parse the timestamp \"\(f[3])\" as an integer")
                }
                stamps.append(t)
            } else {
                allStamped = false
            }
            guard rating.count < Self.maxRatings else {
                throw .badFormat(path: path, detail: "holds more than \(Self.maxRatings) ratings")
            }
            if userIds[f[0]] == nil { userIds[f[0]] = users.count; users.append(f[0]) }
            if itemIds[f[1]] == nil { itemIds[f[1]] = items.count; items.append(f[1]) }
            user.append(userIds[f[0]]!)
            item.append(itemIds[f[1]]!)
            rating.append(value)
            lines.append(lineNumber)
        }
        if rating.isEmpty { throw .badFormat(path: path, detail: "no ratings") }
        self.path = path
        self.user = user
        self.item = item
        self.rating = rating
        self.timestamp = allStamped ? stamps : nil
        self.lines = lines
        self.users = users
        self.items = items
    }

    /// The number of ratings.
    public var count: Int { rating.count }

    /// The lines of `text`, split at `\n` and at `\r\n` (one Character in Swift, so splitting
    /// at `"\n"` alone would leave a CRLF file as one line).
    private static func lines(of text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    /// The line number of the first line that is not blank.
    private static func firstContentLine(_ text: String) -> Int {
        var n = 0
        for raw in Self.lines(of: text) {
            n += 1
            if !raw.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { return n }
        }
        return n
    }
}
