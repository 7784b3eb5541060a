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
        guard let models = reader.value("models") else {
            throw ConfigurationError(path: "models", "required: a non-empty array of models")
        }
        guard case .array(let items) = models, !items.isEmpty else {
            throw ConfigurationError(path: "models", "expected a non-empty array of models")
        }
        var names = Set<String>()
        for (i, item) in items.enumerated() {
            let entry = try ModelEntry.read(item, path: "models[\(i)]")
            guard names.insert(entry.name).inserted else {
                throw ConfigurationError(path: "models[\(i)].name", "duplicate model name \"\(entry.name)\"")
            }
            configuration.models.append(entry)
        }
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
    var trimmingSpaces: String {
        String(self.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

extension ServiceConfiguration.Server {
    mutating func read(_ r: inout ObjectReader) throws(ConfigurationError) {
        host = try r.string("host") ?? host
        port = try r.int("port", 0...65535, default: port)
        maxConnections = try r.int("max_connections", 1...1_000_000, default: maxConnections)
        maxResponseBytes = try r.int("max_response_bytes", 1024...(1 << 40), default: maxResponseBytes)
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
            try limits.finish()
        }
        if var timeouts = try r.object("timeouts") {
            let range = 1...86_400_000
            headerTimeoutMilliseconds = try timeouts.int("header_ms", range, default: headerTimeoutMilliseconds)
            idleTimeoutMilliseconds = try timeouts.int("idle_ms", range, default: idleTimeoutMilliseconds)
            bodyTimeoutMilliseconds = try timeouts.int("body_ms", range, default: bodyTimeoutMilliseconds)
            writeTimeoutMilliseconds = try timeouts.int("write_ms", range, default: writeTimeoutMilliseconds)
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

extension ServiceConfiguration.Compute {
    mutating func read(_ r: inout ObjectReader) throws(ConfigurationError) {
        threads = try r.int("threads", 0...1024, default: threads)
        maxRequestTokens = try r.int("max_request_tokens", 1...(1 << 24), default: maxRequestTokens)
        maxRequestSequences = try r.int("max_request_sequences", 1...(1 << 20), default: maxRequestSequences)
        if var batching = try r.object("batching") {
            maxBatchTokens = try batching.int("max_batch_tokens", 1...(1 << 24), default: maxBatchTokens)
            maxBatchSize = try batching.int("max_batch_size", 1...4096, default: maxBatchSize)
            maxWaitMilliseconds = try batching.double("max_wait_ms", 0...1000, default: maxWaitMilliseconds)
            queueCapacity = try batching.int("queue_capacity", 1...1_000_000, default: queueCapacity)
            try batching.finish()
        }
    }
}

extension ServiceConfiguration.ModelEntry {
    static func read(_ value: JSONValue, path: String) throws(ConfigurationError) -> Self {
        var r = try ObjectReader(value, path: path)
        guard let name = try r.string("name"), !name.isEmpty else {
            throw ConfigurationError(path: r.child("name"), "required: a non-empty string")
        }
        guard name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "/") }) else {
            throw ConfigurationError(path: r.child("name"), "expected printable ASCII without spaces or '/'")
        }
        let architecture = r.value("architecture")
        let checkpoint = try r.string("checkpoint")
        let source: Source
        switch (architecture, checkpoint) {
        case (let a?, nil):
            let w = JSONWriter()
            w.value(a)
            do {
                let configuration = try EncoderConfiguration.decode(json: w.bytes)
                try configuration.validate()
                source = .architecture(configuration)
            } catch {
                throw ConfigurationError(path: r.child("architecture"), "\(error)")
            }
        case (nil, let c?):
            guard !c.isEmpty else { throw ConfigurationError(path: r.child("checkpoint"), "expected a folder path") }
            source = .checkpoint(c)
        default:
            throw ConfigurationError(path: path, "expected exactly one of \"architecture\" or \"checkpoint\"")
        }
        var pooling: Pooling?
        if let p = try r.string("pooling") {
            guard let parsed = Pooling(rawValue: p) else {
                throw ConfigurationError(path: r.child("pooling"), "expected one of mean, cls, max, none")
            }
            pooling = parsed
        }
        var normalize: Bool?
        if r.value("normalize") != nil { normalize = try r.bool("normalize", default: false) }
        try r.finish()
        return Self(name: name, source: source, pooling: pooling, normalize: normalize)
    }
}
