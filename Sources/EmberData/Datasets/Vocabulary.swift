/// A token ↔ index table for language modelling, at the level of characters (Unicode
/// scalars, as Python's `str` iterates) or whitespace-separated words (PyTorch examples:
/// minGPT's `CharDataset` vocabulary, `word_language_model`'s `Dictionary`).
///
/// - Character level: the distinct characters of the text in sorted order (minGPT's
///   `sorted(set(data))`).
/// - Word level: `line.split() + ["<eos>"]` for each line, indices in order of first
///   appearance (`word_language_model/data.py`).
///
/// ```swift
/// let vocab = Vocabulary(text: "hello world", level: .character)
/// vocab.encode("hello")              // [3, 2, 4, 4, 5]
/// vocab.decode(vocab.encode("low"))  // "low"
/// ```
public struct Vocabulary: Sendable, Equatable {
    /// What one token is.
    public enum Level: Sendable, Equatable {
        /// One Unicode scalar per token.
        case character
        /// Whitespace-separated words, with `<eos>` at the end of each line.
        case word
    }

    /// The end-of-line token of word-level vocabularies.
    public static let endOfLine = "<eos>"

    /// Character or word level.
    public let level: Level
    /// The tokens, index = id (PyTorch examples: `itos`, `idx2word`).
    public let tokens: [String]
    /// Where tokens outside the vocabulary go when encoding, or nil to reject them.
    public let unknownIndex: Int?
    private let ids: [String: Int]

    /// A vocabulary with these tokens in this order. With `unknownToken`, text outside
    /// the vocabulary encodes to it (it is appended if not already a token).
    public init(tokens: [String], level: Level, unknownToken: String? = nil, file: StaticString = #fileID, line: UInt = #line) {
        var tokens = tokens
        if let u = unknownToken, !tokens.contains(u) { tokens.append(u) }
        var ids: [String: Int] = [:]
        for (i, t) in tokens.enumerated() {
            check(ids[t] == nil, "Vocabulary", "token \(t.debugDescription) appears twice (at \(ids[t]!) and \(i))", file: file, line: line)
            if level == .character {
                check(t.unicodeScalars.count == 1 || t == unknownToken, "Vocabulary",
                          "a character-level token must be one Unicode scalar, got \(t.debugDescription)", file: file, line: line)
            }
            ids[t] = i
        }
        self.level = level
        self.tokens = tokens
        self.ids = ids
        self.unknownIndex = unknownToken.map { ids[$0]! }
    }

    /// The vocabulary of `text`: its sorted distinct characters, or its words in order of
    /// first appearance with `<eos>`.
    public init(text: String, level: Level, unknownToken: String? = nil) {
        switch level {
        case .character:
            // Canonically equivalent scalars (U+212B ANGSTROM SIGN and U+00C5 Å, U+2126 OHM SIGN
            // and U+03A9 Ω) are equal Strings, so they are one token: the lowest scalar.
            var seen = Set<String>()
            let tokens = Set(text.unicodeScalars).sorted { $0.value < $1.value }.map { String($0) }.filter { seen.insert($0).inserted }
            self.init(tokens: tokens, level: .character, unknownToken: unknownToken)
        case .word:
            var seen = Set<String>()
            var tokens: [String] = []
            for t in Self.words(text) where seen.insert(t).inserted { tokens.append(t) }
            self.init(tokens: tokens, level: .word, unknownToken: unknownToken)
        }
    }

    /// The number of tokens (PyTorch examples: `vocab_size`, `len(dictionary)`).
    public var count: Int { tokens.count }

    /// The id of `token`, or nil.
    public func id(of token: String) -> Int? { ids[token] }

    /// The tokens of `text` at this vocabulary's level, before lookup.
    public func tokenize(_ text: String) -> [String] {
        level == .character ? text.unicodeScalars.map { String($0) } : Self.words(text)
    }

    /// The ids of `text`'s tokens. A token outside the vocabulary maps to `unknownIndex`,
    /// or traps when there is none (use `encodeChecked` for text from outside).
    public func encode(_ text: String, file: StaticString = #fileID, line: UInt = #line) -> [Int] {
        tokenize(text).map { t in
            guard let i = ids[t] ?? unknownIndex else {
                emberFailure("Vocabulary.encode", "token \(t.debugDescription) is not in the vocabulary of \(count) tokens and there is no unknown token", file: file, line: line)
            }
            return i
        }
    }

    /// The ids of `text`'s tokens, throwing `DataError.badText` naming `path` and the line
    /// of the first token outside the vocabulary (when there is no unknown token).
    public func encodeChecked(_ text: String, path: String) throws(DataError) -> [Int] {
        var out: [Int] = []
        if level == .character {
            out.reserveCapacity(text.unicodeScalars.count)
            var line = 1
            for s in text.unicodeScalars {
                guard let i = ids[String(s)] ?? unknownIndex else {
                    throw .badText(path: path, detail: "line \(line): character \(String(s).debugDescription) (U+\(String(s.value, radix: 16, uppercase: true))) is not in the vocabulary")
                }
                if s == "\n" { line += 1 }
                out.append(i)
            }
            return out
        }
        for (k, words) in Self.lines(text).enumerated() {
            for w in words + [Self.endOfLine] {
                guard let i = ids[w] ?? unknownIndex else {
                    throw .badText(path: path, detail: "line \(k + 1): word \(w.debugDescription) is not in the vocabulary")
                }
                out.append(i)
            }
        }
        return out
    }

    /// The text of `ids`: characters joined, or words joined by spaces with `<eos>` as a line
    /// break (PyTorch examples: `''.join(itos[i] for i in ids)`).
    public func decode(_ ids: [Int], file: StaticString = #fileID, line: UInt = #line) -> String {
        var out = ""
        var atLineStart = true
        for i in ids {
            check(i >= 0 && i < tokens.count, "Vocabulary.decode", "id \(i) is out of range for a vocabulary of \(tokens.count) tokens", file: file, line: line)
            let t = tokens[i]
            if level == .character { out += t; continue }
            if t == Self.endOfLine { out += "\n"; atLineStart = true; continue }
            out += atLineStart ? t : " " + t
            atLineStart = false
        }
        return out
    }

    /// `line.split() + ["<eos>"]` for every line of `text` (a final line break adds no empty line).
    static func words(_ text: String) -> [String] {
        lines(text).flatMap { $0 + [endOfLine] }
    }

    /// The whitespace-separated words of each line (Python's `str.split()`: any Unicode
    /// whitespace separates); a final line break adds no empty line.
    static func lines(_ text: String) -> [[String]] {
        var lines: [[String]] = []
        var words: [String] = []
        var word = String.UnicodeScalarView()
        var lineOpen = false
        for s in text.unicodeScalars {
            if s == "\n" {
                if !word.isEmpty { words.append(String(word)); word = String.UnicodeScalarView() }
                lines.append(words)
                words = []
                lineOpen = false
                continue
            }
            lineOpen = true
            if s.properties.isWhitespace {
                if !word.isEmpty { words.append(String(word)); word = String.UnicodeScalarView() }
            } else {
                word.append(s)
            }
        }
        if !word.isEmpty { words.append(String(word)) }
        if lineOpen { lines.append(words) }
        return lines
    }
}
