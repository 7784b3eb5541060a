/// The Unigram model of `tokenizers` (SentencePiece's): the most probable segmentation by Viterbi over the byte
/// lattice of vocabulary pieces, as `encode_optimized` does it — ties keep the first candidate found (shorter
/// pieces first, the unknown candidate last), a character with no one-character piece gets the unknown candidate
/// scored `min score − 10`, consecutive unknown pieces fuse into one, and with `byte_fallback` an unknown piece
/// becomes its `<0xNN>` byte tokens (each spanning the whole piece, as there) when all of them exist.
///
/// Without `unk_id`, where `tokenizers` fails the encoding, characters no piece covers are dropped.
public struct UnigramModel: SubwordModel {
    /// Pieces by id and their log-probabilities.
    let pieces: [String]
    let scores: [Double]
    /// Piece string → id, byte-exact (a repeated piece keeps its last id).
    let vocabulary: [ExactString: Int32]
    let trie: ByteTrie
    let unknown: Int32?
    let byteFallback: Bool
    /// The id of `<0xNN>` for each byte (-1 when absent).
    let byteTokens: [Int32]
    /// Score of the unknown candidate: the lowest piece score minus 10 (`K_UNK_PENALTY`).
    let unknownScore: Double
    let cache = SubwordCache()

    /// The number of pieces.
    public var vocabularySize: Int { pieces.count }

    /// The id of a piece.
    public func id(of token: String) -> Int32? { vocabulary[exact: token] }

    /// The piece of an id.
    public func token(of id: Int32) -> String? {
        guard id >= 0, Int(id) < pieces.count else { return nil }
        return pieces[Int(id)]
    }

    /// The tokens of one pre-tokenized word, with their UTF-8 byte ranges.
    public func tokenize(_ word: String) -> [SubwordToken] {
        if word.isEmpty { return [] }
        if let hit = cache.tokens(of: word) { return hit }
        var text = word
        let tokens = text.withUTF8 { bytes in
            var tokens: [SubwordToken] = []
            for (range, id) in viterbi(bytes) { append(range, id, bytes, to: &tokens) }
            return tokens
        }
        cache.store(tokens, for: word)
        return tokens
    }

    /// The tokens of one segment of the best path (`id` -1 or the unknown id: an unknown piece).
    private func append(
        _ range: Range<Int>, _ id: Int32, _ bytes: UnsafeBufferPointer<UInt8>, to tokens: inout [SubwordToken]
    ) {
        if id >= 0, id != unknown {
            tokens.append(SubwordToken(id: id, value: pieces[Int(id)], bytes: range))
            return
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        if let known = vocabulary[exact: text] {
            tokens.append(SubwordToken(id: known, value: text, bytes: range))
            return
        }
        if byteFallback {
            let ids = bytes[range].map { byteTokens[Int($0)] }
            if ids.allSatisfy({ $0 >= 0 }) {
                for id in ids { tokens.append(SubwordToken(id: id, value: pieces[Int(id)], bytes: range)) }
                return
            }
        }
        if let unknown { tokens.append(SubwordToken(id: unknown, value: text, bytes: range)) }
    }
}
