import Foundation

extension WordPieceTokenizer {
    /// Loads the tokenizer of a Hugging Face folder: the vocabulary from `vocab.txt` (or, when absent, the WordPiece
    /// vocabulary inside `tokenizer.json`), the settings from `tokenizer_config.json` (`do_lower_case`,
    /// `strip_accents`, `tokenize_chinese_chars`, special tokens), overridden by `tokenizer.json`'s `BertNormalizer`
    /// and `WordPiece` model when present (that is what the fast tokenizer runs).
    ///
    /// Throws `.missingVocabulary` when neither vocabulary exists, `.invalidVocabulary` for an unusable one and
    /// `.invalidHeader` for malformed JSON.
    public static func load(directory: String) throws(TransformerError) -> WordPieceTokenizer {
        var options = Options()
        let configPath = CheckpointFiles.join(directory, "tokenizer_config.json")
        if CheckpointFiles.isFile(configPath) {
            apply(tokenizerConfig: try CheckpointFiles.jsonObject(configPath), to: &options)
        }
        let fastPath = CheckpointFiles.join(directory, "tokenizer.json")
        var fastVocabulary: [String]?
        if CheckpointFiles.isFile(fastPath) {
            let fast = try CheckpointFiles.jsonObject(fastPath)
            fastVocabulary = try apply(fastTokenizer: fast, to: &options, file: fastPath)
        }
        let vocabularyPath = CheckpointFiles.join(directory, "vocab.txt")
        if CheckpointFiles.isFile(vocabularyPath) {
            return try WordPieceTokenizer(vocabularyFile: vocabularyPath, options: options)
        }
        if let fastVocabulary {
            return try WordPieceTokenizer(vocabulary: fastVocabulary, options: options, source: fastPath)
        }
        throw .missingVocabulary(file: vocabularyPath)
    }

    /// Reads a `vocab.txt` (one token per line, id = line index; `\n`, `\r\n` and `\r` end lines as in Python's
    /// text mode).
    public init(vocabularyFile path: String, options: Options = Options()) throws(TransformerError) {
        let bytes: [UInt8]
        do {
            bytes = try CheckpointFiles.read(path)
        } catch .fileNotFound {
            throw .missingVocabulary(file: path)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidVocabulary(file: path, detail: "not UTF-8")
        }
        try self.init(vocabulary: Self.lines(text), options: options, source: path)
    }

    static func lines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previousWasCR {
                previousWasCR = false
                continue
            }
            previousWasCR = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(current))
                current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }

    private static func specialToken(_ value: Any?) -> String? {
        if let text = value as? String { return text }
        if let object = value as? [String: Any], let content = object["content"] as? String { return content }
        return nil
    }

    static func apply(tokenizerConfig config: [String: Any], to options: inout Options) {
        if let lower = CheckpointFiles.bool(config["do_lower_case"]) { options.lowercase = lower }
        if config["strip_accents"] is NSNull {
            options.stripAccents = nil
        } else if let strip = CheckpointFiles.bool(config["strip_accents"]) {
            options.stripAccents = strip
        }
        if let chinese = CheckpointFiles.bool(config["tokenize_chinese_chars"]) {
            options.tokenizeChineseCharacters = chinese
        }
        if let token = specialToken(config["unk_token"]) { options.unknownToken = token }
        if let token = specialToken(config["cls_token"]) { options.classToken = token }
        if let token = specialToken(config["sep_token"]) { options.separatorToken = token }
        if let token = specialToken(config["pad_token"]) { options.padToken = token }
        if let token = specialToken(config["mask_token"]) { options.maskToken = token }
    }

    /// Applies `tokenizer.json`'s BertNormalizer and WordPiece settings; returns its vocabulary ordered by id.
    static func apply(
        fastTokenizer json: [String: Any], to options: inout Options, file: String
    ) throws(TransformerError) -> [String]? {
        if let normalizer = json["normalizer"] as? [String: Any], normalizer["type"] as? String == "BertNormalizer" {
            if let lower = CheckpointFiles.bool(normalizer["lowercase"]) { options.lowercase = lower }
            if normalizer["strip_accents"] is NSNull {
                options.stripAccents = nil
            } else if let strip = CheckpointFiles.bool(normalizer["strip_accents"]) {
                options.stripAccents = strip
            }
            if let chinese = CheckpointFiles.bool(normalizer["handle_chinese_chars"]) {
                options.tokenizeChineseCharacters = chinese
            }
            if let clean = CheckpointFiles.bool(normalizer["clean_text"]) { options.cleanText = clean }
        }
        guard let model = json["model"] as? [String: Any], model["type"] as? String == "WordPiece" else {
            return nil
        }
        if let limit = CheckpointFiles.integer(model["max_input_chars_per_word"]) {
            options.maxInputCharactersPerWord = limit
        }
        if let prefix = model["continuing_subword_prefix"] as? String { options.continuingSubwordPrefix = prefix }
        if let unknown = model["unk_token"] as? String { options.unknownToken = unknown }
        guard let vocabulary = model["vocab"] as? [String: Any] else { return nil }
        var byID: [Int: String] = [:]
        for (token, value) in vocabulary {
            guard let id = CheckpointFiles.integer(value), id >= 0, id < vocabulary.count else {
                throw .invalidVocabulary(file: file, detail: "token '\(token)' has a bad id")
            }
            byID[id] = token
        }
        guard byID.count == vocabulary.count else {
            throw .invalidVocabulary(file: file, detail: "ids are not 0..<\(vocabulary.count)")
        }
        return (0..<vocabulary.count).compactMap { byID[$0] }
    }
}
