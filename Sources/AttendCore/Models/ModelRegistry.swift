import Foundation
import Transformer

/// The configured models and which of them are loaded. Models load after the server starts listening, so
/// `/readyz` answers 503 and model routes answer 503 `loading` until then.
public final class ModelRegistry: @unchecked Sendable {
    /// The names in configuration order (the first is the default model).
    public let names: [String]
    private let entries: [CoreConfiguration.ModelEntry]
    private let lock = NSLock()
    private var loaded: [String: ServedModel] = [:]
    private var failures: [String: String] = [:]

    public init(entries: [CoreConfiguration.ModelEntry]) {
        self.entries = entries
        self.names = entries.map(\.name)
    }

    /// Registers an already-built model (tests, `attend run`).
    public init(models: [ServedModel]) {
        self.entries = []
        self.names = models.map(\.name)
        for m in models { loaded[m.name] = m }
    }

    /// Loads every configured model not yet loaded, in order; returns the errors by model name.
    @discardableResult
    public func loadAll() -> [String: String] {
        for entry in entries where model(named: entry.name) == nil {
            do {
                let m = try ServedModel.load(entry)
                try Self.warmUp(m)
                lock.withLock { loaded[entry.name] = m }
            } catch {
                lock.withLock { failures[entry.name] = error.description }
            }
        }
        return lock.withLock { failures }
    }

    /// One short pass through a freshly loaded model before it counts as loaded (so `/readyz` turns 200 only
    /// after the weights are paged in and the kernels' buffers exist, and the first request is not the slow one).
    public static func warmUp(_ model: ServedModel) throws(TransformerError) {
        let encoding = model.tokenizer.encode("warm up", addSpecialTokens: true)
        let ids = encoding.ids.isEmpty ? [Int32(0)] : Array(encoding.ids.prefix(model.configuration.maxPositions))
        _ = try model.encoder.forward([EncoderInput(ids: ids)], options: ForwardOptions())
    }

    /// True when every configured model is loaded.
    public var isReady: Bool { lock.withLock { loaded.count == names.count } }

    /// Load errors by model name.
    public var loadErrors: [String: String] { lock.withLock { failures } }

    public func model(named name: String) -> ServedModel? { lock.withLock { loaded[name] } }

    /// The model a request names (or the default): `modelNotFound`, `modelFailed` or `modelLoading` otherwise.
    public func resolve(_ name: String?) throws(CoreError) -> ServedModel {
        let wanted = name ?? names.first ?? ""
        guard names.contains(wanted) else { throw .modelNotFound(name: wanted, available: names) }
        if let m = model(named: wanted) { return m }
        if let failure = lock.withLock({ failures[wanted] }) { throw .modelFailed(name: wanted, reason: failure) }
        throw .modelLoading(name: wanted)
    }
}
