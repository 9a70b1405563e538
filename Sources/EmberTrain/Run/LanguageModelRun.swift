import Ember
import EmberData
import EmberNN

/// A trained language-model run, loaded for generation (`ember generate runs/NAME`): the
/// model of its `config.json` with the best weights of `model.safetensors`, and its
/// `vocabulary.json`.
///
/// ```swift
/// let lm = try LanguageModelRun(folder: "runs/gpl")
/// let text = try lm.generate(prompt: "The licensee ", length: 200, temperature: 0.8, topK: 40, seed: 1)
/// ```
public struct LanguageModelRun {
    /// The model, in eval mode.
    public let model: any LanguageModel
    /// The token table.
    public let vocabulary: Vocabulary
    /// The run's configuration.
    public let config: RunConfig

    /// Loads the run in `folder`; throws `RunError` or `CheckpointError` naming the file.
    public init(folder: String) throws {
        config = try RunConfig.load(runFolder: folder)
        try config.require(.lm, runFolder: folder, reader: "ember generate reads language-model runs (--task lm)")
        try config.validate()
        vocabulary = try VocabularyFile.read(folder: folder)
        model = TaskSetup.languageModel(config, vocabularySize: vocabulary.count)
        try loadWeights(model, from: folder + "/model.safetensors", what: "--model \(config.model.rawValue) of \(folder)/config.json")
        _ = model.eval()
    }

    /// Encodes `prompt`, samples `length` tokens (`EmberTrain.generate`) with a generator
    /// seeded by `seed`, and returns them decoded. Throws `DataError.badText` when the prompt
    /// holds a token outside the vocabulary.
    public func generate(prompt: String, length: Int, temperature: Double, topK: Int?, seed: UInt64, useCache: Bool = true) throws -> String {
        let ids = try vocabulary.encodeChecked(prompt, path: "--prompt")
        guard !ids.isEmpty else { throw DataError.badText(path: "--prompt", detail: "holds no tokens") }
        let out = EmberTrain.generate(model, prompt: ids, length: length, temperature: temperature, topK: topK,
                                      generator: Generator(seed: seed), useCache: useCache)
        let joiner = vocabulary.level == .word && !prompt.hasSuffix("\n") && out.first != vocabulary.id(of: Vocabulary.endOfLine) ? " " : ""
        return joiner + vocabulary.decode(out)
    }
}
