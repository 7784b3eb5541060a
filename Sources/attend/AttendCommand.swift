import ArgumentParser

/// `attend`: serve the encoder over HTTP, answer one request from the shell, or measure speed.
@main
struct AttendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attend",
        abstract: "A transformer encoder as a service: embeddings and every layer's and head's attention maps.",
        discussion: """
            Environment overrides (after the configuration file, before flags): ATTEND_CONFIG (configuration file),
            HOST, PORT, ATTEND_API_KEYS (comma-separated), ATTEND_LOG_FORMAT (text|json), ATTEND_THREADS.
            """,
        subcommands: [Serve.self, Run.self, Bench.self],
        defaultSubcommand: Serve.self)
}
