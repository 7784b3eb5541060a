import Foundation

extension HuggingFaceTokenizer {
    /// Reads a `tokenizer.json` file. Throws `.fileNotFound` / `.unreadable` for the file, `.invalidHeader` for
    /// malformed JSON or an unsupported component (naming the file and the component's type) and
    /// `.invalidVocabulary` for an unusable model vocabulary.
    ///
    /// The model's `vocab` is read byte-exact (``VocabularyEntries``): canonically equivalent tokens stay two
    /// entries, and Unigram scores are parsed correctly rounded, as in `tokenizers`.
    public init(file path: String) throws(TransformerError) {
        let bytes = try CheckpointFiles.read(path)
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: []) else {
            throw .invalidHeader(file: path, detail: "not valid JSON")
        }
        guard var json = object as? [String: Any] else { throw .invalidHeader(file: path, detail: "not a JSON object") }
        if var model = json["model"] as? [String: Any], model["vocab"] is [String: Any] || model["vocab"] is [Any],
            let exact = VocabularyEntries.scan(bytes)
        {
            model["vocab"] = exact
            json["model"] = model
        }
        try self.init(json: json, file: path)
    }

    /// A tokenizer from the parsed `tokenizer.json` object; `file` names it in errors.
    public init(json: [String: Any], file: String) throws(TransformerError) {
        let reader = ComponentReader(file: file)
        let normalizer = try reader.normalizer(json["normalizer"])
        let preTokenizer = try reader.preTokenizer(json["pre_tokenizer"])
        guard let modelObject = json["model"] as? [String: Any] else {
            throw .invalidHeader(file: file, detail: "no \"model\" object")
        }
        let model = try reader.model(modelObject)
        var added: [AddedTokens.Token] = []
        if let list = json["added_tokens"], !(list is NSNull) {
            guard let entries = list as? [Any] else {
                throw .invalidHeader(file: file, detail: "added_tokens is not a list")
            }
            for entry in entries {
                guard let object = entry as? [String: Any], let content = object["content"] as? String,
                    let id = CheckpointFiles.integer(object["id"]), id >= 0, id <= Int(Int32.max), !content.isEmpty
                else { throw .invalidHeader(file: file, detail: "added_tokens entry without a content and an id") }
                let special = CheckpointFiles.bool(object["special"]) ?? false
                added.append(
                    AddedTokens.Token(
                        id: Int32(id), content: content, special: special,
                        singleWord: CheckpointFiles.bool(object["single_word"]) ?? false,
                        leftStrip: CheckpointFiles.bool(object["lstrip"]) ?? false,
                        rightStrip: CheckpointFiles.bool(object["rstrip"]) ?? false,
                        normalized: CheckpointFiles.bool(object["normalized"]) ?? !special))
            }
        }
        let postProcessor = try reader.postProcessor(json["post_processor"])
        let decoder = try reader.decoder(json["decoder"])
        self.init(
            normalizer: normalizer, preTokenizer: preTokenizer, model: model, postProcessor: postProcessor,
            addedTokens: added, decoder: decoder)
    }
}
