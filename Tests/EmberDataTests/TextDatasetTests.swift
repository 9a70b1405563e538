import Testing
@testable import EmberData

@Suite struct TextDatasetTests {
    @Test func characterVocabularyIsSortedAndRoundTrips() {
        let v = Vocabulary(text: "hello world", level: .character)
        #expect(v.tokens == [" ", "d", "e", "h", "l", "o", "r", "w"])
        #expect(v.encode("hello") == [3, 2, 4, 4, 5])
        #expect(v.decode(v.encode("low world")) == "low world")
        // Characters are Unicode scalars, as Python iterates a str.
        let u = Vocabulary(text: "né🙂", level: .character)
        #expect(u.count == 3 && u.decode(u.encode("🙂né")) == "🙂né")
        // Canonically equivalent scalars are equal Strings: one token, the lowest scalar (found
        // by fuzzing: "Å" as U+212B and as U+00C5 trapped with "token appears twice").
        let e = Vocabulary(text: "\u{212B}x\u{C5}", level: .character)
        #expect(e.tokens == ["x", "\u{C5}"])
        #expect(e.encode("\u{212B}\u{C5}") == [1, 1])
    }

    @Test func wordVocabularyFollowsWordLanguageModel() {
        let v = Vocabulary(text: "the cat sat\nthe  dog\n", level: .word)
        #expect(v.tokens == ["the", "cat", "sat", "<eos>", "dog"])
        #expect(v.encode("the dog sat\n") == [0, 4, 2, 3])
        #expect(v.decode([0, 1, 3, 0, 4, 3]) == "the cat\nthe dog\n")
        #expect(Vocabulary.words("a b\r\nc") == ["a", "b", "<eos>", "c", "<eos>"])
    }

    @Test func unknownTokens() throws {
        let v = Vocabulary(tokens: ["a", "b"], level: .character, unknownToken: "<unk>")
        #expect(v.encode("abz") == [0, 1, 2])
        let strict = Vocabulary(tokens: ["a", "b", "\n"], level: .character)
        let e = try #require(dataError { try strict.encodeChecked("ab\nbz", path: "t.txt") })
        #expect(e.description == "t.txt: line 2: character \"z\" (U+7A) is not in the vocabulary")
    }

    @Test func windowsAreInputAndNextToken() throws {
        let text = "abcdefghij"   // 10 tokens
        let d = try TextDataset(text: text, sequenceLength: 3)
        #expect(d.count == 3)       // starts 0, 3, 6; the window at 6 needs tokens 6...9
        let (x, y) = d[2]
        #expect(d.vocabulary.decode(ints(x)) == "ghi" && d.vocabulary.decode(ints(y)) == "hij")
        #expect(x.dtype == .int64 && x.shape == [3])
        // minGPT: a window at every position.
        let every = try TextDataset(text: text, sequenceLength: 4, stride: 1)
        #expect(every.count == 6)
        #expect(every.vocabulary.decode(ints(every[5].0)) == "fghi" && every.vocabulary.decode(ints(every[5].1)) == "ghij")
        // Batches, fast path and per-sample collate agree.
        let (bx, by) = every.batch(at: [5, 0])
        let stacked = Collate.pairs([every[5], every[0]])
        #expect(identical(bx, stacked.0) && identical(by, stacked.1) && bx.shape == [2, 4])
        let batches = Array(DataLoader(every, batchSize: 4, shuffle: true, numWorkers: 2, generator: Generator(seed: 1)))
        #expect(batches.map { $0.0.shape } == [[4, 4], [2, 4]])
        for (bx, by) in batches {
            // Every target row is its input row shifted by one.
            for r in 0..<bx.shape[0] { #expect(Array(ints(bx.select(0, r)).dropFirst()) == Array(ints(by.select(0, r)).dropLast())) }
        }
    }

    @Test func filesWordLevelAndSharedVocabulary() throws {
        let dir = TempDir()
        let a = dir.write("a.txt", "to be or not\nto be\n")
        let b = dir.write("b.txt", "be or not\n")
        let train = try TextDataset(files: [a, b], level: .word, sequenceLength: 2)
        #expect(train.vocabulary.tokens == ["to", "be", "or", "not", "<eos>"])
        #expect(train.tokens.shape == [12])
        #expect(train.count == 5)
        // A validation file encoded with the training vocabulary: unknown words are errors.
        let c = dir.write("c.txt", "to be\nor be quick\n")
        let e = try #require(dataError { try TextDataset(files: [c], sequenceLength: 2, vocabulary: train.vocabulary) })
        #expect(e == .badText(path: c, detail: "line 2: word \"quick\" is not in the vocabulary"))
    }

    @Test func badFiles() throws {
        let dir = TempDir()
        let latin1 = dir.write("latin1.txt", [0x63, 0x61, 0x66, 0xe9, 0x0a])
        let e = try #require(dataError { try TextDataset(files: [latin1], sequenceLength: 2) })
        #expect(e.description == "\(latin1): not valid UTF-8 (first bad byte at offset 3)")
        let short = dir.write("short.txt", "abc")
        let f = try #require(dataError { try TextDataset(files: [short], sequenceLength: 3) })
        #expect(f.description.contains("holds 3 tokens, but one window of sequenceLength 3 needs 4"))
        let g = try #require(dataError { try TextDataset(files: [dir.path + "/none.txt"], sequenceLength: 3) })
        #expect(g.path == dir.path + "/none.txt")
    }
}
