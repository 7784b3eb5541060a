import AttendCore
import Foundation
import JSON
import Transformer

extension ServiceConfiguration {
    /// Parses a configuration document; see README.md "Configuration" for every key.
    public static func parse(json: [UInt8]) throws(ConfigurationError) -> ServiceConfiguration {
        let root: JSONValue
        do {
            root = try JSONParser().parse(json)
        } catch {
            throw ConfigurationError(path: "", "invalid JSON: \(error)")
        }
        var reader = try ObjectReader(root, path: "")
        var configuration = ServiceConfiguration()
        if var server = try reader.object("server") {
            try configuration.server.read(&server)
            try server.finish()
        }
        if var compute = try reader.object("compute") {
            try configuration.compute.read(&compute)
            try compute.finish()
        }
        configuration.models = try CoreConfiguration.readModels(reader.value("models"))
        try reader.finish()
        return configuration
    }

    /// Applies the container-friendly environment overrides: `HOST`, `PORT`, `ATTEND_API_KEYS` (comma-separated),
    /// `ATTEND_LOG_FORMAT` (text|json), `ATTEND_THREADS`. Bad values name the variable.
    public mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigurationError) {
        if let host = environment["HOST"], !host.isEmpty { server.host = host }
        if let port = environment["PORT"], !port.isEmpty {
            guard let p = Int(port), (0...65535).contains(p) else {
                throw ConfigurationError(path: "PORT", "expected integer 0...65535")
            }
            server.port = p
        }
        if let keys = environment["ATTEND_API_KEYS"], !keys.isEmpty {
            server.apiKeys = keys.split(separator: ",").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        }
        if let format = environment["ATTEND_LOG_FORMAT"], !format.isEmpty {
            guard let f = LogFormat(rawValue: format) else {
                throw ConfigurationError(path: "ATTEND_LOG_FORMAT", "expected one of text, json")
            }
            server.logFormat = f
        }
        if let threads = environment["ATTEND_THREADS"], !threads.isEmpty {
            guard let t = Int(threads), (0...1024).contains(t) else {
                throw ConfigurationError(path: "ATTEND_THREADS", "expected integer 0...1024")
            }
            compute.threads = t
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

extension ServiceConfiguration.Server {
    mutating func read(_ r: inout ObjectReader) throws(ConfigurationError) {
        host = try r.string("host") ?? host
        port = try r.int("port", 0...65535, default: port)
        maxConnections = try r.int("max_connections", 1...1_000_000, default: maxConnections)
        maxResponseBytes = try r.int("max_response_bytes", 1024...(1 << 40), default: maxResponseBytes)
        exposePaths = try r.bool("expose_paths", default: exposePaths)
        maxQueuedWriteBytes = try r.int("max_queued_write_bytes", (1 << 20)...(1 << 40), default: maxQueuedWriteBytes)
        apiKeys = try r.strings("api_keys")
        if let empty = apiKeys.firstIndex(where: { $0.isEmpty }) {
            throw ConfigurationError(path: "\(r.child("api_keys"))[\(empty)]", "expected a non-empty string")
        }
        let format = try r.string("log_format", oneOf: ["text", "json"], default: logFormat.rawValue)
        logFormat = ServiceConfiguration.LogFormat(rawValue: format) ?? .text
        if var limits = try r.object("limits") {
            maxBodyBytes = try limits.int("max_body_bytes", 0...(1 << 34), default: maxBodyBytes)
            maxHeaderBytes = try limits.int("max_header_bytes", 256...(1 << 24), default: maxHeaderBytes)
            maxHeaders = try limits.int("max_headers", 1...10_000, default: maxHeaders)
            maxRequestLineBytes = try limits.int("max_request_line_bytes", 64...(1 << 20), default: maxRequestLineBytes)
            maxPipelinedBytes = try limits.int("max_pipelined_bytes", 0...(1 << 34), default: maxPipelinedBytes)
            try limits.finish()
        }
        if var timeouts = try r.object("timeouts") {
            let range = 1...86_400_000
            headerTimeoutMilliseconds = try timeouts.int("header_ms", range, default: headerTimeoutMilliseconds)
            idleTimeoutMilliseconds = try timeouts.int("idle_ms", range, default: idleTimeoutMilliseconds)
            bodyTimeoutMilliseconds = try timeouts.int("body_ms", range, default: bodyTimeoutMilliseconds)
            writeTimeoutMilliseconds = try timeouts.int("write_ms", range, default: writeTimeoutMilliseconds)
            minimumBodyRate = try timeouts.int("min_body_rate", 0...(1 << 34), default: minimumBodyRate)
            minimumWriteRate = try timeouts.int("min_write_rate", 0...(1 << 34), default: minimumWriteRate)
            rateGraceMilliseconds = try timeouts.int("rate_grace_ms", 0...86_400_000, default: rateGraceMilliseconds)
            try timeouts.finish()
        }
        if var gzipReader = try r.object("gzip") {
            gzip = try gzipReader.bool("enabled", default: gzip)
            gzipMinimumBytes = try gzipReader.int("min_bytes", 0...(1 << 30), default: gzipMinimumBytes)
            try gzipReader.finish()
        }
        if var tls = try r.object("tls") {
            guard let cert = try tls.string("cert"), !cert.isEmpty else {
                throw ConfigurationError(path: tls.child("cert"), "required: path of the PEM certificate")
            }
            guard let key = try tls.string("key"), !key.isEmpty else {
                throw ConfigurationError(path: tls.child("key"), "required: path of the PEM private key")
            }
            tlsCertificatePath = cert
            tlsKeyPath = key
            try tls.finish()
        }
    }
}

extension ServiceConfiguration {
    /// Makes every relative `checkpoint` folder relative to `folder` (the configuration file's), not to the working
    /// directory, so a file names its models the same way wherever `attend` is started.
    public mutating func resolveCheckpoints(relativeTo folder: URL) {
        for i in models.indices {
            guard case .checkpoint(let path) = models[i].source, !path.hasPrefix("/") else { continue }
            models[i].source = .checkpoint(folder.appendingPathComponent(path).standardizedFileURL.path)
        }
    }
}
