/// Chooses and loads the tokenizer of a Hugging Face folder.
public enum TokenizerLoader {
    /// `tokenizer.json` when the folder has one (``HuggingFaceTokenizer``: the `tokenizers` pipeline the fast
    /// tokenizers run), otherwise `vocab.txt` (``WordPieceTokenizer/load(directory:)``).
    public static func load(directory: String) throws(TransformerError) -> any Tokenizer {
        let path = CheckpointFiles.join(directory, "tokenizer.json")
        if CheckpointFiles.isFile(path) { return try HuggingFaceTokenizer(file: path) }
        return try WordPieceTokenizer.load(directory: directory)
    }
}
