import Foundation

extension BPEModel {
    /// Builds the model from the `"model"` object of a `tokenizer.json` (`"type": "BPE"`): `vocab`, `merges` (as
    /// `"a b"` strings or `["a", "b"]` pairs), `unk_token`, `continuing_subword_prefix`, `end_of_word_suffix`,
    /// `fuse_unk`, `byte_fallback`, `ignore_merges`; `dropout` is ignored.
    ///
    /// Throws `.invalidConfiguration` naming the field when the vocabulary or a merge is malformed or a merge
    /// names (or makes) a token the vocabulary lacks.
    public init(json: [String: Any]) throws(TransformerError) {
        if let type = json["type"] as? String, type != "BPE" {
            throw .invalidConfiguration(field: "model.type", reason: "expected BPE, found \(type)")
        }
        guard let entries = VocabularyEntries.members(json["vocab"]) else {
            throw .invalidConfiguration(field: "model.vocab", reason: "expected an object of token: id")
        }
        var vocabulary: [ExactString: Int32] = [:]
        vocabulary.reserveCapacity(entries.count)
        var largest: Int32 = -1
        for (token, value) in entries {
            guard let id = CheckpointFiles.integer(value), let id32 = Int32(exactly: id), id32 >= 0 else {
                throw .invalidConfiguration(field: "model.vocab", reason: "token '\(token)' has no valid id")
            }
            vocabulary[exact: token] = id32
            largest = max(largest, id32)
        }
        var strings = [String?](repeating: nil, count: Int(largest) + 1)
        for (token, id) in vocabulary { strings[Int(id)] = token.string }
        let prefix = Self.optionalString(json["continuing_subword_prefix"]) ?? ""
        let suffix = Self.optionalString(json["end_of_word_suffix"]) ?? ""
        let merges = try Self.merges(json["merges"], vocabulary: vocabulary, prefix: prefix)
        let unknown = Self.optionalString(json["unk_token"]).flatMap { vocabulary[exact: $0] }
        var byteTokens = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            let hex = String(byte, radix: 16, uppercase: true)
            byteTokens[byte] = vocabulary[exact: "<0x" + (byte < 16 ? "0" : "") + hex + ">"] ?? -1
        }
        self.init(
            vocabulary: vocabulary, strings: strings, merges: merges, unknown: unknown, prefix: prefix,
            suffix: suffix, fuseUnknown: CheckpointFiles.bool(json["fuse_unk"]) ?? false,
            byteFallback: CheckpointFiles.bool(json["byte_fallback"]) ?? false,
            ignoreMerges: CheckpointFiles.bool(json["ignore_merges"]) ?? false, byteTokens: byteTokens,
            characters: CharacterTable.tables(vocabulary, prefix: prefix, suffix: suffix))
    }

    private static func optionalString(_ value: Any?) -> String? { value as? String }

    /// The merge map: rank = index in the list (a repeated pair keeps its last rank, as `tokenizers`' map does).
    private static func merges(
        _ value: Any?, vocabulary: [ExactString: Int32], prefix: String
    ) throws(TransformerError) -> [UInt64: UInt64] {
        guard let list = value as? [Any] else {
            throw .invalidConfiguration(field: "model.merges", reason: "expected a list")
        }
        var merges: [UInt64: UInt64] = [:]
        merges.reserveCapacity(list.count)
        for (rank, entry) in list.enumerated() {
            let left: Substring, right: Substring
            if let line = entry as? String {
                guard let space = line.utf8.firstIndex(of: 0x20) else {
                    throw .invalidConfiguration(field: "model.merges", reason: "merge \(rank) '\(line)' has no space")
                }
                left = Substring(line.utf8[..<space])
                right = Substring(line.utf8[line.utf8.index(after: space)...])
            } else if let pair = entry as? [Any], pair.count == 2, let a = pair[0] as? String,
                let b = pair[1] as? String
            {
                left = Substring(a)
                right = Substring(b)
            } else {
                throw .invalidConfiguration(field: "model.merges", reason: "merge \(rank) is not \"a b\" or [a, b]")
            }
            guard let leftID = vocabulary[exact: String(left)], let rightID = vocabulary[exact: String(right)] else {
                let missing = vocabulary[exact: String(left)] == nil ? left : right
                throw .invalidConfiguration(
                    field: "model.merges", reason: "merge \(rank) uses '\(missing)', which is not in the vocabulary")
            }
            var tail = String(right)
            if !prefix.isEmpty, right.utf8.starts(with: prefix.utf8) {  // byte-wise, as `tokenizers` compares
                tail = String(decoding: right.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
            }
            guard let merged = vocabulary[exact: String(left) + tail] else {
                throw .invalidConfiguration(
                    field: "model.merges",
                    reason: "merge \(rank) makes '\(String(left) + tail)', which is not in the vocabulary")
            }
            let key = UInt64(UInt32(bitPattern: leftID)) << 32 | UInt64(UInt32(bitPattern: rightID))
            merges[key] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merged))
        }
        return merges
    }
}
