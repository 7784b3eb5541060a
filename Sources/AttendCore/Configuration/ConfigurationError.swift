/// A configuration that cannot be used: the key path (`server.port`, `models[1].checkpoint`) and what is wrong.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
