import ArgumentParser
import EmberTrain

/// `ember recommend`: the top unseen items for a user of a recommendation run.
struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommend",
        abstract: "Print the k best items a user has not rated, from a run of 'ember train --task recommend'.",
        discussion: """
            Users and items are named by the ids of the ratings file (for --dataset synthetic: u0, u1, ... \
            and i0, i1, ...). Scores are predicted ratings for --model mf and logits for --model ncf.
            """
    )

    @Argument(help: ArgumentHelp("A recommendation run folder.", valueName: "run-folder"))
    var folder: String

    @Option(help: "The user, by the ratings file's id.")
    var user: String

    @Option(parsing: .unconditional, help: "How many items.")
    var k: Int = 10

    func validate() throws {
        if k < 1 || k > 100_000 { throw ValidationError("--k must be in 1...100000, got \(k)") }
    }

    func run() throws {
        let rec = try RecommenderRun(folder: folder)
        for (rank, (item, score)) in try rec.recommend(user: user, k: k).enumerated() {
            print("\(rank + 1)\t\(item)\t\(Format.fixed(score, 4))")
        }
    }
}
