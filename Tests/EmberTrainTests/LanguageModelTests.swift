import Testing
import Foundation
import Ember
import EmberData
import EmberNN
@testable import EmberTrain

@Suite(.serialized) struct LanguageModelTests {
    /// Incremental decoding gives the logits a full forward pass gives at each position.
    @Test(arguments: ["char-lstm", "gpt"]) func decoderMatchesTheFullForwardPass(model kind: String) {
        manualSeed(4)
        let model: any LanguageModel = kind == "gpt"
            ? GPT(vocabularySize: 11, contextLength: 16, embedDim: 16, layers: 2, heads: 2)
            : CharLSTM(vocabularySize: 11, embedDim: 8, hiddenSize: 12, layers: 2)
        _ = model.eval()
        let ids = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]
        let full = withNoGrad { model(Tensor(ids.map { Int64($0) }, shape: [1, ids.count])) }   // [1, 10, 11]
        let decoder = model.makeDecoder()
        var fed = 4
        var logits = withNoGrad { decoder.feed(Array(ids[..<4])) }
        #expect(logits.allclose(full[0, 3], rtol: 1e-4, atol: 1e-5))
        while fed < ids.count {
            logits = withNoGrad { decoder.feed([ids[fed]]) }
            #expect(logits.allclose(full[0, fed], rtol: 1e-4, atol: 1e-5), "position \(fed)")
            fed += 1
        }
        // Several new positions at once over a non-empty cache, too.
        let again = model.makeDecoder()
        _ = withNoGrad { again.feed(Array(ids[..<3])) }
        let chunk = withNoGrad { again.feed(Array(ids[3..<7])) }
        #expect(chunk.allclose(full[0, 6], rtol: 1e-4, atol: 1e-5))
    }

    @Test func samplingIsSeededAndCacheFree() {
        manualSeed(5)
        let model = GPT(vocabularySize: 13, contextLength: 24, embedDim: 16, layers: 2, heads: 4)
        let a = generate(model, prompt: [1, 2, 3], length: 18, temperature: 0.9, topK: 5, generator: Generator(seed: 1))
        let b = generate(model, prompt: [1, 2, 3], length: 18, temperature: 0.9, topK: 5, generator: Generator(seed: 1))
        let noCache = generate(model, prompt: [1, 2, 3], length: 18, temperature: 0.9, topK: 5, generator: Generator(seed: 1), useCache: false)
        let other = generate(model, prompt: [1, 2, 3], length: 18, temperature: 0.9, topK: 5, generator: Generator(seed: 2))
        #expect(a.count == 18 && a == b && a == noCache)
        #expect(a != other)
        // Past the context the cache restarts on the last half; generation goes on.
        #expect(generate(model, prompt: [1], length: 60, generator: Generator(seed: 3)).count == 60)
        // Greedy decoding and top-1 sampling are the argmax.
        let logits = Tensor([0.1, 2.0, -1.0, 1.9] as [Float])
        #expect(sampleToken(logits: logits, temperature: 0, generator: Generator(seed: 1)) == 1)
        #expect((0..<20).allSatisfy { sampleToken(logits: logits, topK: 1, generator: Generator(seed: UInt64($0))) == 1 })
        // Top-2 never draws outside the two best.
        #expect((0..<50).allSatisfy { [1, 3].contains(sampleToken(logits: logits, temperature: 5, topK: 2, generator: Generator(seed: UInt64($0)))) })
    }
}

/// `ember train --task lm` and `ember generate` on Debian's GPL-3 text.
@Suite(.serialized) struct LanguageModelCommandTests {
    let ember = emberExecutable()

    func arguments(out: String, model: String = "char-lstm", epochs: Int = 2) -> [String] {
        ["train", "--task", "lm", "--model", model, "--epochs", "\(epochs)", "--context", "32", "--embed-dim", "16",
         "--hidden-size", "48", "--layers", "2", "--heads", "2", "--batch-size", "32", "--lr", "0.01", "--seed", "2",
         "--checkpoint-every", "7", "--out", out]
    }

    @Test func charLSTMTrainsGeneratesAndRoundTrips() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        let r = try runProcess(ember, arguments(out: dir + "/run"))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("training tokens") && r.stdout.contains("ppl"), "\(r.stdout)")
        for f in ["config.json", "vocabulary.json", "validation.json", "metrics.csv", "model.safetensors", "loss.svg", "ppl.svg", "acc.svg"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/run/" + f), "missing \(f)")
        }
        let lines = try String(contentsOfFile: dir + "/run/metrics.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first!.hasPrefix("epoch,step,train_loss,val_loss,train_acc,train_ppl,val_acc,val_ppl"))
        let loss = lines.dropFirst().map { Double($0.split(separator: ",")[2])! }
        #expect(loss.count == 2 && loss[1] < loss[0], "\(loss)")
        let vocab = try VocabularyFile.read(folder: dir + "/run")
        #expect(vocab.level == .character && vocab.count > 60 && vocab.count < 100)

        let args = ["generate", dir + "/run", "--prompt", "The ", "--length", "60", "--temperature", "0.8", "--top-k", "40", "--seed", "7"]
        let g1 = try runProcess(ember, args), g2 = try runProcess(ember, args)
        #expect(g1.status == 0, "\(g1.stderr)")
        #expect(g1.stdout == g2.stdout && g1.stdout.hasPrefix("The ") && g1.stdout.unicodeScalars.count == 65, "\(g1.stdout)")
        let g3 = try runProcess(ember, args.dropLast() + ["8"])
        #expect(g3.stdout != g1.stdout)

        let eval = try runProcess(ember, ["eval", dir + "/run"])
        #expect(eval.status == 0 && eval.stdout.contains("ppl"), "\(eval.stdout) \(eval.stderr)")
        let badPrompt = try runProcess(ember, ["generate", dir + "/run", "--prompt", "日本"])
        #expect(badPrompt.status != 0 && badPrompt.stderr.contains("--prompt"), "\(badPrompt.stderr)")
    }

    @Test func wordVocabularyIsSavedAndGeneratesItsWords() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        let r = try runProcess(ember, ["train", "--task", "lm", "--vocabulary", "word", "--context", "16", "--embed-dim", "16",
                                       "--hidden-size", "32", "--layers", "1", "--epochs", "1", "--quiet", "--out", dir + "/w"])
        #expect(r.status == 0, "\(r.stderr)")
        let vocab = try VocabularyFile.read(folder: dir + "/w")
        #expect(vocab.level == .word && vocab.id(of: "License") != nil && vocab.id(of: Vocabulary.endOfLine) != nil)
        let g = try runProcess(ember, ["generate", dir + "/w", "--prompt", "This License", "--length", "12", "--seed", "1"])
        #expect(g.status == 0, "\(g.stderr)")
        let words = g.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        #expect(words.count >= 3 && words.prefix(2) == ["This", "License"])
        #expect(words.allSatisfy { vocab.id(of: $0) != nil }, "\(words)")
    }

    @Test func killedLanguageModelRunResumesBitIdentical() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        try checkKilledRunResumesBitIdentical(ember, arguments(out: dir + "/a"), dir: dir, minStep: 35)
    }

    @Test func gptTrainsAndGeneratesTheSameTextWithAndWithoutTheCache() throws {
        guard let ember else { Issue.record("the ember executable was not built beside the tests"); return }
        let dir = try temporaryDirectory()
        let r = try runProcess(ember, arguments(out: dir + "/gpt", model: "gpt", epochs: 1) + ["--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        let names = try load(dir + "/gpt/model.safetensors").keys
        #expect(names.contains("wte.weight") && names.contains("h.1.attn.qkv.weight") && !names.contains { $0.contains("head") })
        let args = ["generate", dir + "/gpt", "--prompt", "This ", "--length", "27", "--seed", "3"]
        let cached = try runProcess(ember, args), uncached = try runProcess(ember, args + ["--no-cache"])
        #expect(cached.status == 0 && uncached.status == 0, "\(cached.stderr) \(uncached.stderr)")
        #expect(cached.stdout == uncached.stdout && cached.stdout.unicodeScalars.count == 33, "\(cached.stdout) / \(uncached.stdout)")
    }
}
