import Foundation

/// Reads the components of a `tokenizer.json` (normalizer, pre-tokenizer, model, post-processor); an unknown or
/// unsupported type is `.invalidHeader` naming the file and the component.
struct ComponentReader {
    let file: String

    private func unsupported(_ kind: String, _ type: String, _ why: String = "") -> TransformerError {
        .invalidHeader(file: file, detail: "unsupported \(kind) type '\(type)'\(why.isEmpty ? "" : " (\(why))")")
    }

    private func malformed(_ kind: String, _ detail: String) -> TransformerError {
        .invalidHeader(file: file, detail: "\(kind): \(detail)")
    }

    private func object(_ value: Any?, _ kind: String) throws(TransformerError) -> (type: String, body: [String: Any])?
    {
        if value == nil || value is NSNull { return nil }
        guard let body = value as? [String: Any] else { throw malformed(kind, "not an object") }
        guard let type = body["type"] as? String else { throw malformed(kind, "no \"type\"") }
        return (type, body)
    }

    private func string(_ body: [String: Any], _ key: String, _ kind: String) throws(TransformerError) -> String {
        guard let value = body[key] as? String else { throw malformed(kind, "\"\(key)\" is not a string") }
        return value
    }

    private func pattern(_ body: [String: Any], _ kind: String) throws(TransformerError) -> TextPattern {
        guard let pattern = TextPattern.parse(json: body["pattern"]) else {
            let source = (body["pattern"] as? [String: Any]).map { "\($0)" } ?? "missing"
            throw unsupported(kind, "\(kind) pattern \(source)", "only strings and simple regular expressions")
        }
        return pattern
    }

    func normalizer(_ value: Any?) throws(TransformerError) -> TextNormalizer? {
        guard let (type, body) = try object(value, "normalizer") else { return nil }
        switch type {
        case "BertNormalizer":
            let strip: Bool? = body["strip_accents"] is NSNull ? nil : CheckpointFiles.bool(body["strip_accents"])
            return .bert(
                cleanText: CheckpointFiles.bool(body["clean_text"]) ?? true,
                chineseCharacters: CheckpointFiles.bool(body["handle_chinese_chars"]) ?? true, stripAccents: strip,
                lowercase: CheckpointFiles.bool(body["lowercase"]) ?? true)
        case "NFC", "NFD", "NFKC", "NFKD":
            return .unicode(TextNormalizer.Form(rawValue: type) ?? .nfc)
        case "Lowercase":
            return .lowercase
        case "StripAccents":
            return .stripAccents
        case "Replace":
            return .replace(
                try pattern(body, "Replace"), content: Array(try string(body, "content", "Replace").unicodeScalars))
        case "Prepend":
            return .prepend(Array(try string(body, "prepend", "Prepend").unicodeScalars))
        case "Strip":
            return .strip(
                left: CheckpointFiles.bool(body["strip_left"]) ?? true,
                right: CheckpointFiles.bool(body["strip_right"]) ?? true)
        case "Precompiled":
            let charsmap = try string(body, "precompiled_charsmap", "normalizer Precompiled")
            do {
                return .precompiled(try PrecompiledCharsMap(base64: charsmap))
            } catch {
                throw malformed("normalizer Precompiled", "unreadable precompiled_charsmap (\(error))")
            }
        case "Sequence":
            guard let list = body["normalizers"] as? [Any] else { throw malformed("normalizer Sequence", "no list") }
            var steps: [TextNormalizer] = []
            for item in list { if let step = try normalizer(item) { steps.append(step) } }
            return .sequence(steps)
        default:
            throw unsupported("normalizer", type)
        }
    }

    private func behavior(_ body: [String: Any], _ kind: String) throws(TransformerError) -> PreTokenizer.Behavior {
        guard let raw = body["behavior"] as? String else { return .isolated }
        guard let behavior = PreTokenizer.Behavior(rawValue: raw) else {
            throw malformed(kind, "unknown behavior '\(raw)'")
        }
        return behavior
    }

    func preTokenizer(_ value: Any?) throws(TransformerError) -> PreTokenizer? {
        guard let (type, body) = try object(value, "pre_tokenizer") else { return nil }
        switch type {
        case "BertPreTokenizer":
            return .bert
        case "ByteLevel":
            return .byteLevel(
                addPrefixSpace: CheckpointFiles.bool(body["add_prefix_space"]) ?? true,
                useRegex: CheckpointFiles.bool(body["use_regex"]) ?? true)
        case "Metaspace":
            let replacement = try string(body, "replacement", "Metaspace").unicodeScalars
            guard replacement.count == 1, let scalar = replacement.first else {
                throw malformed("Metaspace", "replacement is not one character")
            }
            var scheme = PreTokenizer.PrependScheme.always
            if let raw = body["prepend_scheme"] as? String {
                guard let parsed = PreTokenizer.PrependScheme(rawValue: raw) else {
                    throw malformed("Metaspace", "unknown prepend_scheme '\(raw)'")
                }
                scheme = parsed
            } else if let add = CheckpointFiles.bool(body["add_prefix_space"]) {
                scheme = add ? .always : .never
            }
            return .metaspace(
                replacement: scalar, prepend: scheme, split: CheckpointFiles.bool(body["split"]) ?? true)
        case "Whitespace":
            return .whitespace
        case "WhitespaceSplit":
            return .whitespaceSplit
        case "Punctuation":
            return .punctuation(try behavior(body, "Punctuation"))
        case "Digits":
            return .digits(individual: CheckpointFiles.bool(body["individual_digits"]) ?? false)
        case "Split":
            return .split(
                try pattern(body, "Split"), try behavior(body, "Split"),
                invert: CheckpointFiles.bool(body["invert"]) ?? false)
        case "Sequence":
            guard let list = body["pretokenizers"] as? [Any] else {
                throw malformed("pre_tokenizer Sequence", "no list")
            }
            var steps: [PreTokenizer] = []
            for item in list { if let step = try preTokenizer(item) { steps.append(step) } }
            return .sequence(steps)
        default:
            throw unsupported("pre_tokenizer", type)
        }
    }

    func decoder(_ value: Any?) throws(TransformerError) -> TokenDecoder? {
        guard let (type, body) = try object(value, "decoder") else { return nil }
        func scalar(_ key: String, _ fallback: Unicode.Scalar) throws(TransformerError) -> Unicode.Scalar {
            guard let raw = body[key] else { return fallback }
            guard let text = raw as? String, text.unicodeScalars.count == 1, let first = text.unicodeScalars.first
            else { throw malformed("decoder \(type)", "\"\(key)\" is not one character") }
            return first
        }
        func count(_ key: String) throws(TransformerError) -> Int {
            guard let raw = body[key] else { return 0 }
            guard let value = CheckpointFiles.integer(raw), value >= 0 else {
                throw malformed("decoder \(type)", "\"\(key)\" is not a count")
            }
            return value
        }
        switch type {
        case "ByteLevel":
            return .byteLevel
        case "WordPiece":
            return .wordPiece(
                prefix: body["prefix"] as? String ?? "##", cleanup: CheckpointFiles.bool(body["cleanup"]) ?? true)
        case "Metaspace":
            var scheme = PreTokenizer.PrependScheme.always
            if let raw = body["prepend_scheme"] as? String {
                guard let parsed = PreTokenizer.PrependScheme(rawValue: raw) else {
                    throw malformed("decoder Metaspace", "unknown prepend_scheme '\(raw)'")
                }
                scheme = parsed
            } else if let add = CheckpointFiles.bool(body["add_prefix_space"]) {
                scheme = add ? .always : .never
            }
            return .metaspace(replacement: try scalar("replacement", "\u{2581}"), prependScheme: scheme)
        case "BPEDecoder":
            return .bpe(suffix: body["suffix"] as? String ?? "</w>")
        case "ByteFallback":
            return .byteFallback
        case "Fuse":
            return .fuse
        case "Strip":
            return .strip(content: try scalar("content", " "), start: try count("start"), stop: try count("stop"))
        case "Replace":
            return .replace(
                try pattern(body, "Replace"),
                content: Array(try string(body, "content", "decoder Replace").unicodeScalars))
        case "CTC":
            return .ctc(
                pad: body["pad_token"] as? String ?? "<pad>",
                wordDelimiter: body["word_delimiter_token"] as? String ?? "|",
                cleanup: CheckpointFiles.bool(body["cleanup"]) ?? true)
        case "Sequence":
            guard let list = body["decoders"] as? [Any] else { throw malformed("decoder Sequence", "no list") }
            var steps: [TokenDecoder] = []
            for item in list { if let step = try decoder(item) { steps.append(step) } }
            return .sequence(steps)
        default:
            throw unsupported("decoder", type)
        }
    }

    func model(_ body: [String: Any]) throws(TransformerError) -> any SubwordModel {
        let type = body["type"] as? String ?? (body["merges"] != nil ? "BPE" : "")
        switch type {
        case "WordPiece":
            return try WordPieceModel(json: body, file: file)
        case "BPE":
            return try BPEModel(json: body)
        case "Unigram":
            return try UnigramModel(json: body)
        default:
            throw unsupported("model", type.isEmpty ? "(none)" : type)
        }
    }

    private func special(_ value: Any?, _ kind: String) throws(TransformerError) -> PostProcessor.Special {
        guard let pair = value as? [Any], pair.count == 2, let token = pair[0] as? String,
            let id = CheckpointFiles.integer(pair[1]), id >= 0, id <= Int(Int32.max)
        else { throw malformed(kind, "special token is not [string, id]") }
        return PostProcessor.Special(token: token, id: Int32(id))
    }

    func postProcessor(_ value: Any?) throws(TransformerError) -> PostProcessor {
        guard let (type, body) = try object(value, "post_processor") else { return .none }
        switch type {
        case "BertProcessing":
            return .bert(cls: try special(body["cls"], type), sep: try special(body["sep"], type))
        case "RobertaProcessing":
            return .roberta(
                cls: try special(body["cls"], type), sep: try special(body["sep"], type),
                trimOffsets: CheckpointFiles.bool(body["trim_offsets"]) ?? true,
                addPrefixSpace: CheckpointFiles.bool(body["add_prefix_space"]) ?? true)
        case "ByteLevel":
            return .byteLevel(trimOffsets: CheckpointFiles.bool(body["trim_offsets"]) ?? true)
        case "TemplateProcessing":
            var specials: [String: (ids: [Int32], tokens: [String])] = [:]
            for (name, entry) in body["special_tokens"] as? [String: Any] ?? [:] {
                guard let object = entry as? [String: Any], let ids = object["ids"] as? [Any],
                    let tokens = object["tokens"] as? [String], ids.count == tokens.count
                else { throw malformed(type, "special token '\(name)' has no ids and tokens") }
                var parsed: [Int32] = []
                for raw in ids {
                    guard let id = CheckpointFiles.integer(raw), id >= 0, id <= Int(Int32.max) else {
                        throw malformed(type, "special token '\(name)' has a bad id")
                    }
                    parsed.append(Int32(id))
                }
                specials[name] = (parsed, tokens)
            }
            func pieces(_ key: String) throws(TransformerError) -> [PostProcessor.Piece] {
                guard let list = body[key] as? [Any] else { throw malformed(type, "no \"\(key)\" template") }
                var result: [PostProcessor.Piece] = []
                for item in list {
                    guard let object = item as? [String: Any] else { throw malformed(type, "bad \(key) piece") }
                    if let sequence = object["Sequence"] as? [String: Any], let which = sequence["id"] as? String {
                        guard which == "A" || which == "B" else { throw malformed(type, "sequence '\(which)'") }
                        let typeID = Int32(CheckpointFiles.integer(sequence["type_id"]) ?? 0)
                        result.append(.sequence(which == "A" ? 0 : 1, typeID: typeID))
                    } else if let token = object["SpecialToken"] as? [String: Any], let name = token["id"] as? String {
                        guard let entry = specials[name] else {
                            throw malformed(type, "special token '\(name)' is not in special_tokens")
                        }
                        let typeID = Int32(CheckpointFiles.integer(token["type_id"]) ?? 0)
                        result.append(.special(ids: entry.ids, tokens: entry.tokens, typeID: typeID))
                    } else {
                        throw malformed(type, "bad \(key) piece")
                    }
                }
                return result
            }
            return .template(single: try pieces("single"), pair: try pieces("pair"))
        case "Sequence":
            guard let list = body["processors"] as? [Any] else {
                throw malformed("post_processor Sequence", "no list")
            }
            var steps: [PostProcessor] = []
            for item in list { steps.append(try postProcessor(item)) }
            return .sequence(steps)
        default:
            throw unsupported("post_processor", type)
        }
    }
}
