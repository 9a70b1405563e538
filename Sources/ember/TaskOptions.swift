import ArgumentParser
import Foundation
import EmberTrain

extension RunConfig.Task: ExpressibleByArgument {}

/// The flags of `ember train` that choose a task other than classification and set it up.
struct TaskOptions: ParsableArguments {
    @Option(help: "What to learn: classification, regression (a CSV column), lm (the next token of a text) or recommend (items for users). (default: classification)")
    var task: RunConfig.Task?

    @Option(help: ArgumentHelp("The CSV column a regression predicts (every other column is a feature).", valueName: "column"))
    var target: String?

    @Option(help: ArgumentHelp("Hidden layer widths of the regression MLP, comma-separated. (default: 64,64)", valueName: "widths"))
    var hidden: String?

    @Option(help: ArgumentHelp("Language model tokens: char or word. (default: char)", valueName: "level"))
    var vocabulary: String?

    @Option(parsing: .unconditional, help: "Language model: tokens per training window, the GPT's context length. (default: 64)")
    var context: Int?

    @Option(parsing: .unconditional, help: "Language model: embedding width (the GPT's model width). (default: 64)")
    var embedDim: Int?

    @Option(parsing: .unconditional, help: "Language model: the LSTM's hidden size. (default: 256)")
    var hiddenSize: Int?

    @Option(parsing: .unconditional, help: "Language model: LSTM layers or transformer blocks. (default: 2)")
    var layers: Int?

    @Option(parsing: .unconditional, help: "Language model: the GPT's attention heads. (default: 4)")
    var heads: Int?

    @Option(parsing: .unconditional, help: "Recommendation: latent factors. (default: 32)")
    var factors: Int?

    @Option(parsing: .unconditional, help: "Recommendation, --model ncf: negatives sampled per positive. (default: 4)")
    var negatives: Int?

    /// Which of these flags were given, for `--resume`'s check.
    var given: [(String, Bool)] {
        [("--task", task != nil), ("--target", target != nil), ("--hidden", hidden != nil), ("--vocabulary", vocabulary != nil),
         ("--context", context != nil), ("--embed-dim", embedDim != nil), ("--hidden-size", hiddenSize != nil),
         ("--layers", layers != nil), ("--heads", heads != nil), ("--factors", factors != nil), ("--negatives", negatives != nil)]
    }

    /// A configuration with the task's defaults.
    func baseConfig() -> RunConfig { RunConfig(task: task ?? .classification) }

    /// Puts these flags into `config`.
    func apply(to config: inout RunConfig) throws {
        config.target = target ?? config.target
        if vocabulary != nil || context != nil || embedDim != nil || hiddenSize != nil || layers != nil || heads != nil {
            var lm = config.languageModel ?? LanguageModelSettings()
            lm.vocabulary = vocabulary ?? lm.vocabulary
            lm.context = context ?? lm.context
            lm.embedDim = embedDim ?? lm.embedDim
            lm.hiddenSize = hiddenSize ?? lm.hiddenSize
            lm.layers = layers ?? lm.layers
            lm.heads = heads ?? lm.heads
            config.languageModel = lm
        }
        if factors != nil || negatives != nil {
            var r = config.recommendation ?? RecommendationSettings()
            r.factors = factors ?? r.factors
            r.negatives = negatives ?? r.negatives
            config.recommendation = r
        }
        if let hidden {
            let parts = hidden.split(separator: ",", omittingEmptySubsequences: false)
            let widths = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !parts.isEmpty, widths.count == parts.count else {
                throw ValidationError("--hidden must be comma-separated widths such as 64,64, got '\(hidden)'")
            }
            config.hidden = widths
        }
    }
}
