import ArgumentParser
import EmberTrain

/// `ember predict`: a regression run's predictions for the rows of a CSV file.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Predict with a regression run's best weights, for the rows of a CSV file.",
        discussion: """
            The CSV file needs a header naming the run's feature columns (other columns, such as the \
            target, are ignored). The run's standardization, computed from its training rows, is applied \
            by the model itself. Predictions are written one per line under a header naming the target \
            column, to --output or standard output.
            """
    )

    @Argument(help: ArgumentHelp("A regression run folder written by 'ember train --task regression'.", valueName: "run-folder"))
    var folder: String

    @Option(help: ArgumentHelp("The rows to predict, a CSV file with a header.", valueName: "file"))
    var input: String

    @Option(help: ArgumentHelp("Where to write the predictions (CSV); standard output when not given.", valueName: "file"))
    var output: String?

    func run() throws {
        let predictor = try RegressionPredictor(folder: folder)
        let values = try predictor.predict(csv: input)
        let text = ([predictor.info.target] + values.map { "\($0)" }).joined(separator: "\n") + "\n"
        if let output {
            try FileIO.writeAtomically(text, to: output)
            print("Wrote \(values.count) predictions of \(predictor.info.target) to \(output)")
        } else {
            print(text, terminator: "")
        }
    }
}
