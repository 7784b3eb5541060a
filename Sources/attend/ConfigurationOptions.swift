import ArgumentParser
import AttendCore
import AttendHTTP
import Foundation

/// `--config`, shared by the subcommands.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "Configuration file (JSON). Default: $ATTEND_CONFIG, else the embedded default.")
    var config: String?

    /// Reads the file (or the embedded default) and applies the environment overrides.
    func load() throws -> ServiceConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let path = config ?? environment["ATTEND_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        var configuration: ServiceConfiguration
        if let path {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read configuration file \(path)")
            }
            do {
                configuration = try ServiceConfiguration.parse(json: Array(data))
            } catch {
                throw ValidationError("\(path): \(error)")
            }
            configuration.resolveCheckpoints(relativeTo: URL(fileURLWithPath: path).deletingLastPathComponent())
        } else {
            configuration = try ServiceConfiguration.embeddedDefault()
        }
        do {
            try configuration.applyEnvironment(environment)
        } catch {
            throw ValidationError("environment: \(error)")
        }
        return configuration
    }
}
