// libFuzzer entry for the tokenizers. Compiled by `scripts/fuzz/run tokenizer` together with the WordPiece, basic
// and hashing tokenizer sources of Sources/Transformer (one module, so no import). The WordPiece vocabulary is the
// test fixture (BERT uncased, 30522 tokens, loaded once like WordPieceTokenizerTests does, from the folder in
// $ATTEND_FUZZ_TOKENIZER); a cased tokenizer over the same vocabulary (no accent stripping, 20-scalar words) and
// the hashing tokenizer (the fixture's vocabulary size, and 6) run alongside.
//
// The input is (possibly invalid) UTF-8 text, decoded with replacement as a request's string would never be (the
// JSON parser rejects invalid UTF-8), so U+FFFD and every other scalar reach the tokenizers. Properties checked on
// every input (the cased tokenizer's only without special tokens, and 6-id hashing only as the id of each word):
//   1. no crash or hang;
//   2. the parallel arrays have one entry per token; ids lie in 0..<vocabularySize; WordPiece tokens are the
//      vocabulary strings of their ids;
//   3. with special tokens: `[CLS]` first and `[SEP]` last, masked as special, without offsets or word ids, and
//      the tokens between them are exactly the encoding without special tokens;
//   4. every other token has an offset inside the text's Unicode-scalar count, not empty, with lower bounds
//      non-decreasing, and a word id, non-decreasing, starting at 0 without gaps;
//   5. WordPiece (uncased) and hashing split the text into the same words: per word id, the union of WordPiece's
//      offsets is hashing's offset;
//   6. words mode (the text split at spaces, with special tokens): word ids are the word indexes, non-decreasing,
//      offsets lie inside their own word, ids in range.
//   7. pairs (the text split at its first newline): with and without a maximum length, `[CLS] a [SEP] b [SEP]`
//      within the length, token types 0 up to `sentence_b_start` and 1 from it, and without a maximum length the
//      two segments are exactly the two texts' own encodings.

import Foundation

private struct Tokenizers: @unchecked Sendable {
    let uncased: WordPieceTokenizer
    let cased: WordPieceTokenizer
    let hashing: HashingTokenizer
    let tinyHashing: HashingTokenizer
}

private let tokenizers: Tokenizers = {
    guard let directory = ProcessInfo.processInfo.environment["ATTEND_FUZZ_TOKENIZER"] else {
        fatalError("ATTEND_FUZZ_TOKENIZER is not set (scripts/fuzz/run tokenizer sets it)")
    }
    do {
        let uncased = try WordPieceTokenizer.load(directory: directory)
        let cased = try WordPieceTokenizer(
            vocabularyFile: directory + "/vocab.txt",
            options: .init(lowercase: false, stripAccents: false, maxInputCharactersPerWord: 20))
        return Tokenizers(
            uncased: uncased, cased: cased, hashing: HashingTokenizer(vocabularySize: uncased.vocabularySize),
            tinyHashing: HashingTokenizer(vocabularySize: 6))
    } catch {
        fatalError("cannot load the tokenizer in \(directory): \(error)")
    }
}()

private func fail(_ message: String, _ text: String) -> Never {
    fatalError("\(message)\ntext (\(text.unicodeScalars.count) scalars): \(String(text.prefix(300)).debugDescription)")
}

/// Properties 2 and 4 (and 3 when `special`); `length` is the scalar count offsets must lie within.
private func checkShape(
    _ e: Encoding, of tokenizer: some Tokenizer, special: Bool, length: Int, name: String, _ text: String
) {
    let n = e.ids.count
    guard e.tokens.count == n, e.offsets.count == n, e.wordIDs.count == n, e.specialTokensMask.count == n else {
        fail("\(name): arrays of different lengths", text)
    }
    for (token, id) in zip(e.tokens, e.ids) {
        guard id >= 0, Int(id) < tokenizer.vocabularySize else { fail("\(name): id \(id) out of range", text) }
        if let known = tokenizer.token(for: id), tokenizer is WordPieceTokenizer, known != token {
            fail("\(name): token \(token.debugDescription) has the id of \(known.debugDescription)", text)
        }
    }
    var body = 0..<n
    if special {
        guard n >= 2, e.tokens.first == "[CLS]", e.tokens.last == "[SEP]",
            e.specialTokensMask.first == true, e.specialTokensMask.last == true,
            e.offsets.first! == nil, e.offsets.last! == nil, e.wordIDs.first! == nil, e.wordIDs.last! == nil
        else { fail("\(name): no [CLS] ... [SEP] around \(e.tokens)", text) }
        body = 1..<(n - 1)
    }
    var previousLower = 0
    var previousWord = -1
    for i in body {
        guard !e.specialTokensMask[i] else { fail("\(name): token \(i) masked as special", text) }
        guard let offset = e.offsets[i], let word = e.wordIDs[i] else {
            fail("\(name): token \(i) \(e.tokens[i].debugDescription) without offset or word id", text)
        }
        guard offset.lowerBound >= 0, offset.upperBound <= length, !offset.isEmpty else {
            fail("\(name): token \(i) \(e.tokens[i].debugDescription) offset \(offset) outside 0..<\(length)", text)
        }
        guard offset.lowerBound >= previousLower else {
            fail("\(name): token \(i) \(e.tokens[i].debugDescription) offset \(offset) before \(previousLower)", text)
        }
        guard word == previousWord || word == previousWord + 1, previousWord >= 0 || word == 0 else {
            fail("\(name): token \(i) has word id \(word) after \(previousWord)", text)
        }
        previousLower = offset.lowerBound
        previousWord = word
    }
}

/// Properties 2-4 for `text` through `encode(_:addSpecialTokens:)`; returns the encoding without specials.
private func checkText(_ tokenizer: some Tokenizer, name: String, _ text: String, length: Int) -> Encoding {
    let plain = tokenizer.encode(text, addSpecialTokens: false)
    checkShape(plain, of: tokenizer, special: false, length: length, name: name, text)
    let wrapped = tokenizer.encode(text, addSpecialTokens: true)
    checkShape(wrapped, of: tokenizer, special: true, length: length, name: name + " +special", text)
    let inner = Encoding(
        tokens: Array(wrapped.tokens.dropFirst().dropLast()), ids: Array(wrapped.ids.dropFirst().dropLast()),
        offsets: Array(wrapped.offsets.dropFirst().dropLast()),
        wordIDs: Array(wrapped.wordIDs.dropFirst().dropLast()),
        specialTokensMask: Array(wrapped.specialTokensMask.dropFirst().dropLast()))
    if inner != plain { fail("\(name): the encoding inside [CLS] ... [SEP] differs from the plain one", text) }
    return plain
}

/// Property 6.
private func checkWords(_ tokenizer: some Tokenizer, name: String, _ words: [String], _ text: String) {
    let e = tokenizer.encode(words: words, addSpecialTokens: true)
    let n = e.ids.count
    guard e.tokens.count == n, e.offsets.count == n, e.wordIDs.count == n, e.specialTokensMask.count == n else {
        fail("\(name) words: arrays of different lengths", text)
    }
    guard n >= 2, e.tokens.first == "[CLS]", e.tokens.last == "[SEP]", e.specialTokensMask.first == true,
        e.specialTokensMask.last == true, e.specialTokensMask.dropFirst().dropLast().allSatisfy({ !$0 })
    else { fail("\(name) words: no [CLS] ... [SEP] around \(e.tokens)", text) }
    var previousWord = 0
    for i in 1..<(n - 1) {
        guard let word = e.wordIDs[i], word >= previousWord, word < words.count, let offset = e.offsets[i],
            offset.lowerBound >= 0, offset.upperBound <= words[word].unicodeScalars.count, !offset.isEmpty
        else {
            fail(
                "\(name) words: token \(i) word id \(String(describing: e.wordIDs[i])) offset "
                    + "\(String(describing: e.offsets[i])) in \(words.count) words", text)
        }
        guard e.ids[i] >= 0, Int(e.ids[i]) < tokenizer.vocabularySize else {
            fail("\(name) words: id \(e.ids[i]) out of range", text)
        }
        previousWord = word
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let length = text.unicodeScalars.count
    let t = tokenizers

    let pieces = checkText(t.uncased, name: "wordpiece", text, length: length)
    let cased = t.cased.encode(text, addSpecialTokens: false)
    checkShape(cased, of: t.cased, special: false, length: length, name: "wordpiece cased", text)
    let words = checkText(t.hashing, name: "hashing", text, length: length)
    for (token, special) in zip(words.tokens, words.specialTokensMask) where !special {
        let id = t.tinyHashing.id(forWord: token)
        guard id >= 0, id < 6 else { fail("hashing(6): id \(id) for \(token.debugDescription)", text) }
    }

    // Property 5: the same words, WordPiece's pieces of word w covering exactly hashing's offset of w.
    let wordCount = (pieces.wordIDs.last ?? nil).map { $0 + 1 } ?? 0
    guard wordCount == words.count else {
        fail("wordpiece has \(wordCount) words, hashing \(words.count)", text)
    }
    var span: [Range<Int>?] = Array(repeating: nil, count: wordCount)
    for (word, offset) in zip(pieces.wordIDs, pieces.offsets) {
        guard let w = word, let o = offset else { continue }
        let s = span[w] ?? o
        span[w] = min(s.lowerBound, o.lowerBound)..<max(s.upperBound, o.upperBound)
    }
    for w in 0..<wordCount where span[w] != words.offsets[w] {
        let hashed = String(describing: words.offsets[w])
        fail("word \(w): wordpiece spans \(String(describing: span[w])), hashing \(hashed)", text)
    }

    let split = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
    checkWords(t.uncased, name: "wordpiece", split, text)
    checkWords(t.hashing, name: "hashing", split, text)
    checkPair(t.uncased, text)
    return 0
}

/// Property 7.
private func checkPair(_ tokenizer: WordPieceTokenizer, _ text: String) {
    let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
    let (first, second) = (parts[0], parts.count > 1 ? parts[1] : "")
    let a = tokenizer.encode(first, addSpecialTokens: false)
    let b = tokenizer.encode(second, addSpecialTokens: false)
    for maxLength in [nil, 3, 16] as [Int?] {
        let e = tokenizer.encode(first, pair: second, maxLength: maxLength)
        let n = e.ids.count
        guard e.typeIDs.count == n, let start = e.secondSegmentStart, start >= 2, start < n else {
            fail("pair (max \(String(describing: maxLength))): no second segment in \(e.tokens)", text)
        }
        if let maxLength, n > max(maxLength, 3) { fail("pair: \(n) tokens over the maximum \(maxLength)", text) }
        guard e.tokens.first == "[CLS]", e.tokens.last == "[SEP]", e.tokens[start - 1] == "[SEP]" else {
            fail("pair: no [CLS] a [SEP] b [SEP] in \(e.tokens)", text)
        }
        for i in 0..<n where e.typeIDs[i] != (i < start ? 0 : 1) {
            fail("pair: token \(i) has type \(e.typeIDs[i]), the second segment starts at \(start)", text)
        }
        if maxLength == nil {
            guard Array(e.ids[1..<(start - 1)]) == a.ids, Array(e.ids[start..<(n - 1)]) == b.ids else {
                fail("pair: the segments are not the texts' own encodings", text)
            }
        }
    }
}
