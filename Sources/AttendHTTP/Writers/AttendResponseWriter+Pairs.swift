import JSON
import Transformer

extension AttendResponseWriter {
    /// For a text pair only (README "Text pairs"): `,"token_type_ids":[0,…,1,…],"sequence_ids":[null,0,…,null,1,…,
    /// null],"sentence_b_start":k` — the types the encoder got, which text each token's offset refers to (`null`
    /// for added special tokens, as Hugging Face's `sequence_ids()`), and the second text's first position.
    static func writePairFacts(_ encoding: Encoding, into w: JSONWriter) {
        guard let start = encoding.secondSegmentStart, let sequences = encoding.sequenceIDs else { return }
        w.raw(",\"token_type_ids\":")
        w.ints(encoding.typeIDs)
        w.raw(",\"sequence_ids\":")
        writeWordIDs(sequences, into: w)
        w.raw(",\"sentence_b_start\":")
        w.int(start)
    }
}
