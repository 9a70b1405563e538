import ArgumentParser

/// The `ember` command: train, evaluate and inspect models.
@main
struct EmberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ember", abstract: "Train, evaluate and inspect Ember models.")
}
