import JSON
import Transformer

extension CoreConfiguration.Compute {
    /// Reads the `compute` object (unknown keys are the caller's `finish()`).
    package mutating func read(_ r: inout ObjectReader) throws(ConfigurationError) {
        threads = try r.int("threads", 0...1024, default: threads)
        maxRequestTokens = try r.int("max_request_tokens", 1...(1 << 24), default: maxRequestTokens)
        maxRequestSequences = try r.int("max_request_sequences", 1...(1 << 20), default: maxRequestSequences)
        if r.value("max_memory_bytes") != nil {
            maxMemoryBytes = try r.int("max_memory_bytes", (16 << 20)...(1 << 44), default: 0)
        }
        maxBudgetWaitMilliseconds = try r.int("budget_wait_ms", 0...600_000, default: maxBudgetWaitMilliseconds)
        if var batching = try r.object("batching") {
            maxBatchTokens = try batching.int("max_batch_tokens", 1...(1 << 24), default: maxBatchTokens)
            maxBatchSize = try batching.int("max_batch_size", 1...4096, default: maxBatchSize)
            maxWaitMilliseconds = try batching.double("max_wait_ms", 0...1000, default: maxWaitMilliseconds)
            queueCapacity = try batching.int("queue_capacity", 1...1_000_000, default: queueCapacity)
            maxQueueMilliseconds = try batching.int("max_queue_ms", 0...600_000, default: maxQueueMilliseconds)
            try batching.finish()
        }
    }
}

extension CoreConfiguration.ModelEntry {
    /// Reads one entry of `models` at `path`.
    package static func read(_ value: JSONValue, path: String) throws(ConfigurationError) -> Self {
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
        var matryoshka: [Int] = []
        if let m = r.value("matryoshka_dimensions"), m != .null {
            guard case .array(let items) = m else {
                throw ConfigurationError(path: r.child("matryoshka_dimensions"), "expected an array of integers")
            }
            for (i, item) in items.enumerated() {
                guard case .number(let n) = item, let d = n.int, (1...65536).contains(d) else {
                    throw ConfigurationError(
                        path: "\(r.child("matryoshka_dimensions"))[\(i)]", "expected integer 1...65536")
                }
                matryoshka.append(d)
            }
        }
        try r.finish()
        return Self(
            name: name, source: source, pooling: pooling, normalize: normalize, matryoshkaDimensions: matryoshka)
    }
}

extension CoreConfiguration {
    /// Reads the `models` member: a non-empty array of uniquely named entries.
    package static func readModels(_ models: JSONValue?) throws(ConfigurationError) -> [ModelEntry] {
        guard let models else {
            throw ConfigurationError(path: "models", "required: a non-empty array of models")
        }
        guard case .array(let items) = models, !items.isEmpty else {
            throw ConfigurationError(path: "models", "expected a non-empty array of models")
        }
        var names = Set<String>()
        var entries: [ModelEntry] = []
        for (i, item) in items.enumerated() {
            let entry = try ModelEntry.read(item, path: "models[\(i)]")
            guard names.insert(entry.name).inserted else {
                throw ConfigurationError(path: "models[\(i)].name", "duplicate model name \"\(entry.name)\"")
            }
            entries.append(entry)
        }
        return entries
    }
}
