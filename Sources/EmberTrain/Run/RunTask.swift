extension RunConfig {
    /// What a run learns (`ember train --task`).
    public enum Task: String, Codable, Sendable, CaseIterable {
        /// Classes from images or CSV rows: cross-entropy, accuracy (the default).
        case classification
        /// A real value from CSV rows: mean squared error, MAE and R².
        case regression
        /// The next token of a text: cross-entropy per token, perplexity.
        case lm
        /// Items for users from ratings: RMSE (explicit) or HR@10 and NDCG@10 (implicit).
        case recommend

        /// The model a task trains when `--model` is not given.
        public var defaultModel: Model {
            switch self {
            case .classification: return .cnn
            case .regression: return .mlp
            case .lm: return .charLSTM
            case .recommend: return .mf
            }
        }
    }

    /// The defaults of `task`: the classification defaults of `init()`, or for regression an
    /// MLP 64-64 trained with Adam (lr 0.003, batch 32, 200 epochs, no schedule, 20% held out).
    public init(task: Task) {
        self.init()
        self.task = task
        model = task.defaultModel
        switch task {
        case .classification:
            self.task = nil
        case .regression:
            dataset = ""
            epochs = 200
            batchSize = 32
            scheduler = .none
            valSplit = 0.2
            hidden = [64, 64]
            checkpointEvery = nil
        case .lm:
            dataset = "text:" + Self.defaultCorpus
            epochs = 10
            batchSize = 32
            scheduler = .cosine
            valSplit = 0.1
            languageModel = LanguageModelSettings()
        case .recommend:
            dataset = "synthetic"
            epochs = 20
            batchSize = 256
            lr = 0.01
            weightDecay = 0
            scheduler = .cosine
            valSplit = 0.1
            checkpointEvery = 50
            recommendation = RecommendationSettings()
        }
    }

    /// The default text of `--task lm`: the GNU GPL version 3, which every Debian system
    /// ships (base-files), about 35,000 characters of English.
    public static let defaultCorpus = "/usr/share/common-licenses/GPL-3"

    /// The task, classification when none was saved.
    public var resolvedTask: Task { task ?? .classification }

    /// The largest hidden layer a regression MLP may have, and the most layers.
    public static let maxHiddenWidth = 1 << 16, maxHiddenLayers = 64

    /// Checks the settings that depend on a task other than classification.
    func validateTask(_ task: Task) throws {
        func bad(_ s: String) -> RunError { .badConfig(s) }
        switch task {
        case .classification:
            return
        case .regression:
            guard dataset.hasPrefix("csv:"), dataset.count > 4 else {
                throw bad("--task regression needs --dataset csv:PATH, got '\(dataset)'")
            }
            guard let target, !target.isEmpty else { throw bad("--task regression needs --target COLUMN (the column to predict)") }
            if model != .mlp { throw bad("--task regression trains --model mlp, got \(model.rawValue)") }
            if augment || batchNorm || dropout != 0 { throw bad("--augment, --batch-norm and --dropout go with classification") }
            let widths = hidden ?? [64, 64]
            if widths.count > Self.maxHiddenLayers || widths.contains(where: { $0 < 1 || $0 > Self.maxHiddenWidth }) {
                throw bad("--hidden must be at most \(Self.maxHiddenLayers) widths in 1...\(Self.maxHiddenWidth), got \(widths)")
            }
            if languageModel != nil || recommendation != nil { throw bad("the language-model and recommendation flags go with --task lm and recommend") }
        case .lm:
            guard dataset.hasPrefix("text:"), dataset.count > 5 else {
                throw bad("--task lm needs --dataset text:PATH (a UTF-8 text file), got '\(dataset)'")
            }
            if model != .charLSTM && model != .gpt { throw bad("--task lm trains --model char-lstm or gpt, got \(model.rawValue)") }
            if augment || batchNorm || target != nil || hidden != nil { throw bad("--augment, --batch-norm, --target and --hidden do not go with --task lm") }
            if !(dropout >= 0 && dropout < 1) { throw bad("--dropout must be in [0, 1), got \(dropout.isNaN ? "nan" : "\(dropout)")") }
            try (languageModel ?? LanguageModelSettings()).validate(model: model)
            if recommendation != nil { throw bad("the recommendation flags go with --task recommend") }
        case .recommend:
            guard dataset == "synthetic" || (dataset.hasPrefix("ratings:") && dataset.count > 8) else {
                throw bad("--task recommend needs --dataset ratings:PATH (user item rating [timestamp] per line) or synthetic, got '\(dataset)'")
            }
            if model != .mf && model != .ncf { throw bad("--task recommend trains --model mf or ncf, got \(model.rawValue)") }
            if augment || batchNorm || dropout != 0 || target != nil || hidden != nil || languageModel != nil {
                throw bad("--augment, --batch-norm, --dropout, --target, --hidden and the language-model flags do not go with --task recommend")
            }
            try (recommendation ?? RecommendationSettings()).validate()
        }
    }
}

extension RunConfig {
    /// The configuration of the run saved in `folder` (its `config.json`); throws
    /// `RunError.badRunFolder` when there is no such folder, and what reading or parsing the
    /// file throws (naming it).
    public static func load(runFolder folder: String) throws -> RunConfig {
        guard FileIO.isDirectory(folder) else { throw RunError.badRunFolder(path: folder, detail: "no such run folder") }
        let path = folder + "/config.json"
        return try parse(try FileIO.read(path), path: path)
    }

    /// Throws `RunError.badRunFolder` naming this run's task when it is not `task`; `reader`
    /// says which runs the caller reads (e.g. "ember predict reads regression runs").
    func require(_ task: Task, runFolder folder: String, reader: String) throws {
        guard resolvedTask == task else {
            throw RunError.badRunFolder(path: folder, detail: "a \(resolvedTask.rawValue) run; \(reader)")
        }
    }

    /// The task of the run saved in `folder` (classification for runs saved before tasks
    /// existed); throws `RunError.badRunFolder` when its `config.json` cannot be read.
    public static func task(ofRunFolder folder: String) throws -> Task {
        guard FileIO.isDirectory(folder) else { throw RunError.badRunFolder(path: folder, detail: "no such run folder") }
        let path = folder + "/config.json"
        let text: String
        do { text = try FileIO.read(path) } catch { throw RunError.badRunFolder(path: folder, detail: "cannot read config.json: \(error)") }
        return try parse(text, path: path).resolvedTask
    }
}
