import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Small file helpers for checkpoint folders; every failure is a ``TransformerError`` naming the file.
enum CheckpointFiles {
    /// `directory/name`, without doubling a trailing slash.
    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    /// Whether a regular file exists at `path`.
    static func isFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// The whole file.
    static func read(_ path: String) throws(TransformerError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileNotFound(file: path)
        }
        guard !isDirectory.boolValue else { throw .unreadable(file: path, errno: EISDIR) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(file: path, errno: EIO)
        }
        return [UInt8](data)
    }

    /// The file parsed as a JSON object.
    static func jsonObject(_ path: String) throws(TransformerError) -> [String: Any] {
        let bytes = try read(path)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: []) else {
            throw .invalidHeader(file: path, detail: "not valid JSON")
        }
        guard let dictionary = object as? [String: Any] else {
            throw .invalidHeader(file: path, detail: "not a JSON object")
        }
        return dictionary
    }

    /// The file parsed as a JSON array.
    static func jsonArray(_ path: String) throws(TransformerError) -> [Any] {
        let bytes = try read(path)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: []) else {
            throw .invalidHeader(file: path, detail: "not valid JSON")
        }
        guard let array = object as? [Any] else {
            throw .invalidHeader(file: path, detail: "not a JSON array")
        }
        return array
    }

    /// A JSON boolean (JSONSerialization yields NSNumber or Bool depending on the platform).
    static func bool(_ value: Any?) -> Bool? {
        if let flag = value as? Bool { return flag }
        if let number = value as? NSNumber { return number.intValue != 0 }
        return nil
    }

    /// A JSON integer (rejects fractions).
    static func integer(_ value: Any?) -> Int? {
        guard let number = value as? NSNumber else { return nil }
        return Int(exactly: number.doubleValue)
    }

    /// The integer `json[key]` of a configuration file: `value` when the key is absent or null, else an error
    /// naming the key (missing without a default, or not an integer) and `file`.
    static func integer(
        _ key: String, in json: [String: Any], default value: Int? = nil, file: String
    ) throws(TransformerError) -> Int {
        guard let raw = json[key], !(raw is NSNull) else {
            guard let value else { throw .invalidConfiguration(field: key, reason: "missing in \(file)") }
            return value
        }
        guard let number = integer(raw) else {
            throw .invalidConfiguration(field: key, reason: "not an integer in \(file)")
        }
        return number
    }

    /// A JSON number as Double.
    static func double(_ value: Any?) -> Double? {
        guard let number = value as? NSNumber else { return nil }
        return number.doubleValue
    }
}
