import Foundation

extension UnigramModel {
    /// Builds the model from the `"model"` object of a `tokenizer.json` (`"type": "Unigram"`): `vocab` as
    /// `[[piece, score], …]`, `unk_id`, `byte_fallback`.
    ///
    /// Throws `.invalidConfiguration` naming the field for a malformed vocabulary or an `unk_id` outside it.
    public init(json: [String: Any]) throws(TransformerError) {
        if let type = json["type"] as? String, type != "Unigram" {
            throw .invalidConfiguration(field: "model.type", reason: "expected Unigram, found \(type)")
        }
        let exact = (json["vocab"] as? VocabularyEntries)?.entries.map { [$0.token, $0.value] as [Any] }
        guard let entries = exact ?? json["vocab"] as? [Any] else {
            throw .invalidConfiguration(field: "model.vocab", reason: "expected a list of [piece, score]")
        }
        var pieces: [String] = [], scores: [Double] = []
        pieces.reserveCapacity(entries.count)
        scores.reserveCapacity(entries.count)
        var vocabulary: [ExactString: Int32] = [:]
        vocabulary.reserveCapacity(entries.count)
        var minimum = Double.infinity
        for (index, entry) in entries.enumerated() {
            guard let pair = entry as? [Any], pair.count == 2, let piece = pair[0] as? String,
                let score = CheckpointFiles.double(pair[1])
            else {
                throw .invalidConfiguration(field: "model.vocab", reason: "entry \(index) is not [piece, score]")
            }
            pieces.append(piece)
            scores.append(score)
            vocabulary[exact: piece] = Int32(index)
            minimum = min(minimum, score)
        }
        var trie = ByteTrie()
        for (piece, id) in vocabulary where !piece.string.isEmpty { trie.insert(piece.string.utf8, id: id) }
        var unknown: Int32?
        if let value = json["unk_id"], !(value is NSNull) {
            guard let id = CheckpointFiles.integer(value), id >= 0, id < pieces.count else {
                throw .invalidConfiguration(
                    field: "model.unk_id", reason: "\(value) is not an index of the \(pieces.count) pieces")
            }
            unknown = Int32(id)
        }
        var byteTokens = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            let hex = String(byte, radix: 16, uppercase: true)
            byteTokens[byte] = vocabulary[exact: "<0x" + (byte < 16 ? "0" : "") + hex + ">"] ?? -1
        }
        self.init(
            pieces: pieces, scores: scores, vocabulary: vocabulary, trie: trie, unknown: unknown,
            byteFallback: CheckpointFiles.bool(json["byte_fallback"]) ?? false, byteTokens: byteTokens,
            unknownScore: minimum - 10)
    }
}
