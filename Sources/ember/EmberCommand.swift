import ArgumentParser
import EmberTrain
#if canImport(Glibc)
import Glibc
#endif

/// The `ember` command: train, evaluate and inspect models.
@main
struct EmberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ember",
        abstract: "Train, evaluate and inspect Ember models.",
        discussion: """
            Examples:
              ember train                               train the default model
              ember train --model mlp --out runs/mlp    an MLP, into runs/mlp
              ember train --resume runs/mlp             continue an interrupted run
              ember eval runs/mlp                       test accuracy, confusion matrix
              ember inspect runs/mlp/model.safetensors  names, shapes, statistics
              ember train --task regression --dataset csv:data.csv --target price --out runs/price
              ember predict runs/price --input new.csv  one prediction per row
              ember train --task lm --out runs/gpl      a character LSTM on /usr/share/common-licenses/GPL-3
              ember generate runs/gpl --prompt "The " --length 200 --temperature 0.8 --top-k 40 --seed 1
              ember train --task recommend --out runs/mf   matrix factorization on a synthetic ratings set
              ember recommend runs/mf --user u3 --k 10  the best unseen items for a user
            """,
        subcommands: [TrainCommand.self, EvalCommand.self, PredictCommand.self, GenerateCommand.self, RecommendCommand.self, InspectCommand.self]
    )

    /// Parses and runs a subcommand. Help is shown as usual; any error is one line on
    /// standard error and a non-zero exit status.
    static func main() {
        let command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            fail(message(for: error) + usageHint(for: error), status: exitCode(for: error).rawValue)
        }
        do {
            var command = command
            try command.run()
        } catch let e as TrainingError {
            if case .interrupted = e { Glibc.exit(130) }
            fail("\(e)", status: 1)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            fail(message(for: error), status: exitCode(for: error).rawValue)
        }
    }

    /// Where to read about the flags, for parse errors.
    static func usageHint(for error: Error) -> String {
        let args = CommandLine.arguments.dropFirst()
        let names = configuration.subcommands.compactMap { $0.configuration.commandName }
        if let first = args.first, names.contains(first) { return " (see 'ember \(first) --help')" }
        return " (see 'ember --help')"
    }

    static func fail(_ message: String, status: Int32) -> Never {
        let text = "ember: error: " + message.split(separator: "\n").joined(separator: " ") + "\n"
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        Glibc.exit(status == 0 ? 1 : status)
    }
}
