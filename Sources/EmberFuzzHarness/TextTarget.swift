import Ember
import EmberData

/// `TextDataset` of the file at character and word level with the vocabulary built from it,
/// and with vocabularies built from the first half of the text only, so that later tokens
/// are missing (without and with an unknown token). Every dataset that reads is indexed and
/// batched at both ends, and a character-level vocabulary decodes what it encodes.
func fuzzText(_ bytes: UnsafeRawBufferPointer, _ path: String, _ check: inout Check) {
    if bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b { return }   // gzip: see FuzzOutcome.skipped
    let valid = String(validating: bytes, as: UTF8.self)
    var settings: [(String, () throws(DataError) -> TextDataset)] = [
        ("character level", { () throws(DataError) in try TextDataset(files: [path], level: .character, sequenceLength: 3, stride: 1) }),
        ("word level", { () throws(DataError) in try TextDataset(files: [path], level: .word, sequenceLength: 2) }),
    ]
    if let text = valid {
        let half = String(text.unicodeScalars.prefix(text.unicodeScalars.count / 2))
        let characters = Vocabulary(text: half, level: .character)
        let words = Vocabulary(text: half, level: .word, unknownToken: "<unk>")
        settings.append(("the first half's characters", { () throws(DataError) in
            try TextDataset(files: [path], sequenceLength: 1, vocabulary: characters)
        }))
        settings.append(("the first half's words and <unk>", { () throws(DataError) in
            try TextDataset(files: [path, path], sequenceLength: 4, stride: 3, vocabulary: words)
        }))
    }
    for (what, read) in settings {
        let data: TextDataset
        do {
            data = try read()
        } catch {
            // (A dataset of two files names both in an error about the whole text.)
            check.rejected(error, what, allowing: ["\(path), \(path)"])
            continue
        }
        check.accepted()
        guard valid != nil else {
            check.fail("\(what): read a file that is not valid UTF-8")
            return
        }
        let n = data.count, l = data.sequenceLength
        guard n >= 1, data.tokens.shape.count == 1, data.tokens.shape[0] >= l + 1 else {
            check.fail("\(what): \(n) windows of \(l) from \(data.tokens.shape) tokens")
            return
        }
        let (x, y) = data[n - 1]
        _ = data[0]
        let (bx, by) = data.batch(at: [n - 1, 0])
        guard x.shape == [l], y.shape == [l], bx.shape == [2, l], by.shape == [2, l] else {
            check.fail("\(what): windows of shape \(x.shape) \(y.shape), batches \(bx.shape) \(by.shape), expected [\(l)]")
            return
        }
        let ids = x.toArray(as: Int64.self).map { Int($0) }
        guard ids.allSatisfy({ $0 >= 0 && $0 < data.vocabulary.count }) else {
            check.fail("\(what): ids \(ids) outside the vocabulary of \(data.vocabulary.count) tokens")
            return
        }
        _ = data.vocabulary.decode(ids)
        if data.vocabulary.level == .character && data.vocabulary.unknownIndex == nil, let text = valid, what == "character level" {
            let decoded = data.vocabulary.decode(data.vocabulary.encode(text))
            if decoded.unicodeScalars.count != text.unicodeScalars.count || decoded != text {
                check.fail("\(what): decode(encode(text)) is not the text")
                return
            }
        }
    }
}
