import ArgumentParser
import EmberTrain
import EmberVision

/// `ember eval`: test accuracy, per-class table and confusion matrix of saved weights.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a run's best weights (or any weights file) on the test set.",
        discussion: """
            ember eval runs/NAME                      uses runs/NAME/config.json and runs/NAME/model.safetensors
            ember eval --weights FILE --model mlp     any weights file, with the model and data named by flags
            """
    )

    @Argument(help: ArgumentHelp("A run folder written by 'ember train'.", valueName: "run-folder"))
    var folder: String?

    @Option(help: ArgumentHelp("A safetensors state dict to evaluate instead of a run folder's.", valueName: "file"))
    var weights: String?

    @Option(help: "The architecture of --weights: mlp, cnn or resnet. (default: cnn)")
    var model: RunConfig.Model?

    @Option(help: ArgumentHelp("The data of --weights: fashion-mnist, mnist, csv:PATH or folder:PATH. (default: fashion-mnist)", valueName: "name"))
    var dataset: String?

    @Flag(help: "The --weights model has BatchNorm layers.")
    var batchNorm = false

    @Option(parsing: .unconditional, help: ArgumentHelp("The first-stage channels of a --model resnet --weights file. (default: 64)", valueName: "N"))
    var width: Int?

    @Option(help: ArgumentHelp("Where to write the PNG grid of the most confidently misclassified images. (default: misclassified.png in the run folder, or beside --weights)", valueName: "file"))
    var grid: String?

    func validate() throws {
        if folder == nil && weights == nil { throw ValidationError("give a run folder, or --weights FILE with --model") }
        if folder != nil && weights != nil { throw ValidationError("give either a run folder or --weights, not both") }
        if folder != nil && (model != nil || dataset != nil || batchNorm || width != nil) {
            throw ValidationError("--model, --dataset, --batch-norm and --width go with --weights; a run folder has its own configuration")
        }
    }

    func run() throws {
        let result: RunEvaluation
        if let folder, try RunConfig.task(ofRunFolder: folder) != .classification {
            let r = try TaskEvaluation(folder: folder)
            print("\(r.weights) (\(Format.grouped(r.parameterCount)) parameters) on the validation split, \(Format.grouped(r.count)) items")
            print((["loss \(Format.fixed(r.loss, 4))"] + r.metrics.map { "\($0.name) \(Format.fixed($0.value, 4))" }).joined(separator: "  "))
            return
        }
        if let folder {
            result = try RunEvaluation(folder: folder)
        } else {
            var config = RunConfig()
            config.model = model ?? config.model
            config.dataset = dataset ?? config.dataset
            config.batchNorm = batchNorm
            config.width = width
            config.valSplit = 0
            result = try RunEvaluation(config: config, weights: weights!)
        }
        let m = result.meter
        if let picture = result.mistakes {
            let path = grid ?? (folder.map { $0 + "/misclassified.png" } ?? Self.beside(weights!, "misclassified.png"))
            try writePNG(picture, to: path)
            print("The most confidently misclassified images, with true (T) and predicted (P) labels: \(path)")
        }
        print("\(result.weights) (\(Format.grouped(result.parameterCount)) parameters) on the \(result.split), \(Format.grouped(m.count)) samples")
        print("accuracy \(Format.percent(m.accuracy))  top-\(m.topK) \(Format.percent(m.topKAccuracy))  loss \(Format.fixed(m.loss, 4))")
        if let cm = m.confusion {
            print("")
            print(cm.report(classNames: result.classNames))
            print("")
            print("Confusion matrix (rows: true class, columns: predicted class)")
            print(cm.table(classNames: result.classNames))
        }
    }

    /// `name` in the folder of `path`.
    static func beside(_ path: String, _ name: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return name }
        return String(path[...slash]) + name
    }
}
