import Ember
import EmberData
import Foundation

/// The data of a language-model run (`--task lm --dataset text:PATH`): the file's tokens,
/// cut by position into a training part (the first `1 - valSplit`) and a validation part
/// (the rest), each cut into back-to-back windows of `context` tokens.
public struct LanguageModelData {
    /// The token table, built from the whole file (saved as `vocabulary.json`).
    public let vocabulary: Vocabulary
    /// Shuffled training windows `([B, L], [B, L])` int64.
    public let train: TrainingLoader
    /// Validation windows, when `valSplit > 0`.
    public let validation: TrainingLoader?
    /// Tokens of the training part.
    public let trainTokens: Int

    /// Reads and splits the text of `config`; throws `DataError` naming the file when it is
    /// missing, not UTF-8, or too short for a window in each part.
    public init(config: RunConfig) throws {
        let settings = config.languageModel ?? LanguageModelSettings()
        let path = String(config.dataset.dropFirst(5))
        let level: Vocabulary.Level = settings.vocabulary == "word" ? .word : .character
        let whole = try TextDataset(files: [path], level: level, sequenceLength: settings.context)
        vocabulary = whole.vocabulary
        let ids = whole.tokens.toArray(as: Int64.self).map { Int($0) }
        let cut = config.valSplit > 0 ? Int((Double(ids.count) * (1 - config.valSplit)).rounded(.down)) : ids.count
        let trainPart = try TextDataset(ids: Array(ids[..<cut]), vocabulary: vocabulary, sequenceLength: settings.context,
                                        source: path + " (its first \(cut) tokens, the training part)")
        train = DataLoader(trainPart, batchSize: config.batchSize, shuffle: true, numWorkers: config.workers,
                           generator: Generator(seed: config.seed &+ 1))
        trainTokens = cut
        if cut < ids.count {
            let valPart = try TextDataset(ids: Array(ids[cut...]), vocabulary: vocabulary, sequenceLength: settings.context,
                                          source: path + " (its last \(ids.count - cut) tokens, the validation part)")
            validation = DataLoader(valPart, batchSize: 64, numWorkers: config.workers, generator: Generator(seed: config.seed &+ 2))
        } else {
            validation = nil
        }
    }
}

/// `vocabulary.json` of a language-model run: the level and the tokens in id order.
public struct VocabularyFile: Codable, Sendable, Equatable {
    /// `char` or `word`.
    public var level: String
    /// The tokens; a token's id is its index.
    public var tokens: [String]

    /// The file of `vocabulary`.
    public init(_ vocabulary: Vocabulary) {
        level = vocabulary.level == .word ? "word" : "char"
        tokens = vocabulary.tokens
    }

    /// Pretty JSON text.
    public func json() throws -> String { try TrainingCheckpoint.encode(self, pretty: true) + "\n" }

    /// Reads `vocabulary.json` of `folder`; throws `RunError.badRunFolder` naming the problem.
    public static func read(folder: String) throws -> Vocabulary {
        let path = folder + "/vocabulary.json"
        let text: String
        do { text = try FileIO.read(path) } catch { throw RunError.badRunFolder(path: folder, detail: "cannot read vocabulary.json: \(error)") }
        let file: VocabularyFile
        do { file = try JSONDecoder().decode(VocabularyFile.self, from: Data(text.utf8)) } catch {
            throw RunError.badRunFolder(path: path, detail: "cannot read: \(error)")
        }
        let level: Vocabulary.Level = file.level == "word" ? .word : .character
        guard file.level == "word" || file.level == "char", !file.tokens.isEmpty, Set(file.tokens).count == file.tokens.count,
              level == .word || file.tokens.allSatisfy({ $0.unicodeScalars.count == 1 }) else {
            throw RunError.badRunFolder(path: path, detail: "not a vocabulary: expected level char or word and distinct tokens (one character each for char)")
        }
        return Vocabulary(tokens: file.tokens, level: level)
    }
}
