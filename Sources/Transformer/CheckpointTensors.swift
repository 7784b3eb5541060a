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
    /// Parameters stored transposed or as a slice of a fused tensor (GPT-2), by their place in the file.
    private let layouts: [EncoderParameter: ModelFamily.TensorLocation]
    /// Parameters the family does not store, each one constant (ModernBERT's absent biases, its first attention
    /// norm).
    private let constants: [EncoderParameter: Float]

    /// Resolves every parameter `configuration` needs in `file`: throws `.missingTensor`, `.shapeMismatch` or
    /// `.unsupportedDType` (naming the file and the tensor) for the first one, in table order, that is absent,
    /// mis-shaped or not F32, F16 or BF16. `biases` says which biases the file has (ModernBERT).
    init(
        file: SafetensorsFile, configuration: EncoderConfiguration, family: ModelFamily = .bert,
        biases: ModelFamily.Biases = ModelFamily.Biases()
    ) throws(TransformerError) {
        self.file = file
        self.configuration = configuration
        let table = family.tensors(layers: configuration.layers, biases: biases)
        let first = table.first?.location.name ?? ""
        let prefix = family.prefixes.first { file.entries[$0 + first] != nil } ?? ""
        let c = configuration
        var resolved: [(parameter: EncoderParameter, name: String)] = []
        var layouts: [EncoderParameter: ModelFamily.TensorLocation] = [:]
        var constants: [EncoderParameter: Float] = [:]
        for (parameter, location) in table {
            switch parameter {
            case .typeEmbeddings where c.typeVocabularySize == 0: continue
            case .positionEmbeddings where c.positionalEncoding != .learned: continue
            case .embeddingNormWeight, .embeddingNormBias: if !c.embeddingNorm { continue }
            case .finalNormWeight, .finalNormBias: if c.normPlacement != .pre { continue }
            default: break
            }
            let name = prefix + location.name
            if let value = location.constant {
                constants[parameter] = value
                resolved.append((parameter, name))
                continue
            }
            guard let found = Self.candidates(name).first(where: { file.entries[$0] != nil }),
                let entry = file.entries[found]
            else { throw .missingTensor(file: file.path, tensor: name) }
            let shape = location.fileShape(parameter.shape(configuration))
            guard entry.shape == shape else {
                throw .shapeMismatch(file: file.path, tensor: found, expected: shape, actual: entry.shape)
            }
            guard entry.dtype.isFloat else {
                throw .unsupportedDType(file: file.path, tensor: found, dtype: entry.dtype.rawValue)
            }
            resolved.append((parameter, found))
            if location.transposed || location.parts > 1 { layouts[parameter] = location }
        }
        tensors = resolved
        names = Dictionary(uniqueKeysWithValues: resolved.map { ($0.parameter, $0.name) })
        self.layouts = layouts
        self.constants = constants
    }

    /// The name itself, then TensorFlow-era LayerNorm names (`gamma`/`beta`).
    private static func candidates(_ name: String) -> [String] {
        if name.hasSuffix("LayerNorm.weight") { return [name, String(name.dropLast(6)) + "gamma"] }
        if name.hasSuffix("LayerNorm.bias") { return [name, String(name.dropLast(4)) + "beta"] }
        return [name]
    }

    /// Streams the tensor out of the file, checking every value is finite (`.nonFiniteWeight` with its element
    /// index); a parameter the family does not store comes as one run of its constant.
    func read(
        _ parameter: EncoderParameter, width: Int,
        _ body: (_ firstRow: Int, _ values: UnsafeBufferPointer<Float>) -> Void
    ) throws(TransformerError) {
        if let value = constants[parameter] {
            let values = [Float](repeating: value, count: parameter.shape(configuration).reduce(1, *))
            return values.withUnsafeBufferPointer { body(0, $0) }
        }
        guard let name = names[parameter] else {
            throw .missingTensor(file: file.path, tensor: parameter.field)
        }
        if let layout = layouts[parameter] {
            return try readRearranged(parameter, name: name, layout: layout, body)
        }
        try file.forEachRun(name, width: width) { (firstRow, values) throws(TransformerError) in
            for (offset, value) in values.enumerated() where !value.isFinite {
                throw .nonFiniteWeight(file: file.path, tensor: name, index: firstRow * width + offset)
            }
            body(firstRow, values)
        }
    }

    /// A transposed or sliced parameter, gathered whole (checked finite) and handed over as one run:
    ///   transposed, file [in, parts·out]:  value[o, i] = file[i, part·out + o]
    ///   sliced, file [parts·out] or [parts·out, in]: rows part·out..<(part+1)·out
    private func readRearranged(
        _ parameter: EncoderParameter, name: String, layout: ModelFamily.TensorLocation,
        _ body: (_ firstRow: Int, _ values: UnsafeBufferPointer<Float>) -> Void
    ) throws(TransformerError) {
        let shape = parameter.shape(configuration)
        let out = shape[0]
        let inner = shape.count == 2 ? shape[1] : 1
        let fileShape = layout.fileShape(shape)
        let fileWidth = fileShape.count == 2 ? fileShape[1] : fileShape[0]
        var values = [Float](repeating: 0, count: out * inner)
        try values.withUnsafeMutableBufferPointer { (result) throws(TransformerError) in
            try file.forEachRun(name, width: fileWidth) { (firstRow, run) throws(TransformerError) in
                for (offset, value) in run.enumerated() where !value.isFinite {
                    throw .nonFiniteWeight(file: file.path, tensor: name, index: firstRow * fileWidth + offset)
                }
                let rows = run.count / fileWidth
                for r in 0..<rows {
                    let fileRow = firstRow + r
                    let source = r * fileWidth
                    if layout.transposed {
                        // file row = input i; columns part·out..<(part+1)·out are this parameter's outputs.
                        for o in 0..<out { result[o * inner + fileRow] = run[source + layout.part * out + o] }
                    } else if fileShape.count == 1 {
                        for o in 0..<out { result[o] = run[source + layout.part * out + o] }
                    } else if fileRow / out == layout.part {
                        for i in 0..<inner { result[(fileRow % out) * inner + i] = run[source + i] }
                    }
                }
            }
        }
        values.withUnsafeBufferPointer { body(0, $0) }
    }

    /// The word-embedding table, mapped in place when it is F32 (checked finite first, its pages released after
    /// the check); nil for every other parameter and for a table that must be converted or copied.
    func resident(_ parameter: EncoderParameter) throws(TransformerError) -> MappedFloats? {
        guard parameter == .wordEmbeddings, constants[parameter] == nil, let name = names[parameter],
            let mapped = file.mappedFloats(name)
        else {
            return nil
        }
        try read(parameter, width: configuration.hiddenSize) { _, _ in }
        return mapped
    }
}
