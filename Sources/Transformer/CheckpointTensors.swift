/// The tensors of a safetensors checkpoint resolved for one configuration: the file's name for every parameter the
/// configuration needs (``CheckpointLoader/embeddingTensors`` and ``CheckpointLoader/layerTensors``, with or
/// without the `bert.` prefix, TensorFlow-era `gamma`/`beta` LayerNorm names accepted), each checked for presence,
/// shape and dtype before any value is read.
///
/// As a `ParameterSource` it streams each tensor out of the file run by run (``SafetensorsFile/forEachRun(_:width:_:)``:
/// converted to float32 where it is not, the file's pages released behind it) and refuses a NaN or an infinity,
/// which would silently turn every output into NaN (rendered as null). The F32 word-embedding table is offered in
/// place (``SafetensorsFile/mappedFloats(_:)``) after the same check.
struct CheckpointTensors: ParameterSource {
    let file: SafetensorsFile
    let configuration: EncoderConfiguration
    /// The parameters the configuration needs with their names in the file, in the loader's table order.
    let tensors: [(parameter: EncoderParameter, name: String)]
    private let names: [EncoderParameter: String]

    /// Resolves every parameter `configuration` needs in `file`: throws `.missingTensor`, `.shapeMismatch` or
    /// `.unsupportedDType` (naming the file and the tensor) for the first one, in table order, that is absent,
    /// mis-shaped or not F32, F16 or BF16.
    init(file: SafetensorsFile, configuration: EncoderConfiguration) throws(TransformerError) {
        self.file = file
        self.configuration = configuration
        let prefix = file.entries["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        var wanted: [(parameter: EncoderParameter, name: String)] = []
        for (name, parameter) in CheckpointLoader.embeddingTensors {
            if parameter == .typeEmbeddings && configuration.typeVocabularySize == 0 { continue }
            if parameter == .positionEmbeddings && configuration.positionalEncoding != .learned { continue }
            wanted.append((parameter, prefix + name))
        }
        for index in 0..<configuration.layers {
            for (name, field) in CheckpointLoader.layerTensors {
                wanted.append((.layer(index, field), prefix + "encoder.layer.\(index).\(name)"))
            }
        }
        var resolved: [(parameter: EncoderParameter, name: String)] = []
        for (parameter, name) in wanted {
            guard let found = Self.candidates(name).first(where: { file.entries[$0] != nil }),
                let entry = file.entries[found]
            else { throw .missingTensor(file: file.path, tensor: name) }
            let shape = parameter.shape(configuration)
            guard entry.shape == shape else {
                throw .shapeMismatch(file: file.path, tensor: found, expected: shape, actual: entry.shape)
            }
            guard entry.dtype.isFloat else {
                throw .unsupportedDType(file: file.path, tensor: found, dtype: entry.dtype.rawValue)
            }
            resolved.append((parameter, found))
        }
        tensors = resolved
        names = Dictionary(uniqueKeysWithValues: resolved.map { ($0.parameter, $0.name) })
    }

    /// The name itself, then TensorFlow-era LayerNorm names (`gamma`/`beta`).
    private static func candidates(_ name: String) -> [String] {
        if name.hasSuffix("LayerNorm.weight") { return [name, String(name.dropLast(6)) + "gamma"] }
        if name.hasSuffix("LayerNorm.bias") { return [name, String(name.dropLast(4)) + "beta"] }
        return [name]
    }

    /// Streams the tensor out of the file, checking every value is finite (`.nonFiniteWeight` with its element
    /// index).
    func read(
        _ parameter: EncoderParameter, width: Int,
        _ body: (_ firstRow: Int, _ values: UnsafeBufferPointer<Float>) -> Void
    ) throws(TransformerError) {
        guard let name = names[parameter] else {
            throw .missingTensor(file: file.path, tensor: parameter.field)
        }
        try file.forEachRun(name, width: width) { (firstRow, values) throws(TransformerError) in
            for (offset, value) in values.enumerated() where !value.isFinite {
                throw .nonFiniteWeight(file: file.path, tensor: name, index: firstRow * width + offset)
            }
            body(firstRow, values)
        }
    }

    /// The word-embedding table, mapped in place when it is F32 (checked finite first, its pages released after
    /// the check); nil for every other parameter and for a table that must be converted or copied.
    func resident(_ parameter: EncoderParameter) throws(TransformerError) -> MappedFloats? {
        guard parameter == .wordEmbeddings, let name = names[parameter], let mapped = file.mappedFloats(name) else {
            return nil
        }
        try read(parameter, width: configuration.hiddenSize) { _, _ in }
        return mapped
    }
}
