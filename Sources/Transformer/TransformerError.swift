/// Every failure of the Transformer library: configuration, checkpoint files and inputs.
///
/// Each case names what is wrong (the file, the tensor, the field) so the message alone is actionable.
public enum TransformerError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case fileNotFound(file: String)
    /// The file exists but could not be opened or read; `errno` is the system error number.
    case unreadable(file: String, errno: Int32)
    /// The file ends before a structure it declares.
    case truncated(file: String, detail: String)
    /// A header (safetensors JSON header, config.json, ...) is malformed.
    case invalidHeader(file: String, detail: String)
    /// A tensor's declared byte range lies outside the file's data section.
    case tensorOutOfBounds(file: String, tensor: String)
    /// A tensor the model needs is absent.
    case missingTensor(file: String, tensor: String)
    /// A tensor has another shape than the configuration implies.
    case shapeMismatch(file: String, tensor: String, expected: [Int], actual: [Int])
    /// A tensor's element type is not F32, F16 or BF16.
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// The vocabulary file is absent.
    case missingVocabulary(file: String)
    /// The vocabulary file is present but unusable.
    case invalidVocabulary(file: String, detail: String)
    /// A configuration field has a bad value; `field` is its JSON key.
    case invalidConfiguration(field: String, reason: String)
    /// An input sequence has no tokens.
    case emptySequence
    /// An input sequence is longer than the model's `max_positions`.
    case sequenceTooLong(length: Int, max: Int)
    /// A token id is negative or not below the vocabulary size.
    case tokenIDOutOfRange(id: Int32, vocabularySize: Int)
    /// A token-type id is negative or not below the type-vocabulary size.
    case typeIDOutOfRange(id: Int32, typeVocabularySize: Int)
    /// `typeIds` was given with another length than `ids`.
    case typeIDCountMismatch(ids: Int, typeIds: Int)
    /// Weights handed to `Encoder.init` do not fit the configuration; `tensor` names the parameter.
    case weightShapeMismatch(tensor: String, expected: [Int], actual: [Int])
    /// A checkpoint tensor holds NaN or an infinity (at flat element `index`); such a model only answers NaN.
    case nonFiniteWeight(file: String, tensor: String, index: Int)

    /// A one-line, human-readable explanation naming the file, tensor or field at fault.
    public var description: String {
        switch self {
        case .fileNotFound(let file):
            return "\(file): file not found"
        case .unreadable(let file, let errno):
            return "\(file): cannot read (errno \(errno))"
        case .truncated(let file, let detail):
            return "\(file): truncated: \(detail)"
        case .invalidHeader(let file, let detail):
            return "\(file): invalid header: \(detail)"
        case .tensorOutOfBounds(let file, let tensor):
            return "\(file): tensor '\(tensor)' lies outside the data section"
        case .missingTensor(let file, let tensor):
            return "\(file): missing tensor '\(tensor)'"
        case .shapeMismatch(let file, let tensor, let expected, let actual):
            return "\(file): tensor '\(tensor)' has shape \(actual), expected \(expected)"
        case .unsupportedDType(let file, let tensor, let dtype):
            return "\(file): tensor '\(tensor)' has unsupported dtype \(dtype) (F32, F16 and BF16 are supported)"
        case .missingVocabulary(let file):
            return "\(file): vocabulary file not found"
        case .invalidVocabulary(let file, let detail):
            return "\(file): invalid vocabulary: \(detail)"
        case .invalidConfiguration(let field, let reason):
            return "configuration field '\(field)': \(reason)"
        case .emptySequence:
            return "input sequence is empty"
        case .sequenceTooLong(let length, let max):
            return "input sequence has \(length) tokens, the model accepts at most \(max)"
        case .tokenIDOutOfRange(let id, let vocabularySize):
            return "token id \(id) is outside the vocabulary (0..<\(vocabularySize))"
        case .typeIDOutOfRange(let id, let typeVocabularySize):
            return "token type id \(id) is outside the type vocabulary (0..<\(typeVocabularySize))"
        case .typeIDCountMismatch(let ids, let typeIds):
            return "typeIds has \(typeIds) entries but ids has \(ids)"
        case .weightShapeMismatch(let tensor, let expected, let actual):
            return "weight '\(tensor)' has shape \(actual), expected \(expected)"
        case .nonFiniteWeight(let file, let tensor, let index):
            return "\(file): tensor '\(tensor)' holds a non-finite value (NaN or infinity) at element \(index)"
        }
    }
}
