import ArgumentParser
import Ember
import EmberTrain
#if canImport(Glibc)
import Glibc
#endif

/// `ember generate`: sample text from a language-model run.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Sample text from a language model trained with 'ember train --task lm'.",
        discussion: """
            The prompt is encoded with the run's vocabulary.json (a character outside it is an error), \
            then --length tokens are drawn one at a time: logits divided by --temperature, kept to the \
            --top-k best, sampled with multinomial from a generator seeded by --seed, so the same seed \
            gives the same text. A GPT keeps a key/value cache, so each new token costs one position; \
            --no-cache recomputes the whole window per token (for comparison). --timing prints tokens/s.
            """
    )

    @Argument(help: ArgumentHelp("A language-model run folder.", valueName: "run-folder"))
    var folder: String

    @Option(help: "The text to continue.")
    var prompt: String = "The "

    @Option(parsing: .unconditional, help: "Tokens to generate.")
    var length: Int = 200

    @Option(parsing: .unconditional, help: "Softmax temperature; 0 takes the most likely token.")
    var temperature: Double = 0.8

    @Option(parsing: .unconditional, help: "Sample among the k most likely tokens only (0: all).")
    var topK: Int = 40

    @Option(parsing: .unconditional, help: "Seed of the sampling generator.")
    var seed: UInt64 = 1

    @Flag(inversion: .prefixedNo, help: "Incremental decoding with the model's key/value cache (or LSTM state).")
    var cache = true

    @Flag(help: "Print the generation speed in tokens/s on standard error.")
    var timing = false

    @Option(parsing: .unconditional, help: "Cores the model's ops use; one sequence's ops are small, so one is fastest.")
    var threads: Int = 1

    func validate() throws {
        if length < 0 || length > 1_000_000 { throw ValidationError("--length must be in 0...1000000, got \(length)") }
        if !(temperature >= 0) || !temperature.isFinite { throw ValidationError("--temperature must be a finite number >= 0, got \(temperature)") }
        if topK < 0 { throw ValidationError("--top-k must be >= 0, got \(topK)") }
        if prompt.isEmpty { throw ValidationError("--prompt must not be empty") }
        if threads < 1 || threads > 256 { throw ValidationError("--threads must be in 1...256, got \(threads)") }
    }

    func run() throws {
        setNumThreads(threads)
        let lm = try LanguageModelRun(folder: folder)
        let started = monotonicSeconds()
        let text = try lm.generate(prompt: prompt, length: length, temperature: temperature, topK: topK == 0 ? nil : topK,
                                   seed: seed, useCache: cache)
        let seconds = monotonicSeconds() - started
        print(prompt + text)
        if timing {
            let rate = seconds > 0 ? Double(length) / seconds : 0
            let line = "\(length) tokens in \(Format.fixed(seconds, 3)) s: \(Format.fixed(rate, 1)) tokens/s (\(cache ? "with" : "without") cache)\n"
            _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        }
    }
}
