import AttendCore
import AttendHTTP
import Foundation
import JSON
import Logging

/// Bootstraps swift-log once: human-readable text or one JSON object per line, on standard error.
enum LogSetup {
    static func bootstrap(_ format: ServiceConfiguration.LogFormat) {
        switch format {
        case .text: LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        case .json: LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
        }
    }
}

/// A `LogHandler` writing `{"ts":...,"level":...,"label":...,"msg":...,<metadata>}` lines to standard error.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    init(label: String) {
        self.label = label
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let w = JSONWriter(capacity: 256)
        w.raw("{\"ts\":")
        w.string(Date().formatted(.iso8601))
        w.raw(",\"level\":")
        w.string(event.level.rawValue)
        w.raw(",\"label\":")
        w.string(label)
        w.raw(",\"msg\":")
        w.string(event.message.description)
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            w.byte(UInt8(ascii: ","))
            w.key(key)
            let text = value.description
            if let number = Int(text) {
                w.int(number)
            } else if let number = Double(text), number.isFinite, text.allSatisfy({ $0.isNumber || $0 == "." }) {
                w.double(number)
            } else {
                w.string(text)
            }
        }
        w.raw("}\n")
        let bytes = w.bytes
        FileHandle.standardError.write(Data(bytes))
    }
}
