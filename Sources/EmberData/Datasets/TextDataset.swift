/// Fixed-length windows of a tokenized text for language modelling: sample `i` is
/// `(input, target)`, two int64 tensors `[sequenceLength]` where the target is the input
/// shifted by one token (PyTorch examples: minGPT's `CharDataset`, `word_language_model`'s
/// `get_batch`).
///
/// Window `i` starts at token `i × stride`; there are `(tokens - 1 - sequenceLength) /
/// stride + 1` of them. The default stride is `sequenceLength` (back-to-back windows);
/// `stride: 1` gives a window at every position, as minGPT does.
///
/// ```swift
/// let data = try TextDataset(files: ["shakespeare.txt"], level: .character, sequenceLength: 128)
/// let (x, y) = data[0]              // y[k] == x[k + 1]
/// data.vocabulary.decode(x.toArray(as: Int64.self).map { Int($0) })
/// ```
public struct TextDataset: BatchedDataset {
    /// The token table.
    public let vocabulary: Vocabulary
    /// The whole text as token ids, int64 `[T]`.
    public let tokens: Tensor
    /// Tokens per window.
    public let sequenceLength: Int
    /// Tokens between the starts of consecutive windows.
    public let stride: Int

    /// Reads UTF-8 text files (joined in order; `.gz` files are decompressed) and cuts them
    /// into windows. Without a `vocabulary`, one is built from the files at `level`; with
    /// one, its level is used and a token outside it throws `DataError.badText` naming the
    /// file and line (unless the vocabulary has an unknown token).
    public init(files: [String], level: Vocabulary.Level = .character, sequenceLength: Int, stride: Int? = nil,
                vocabulary: Vocabulary? = nil, file: StaticString = #fileID, line: UInt = #line) throws(DataError) {
        check(!files.isEmpty, "TextDataset", "expected at least one file", file: file, line: line)
        var texts: [String] = []
        for path in files {
            let bytes = try FileBytes.readMaybeGzip(path)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                let bad = Self.firstInvalidUTF8(bytes)
                throw .badText(path: path, detail: "not valid UTF-8 (first bad byte at offset \(bad))")
            }
            texts.append(text)
        }
        let level = vocabulary?.level ?? level
        let vocab = vocabulary ?? Vocabulary(text: texts.joined(), level: level)
        var ids: [Int] = []
        for (path, text) in zip(files, texts) { ids += try vocab.encodeChecked(text, path: path) }
        try self.init(ids: ids, vocabulary: vocab, sequenceLength: sequenceLength, stride: stride,
                      source: files.count == 1 ? files[0] : files.joined(separator: ", "), file: file, line: line)
    }

    /// Windows of an in-memory text. Without a `vocabulary`, one is built from `text`.
    public init(text: String, level: Vocabulary.Level = .character, sequenceLength: Int, stride: Int? = nil,
                vocabulary: Vocabulary? = nil, file: StaticString = #fileID, line: UInt = #line) throws(DataError) {
        let vocab = vocabulary ?? Vocabulary(text: text, level: level)
        try self.init(ids: try vocab.encodeChecked(text, path: "<text>"), vocabulary: vocab, sequenceLength: sequenceLength,
                      stride: stride, source: "<text>", file: file, line: line)
    }

    /// Windows of token ids already encoded with `vocabulary` (a part of a longer text, say
    /// the training or validation split of one file); `source` names them in errors. Ids
    /// outside the vocabulary stop the program.
    public init(ids: [Int], vocabulary: Vocabulary, sequenceLength: Int, stride: Int? = nil, source: String,
                file: StaticString = #fileID, line: UInt = #line) throws(DataError) {
        check(ids.allSatisfy { $0 >= 0 && $0 < vocabulary.count }, "TextDataset", "token ids must be in 0..<\(vocabulary.count)", file: file, line: line)
        check(sequenceLength > 0, "TextDataset", "sequenceLength must be positive, got \(sequenceLength)", file: file, line: line)
        let stride = stride ?? sequenceLength
        check(stride > 0, "TextDataset", "stride must be positive, got \(stride)", file: file, line: line)
        guard ids.count > sequenceLength else {
            throw .badText(path: source, detail: "holds \(ids.count) tokens, but one window of sequenceLength \(sequenceLength) needs \(sequenceLength == .max ? "more" : "\(sequenceLength + 1)") (input plus the next token)")
        }
        self.vocabulary = vocabulary
        self.tokens = Tensor(ids, dtype: .int64)
        self.sequenceLength = sequenceLength
        self.stride = stride
    }

    /// The number of windows.
    public var count: Int { (tokens.shape[0] - 1 - sequenceLength) / stride + 1 }

    /// Window `index`: tokens `[s, s + L)` and `[s + 1, s + L + 1)` with `s = index × stride`,
    /// as views into `tokens`.
    public subscript(index: Int) -> (Tensor, Tensor) {
        check(index >= 0 && index < count, "TextDataset", "index \(index) is out of range for a dataset of \(count) windows", file: #fileID, line: #line)
        let s = index * stride
        return (tokens.narrow(0, start: s, length: sequenceLength), tokens.narrow(0, start: s + 1, length: sequenceLength))
    }

    /// The windows at `indices` as two int64 `[B, L]` tensors, copied straight from `tokens`.
    public func batch(at indices: [Int]) -> (Tensor, Tensor) {
        let n = count, l = sequenceLength
        let x = Tensor(empty: [indices.count, l], dtype: .int64), y = Tensor(empty: [indices.count, l], dtype: .int64)
        let src = tokens.storage.data.assumingMemoryBound(to: Int64.self) + tokens.offset
        let px = x.storage.data.assumingMemoryBound(to: Int64.self), py = y.storage.data.assumingMemoryBound(to: Int64.self)
        for (k, i) in indices.enumerated() {
            check(i >= 0 && i < n, "TextDataset", "index \(i) is out of range for a dataset of \(n) windows", file: #fileID, line: #line)
            (px + k * l).update(from: src + i * stride, count: l)
            (py + k * l).update(from: src + i * stride + 1, count: l)
        }
        return (x, y)
    }

    /// The offset of the first byte that breaks UTF-8 decoding.
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&it) {
            case .scalarValue(let s): offset += UTF8.width(s)
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }
}
