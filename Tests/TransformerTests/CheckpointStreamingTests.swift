import Foundation
import Testing

@testable import Transformer

/// Every float the encoder holds, as bit patterns, parameter by parameter in packing order (panels included whole,
/// their zero padding too).
func packedBits(_ encoder: Encoder) -> [[UInt32]] {
    let c = encoder.configuration
    let p = encoder.parameters
    let d = c.hiddenSize
    let f = c.intermediateSize
    func bits(_ pointer: UnsafePointer<Float>?, _ count: Int) -> [UInt32] {
        guard let pointer else { return [] }
        return UnsafeBufferPointer(start: pointer, count: count).map(\.bitPattern)
    }
    func panels(_ m: PanelMatrix) -> [UInt32] { bits(m.base, m.panels * PanelMatrix.width * m.inner) }
    var all = [
        bits(p.wordEmbeddings, c.vocabularySize * d), bits(p.positions, c.maxPositions * d),
        bits(p.typeEmbeddings, c.typeVocabularySize * d), bits(p.embeddingNormWeight, d),
        bits(p.embeddingNormBias, d), bits(p.finalNormWeight, d), bits(p.finalNormBias, d),
    ]
    for l in p.layers {
        all += [
            bits(l.qkvBias, 3 * d), bits(l.attentionOutputBias, d), bits(l.attentionNormWeight, d),
            bits(l.attentionNormBias, d), bits(l.intermediateBias, f), bits(l.outputBias, d),
            bits(l.outputNormWeight, d), bits(l.outputNormBias, d), panels(l.qkvPanels),
            panels(l.attentionOutputPanels), panels(l.intermediatePanels), panels(l.outputPanels),
        ]
    }
    return all
}

/// The fixture's golden inputs (`expected.json`).
func fixtureInputs(_ directory: String) throws -> [EncoderInput] {
    let index = try FixtureSupport.json(directory + "/expected.json")
    let cases = try #require(index["cases"] as? [[String: Any]])
    return try cases.map { item in
        let ids = try #require(item["ids"] as? [Int]).map(Int32.init)
        return EncoderInput(ids: ids, typeIds: (item["type_ids"] as? [Int])?.map(Int32.init))
    }
}

/// The whole text of a `/proc` file (whose size reads as 0, so `String(contentsOfFile:)` stops after one page).
func procText(_ path: String) -> String? {
    guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
    defer { try? handle.close() }
    return (try? handle.readToEnd()).map { String(decoding: $0, as: UTF8.self) }
}

/// Lines of `/proc/self/maps` naming a file whose path contains `fragment` (empty off Linux).
func mappings(containing fragment: String) -> [(range: Range<UInt>, line: String)] {
    guard let text = procText("/proc/self/maps") else { return [] }
    return text.split(separator: "\n").compactMap { line in
        guard line.contains(fragment) else { return nil }
        let bounds = line.split(separator: " ")[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
        guard bounds.count == 2 else { return nil }
        return (bounds[0]..<bounds[1], String(line))
    }
}

@Suite struct CheckpointStreamingTests {
    /// The streaming path and the old one (tensors → EncoderWeights → Encoder) pack the same bits and compute the
    /// same outputs bit for bit, for F32 (word embeddings in place), F16 and BF16 (converted) fixtures.
    @Test(arguments: ["tiny-bert", "tiny-bert-f16", "tiny-bert-bf16"])
    func checkpointLoader_StreamedEncoderMatchesWeightsPath_BitForBit(name: String) throws {
        let directory = FixtureSupport.fixture(name)
        let configuration = try CheckpointLoader.configuration(
            huggingFace: FixtureSupport.json(directory + "/config.json"), file: "config.json")
        let file = try SafetensorsFile(path: directory + "/model.safetensors")
        let old = try Encoder(
            configuration: configuration, weights: CheckpointLoader.weights(from: file, configuration: configuration))
        let streamed = try CheckpointLoader.encoder(from: file, configuration: configuration)
        #expect((streamed.parameters.mappedWordEmbeddings != nil) == (name == "tiny-bert"))
        #expect(packedBits(streamed) == packedBits(old))
        let inputs = try fixtureInputs(directory)
        let options = ForwardOptions(attentionLayers: Set(0..<configuration.layers), hiddenStates: true)
        let expected = try old.forward(inputs, options: options)
        let actual = try streamed.forward(inputs, options: options)
        #expect(
            actual.map(\.lastHiddenState.storage.bitPatterns) == expected.map(\.lastHiddenState.storage.bitPatterns))
        #expect(actual == expected)
    }

    /// Misaligned F32 data (a header whose length leaves the data section off a 4-byte boundary) is copied, not
    /// mapped, and packs the same bits.
    @Test func checkpointLoader_CopiesWordEmbeddings_WhenDataIsMisaligned() throws {
        let expected = packedBits(try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert")).encoder)
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        for pad in 0..<4 {
            try rewriteSafetensorsHeader(path) { header in
                header["__metadata__"] = ["pad": String(repeating: "x", count: pad)]
            }
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let headerLength = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
            let encoder = try CheckpointLoader.load(directory: directory).encoder
            #expect((encoder.parameters.mappedWordEmbeddings != nil) == ((8 + headerLength) % 4 == 0))
            #expect(packedBits(encoder) == expected)
        }
    }

    /// Dropping the file (its whole mapping and descriptor) and even deleting it leaves the encoder working: the
    /// word-embedding table lives in its own mapping, everything else was copied.
    @Test func checkpointLoader_EncoderKeepsWorking_WhenFileDroppedAndDeleted() throws {
        let directory = try FixtureSupport.copy(fixture: "tiny-bert")
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        let configuration = try CheckpointLoader.configuration(
            huggingFace: FixtureSupport.json(directory + "/config.json"), file: "config.json")
        let reference = try Encoder(
            configuration: configuration,
            weights: CheckpointLoader.weights(from: SafetensorsFile(path: path), configuration: configuration))
        weak var released: SafetensorsFile?
        let encoder = try {
            let file = try SafetensorsFile(path: path)
            released = file
            return try CheckpointLoader.encoder(from: file, configuration: configuration)
        }()
        #expect(released == nil)
        try FileManager.default.removeItem(atPath: path)
        let inputs = try fixtureInputs(directory)
        let options = ForwardOptions(attentionLayers: [0, 1], hiddenStates: true, pooling: .mean)
        #expect(try encoder.forward(inputs, options: options) == reference.forward(inputs, options: options))
    }

    #if os(Linux)
        /// After loading, only the word-embedding table's own pages stay mapped (F32), or nothing of the file (F16);
        /// dropping the model unmaps the rest.
        @Test(arguments: ["tiny-bert", "tiny-bert-f16"])
        func checkpointLoader_KeepsOnlyWordEmbeddingsMapped_AfterLoading(name: String) throws {
            let directory = try FixtureSupport.copy(fixture: name)
            defer { FixtureSupport.remove(directory) }
            let marker = URL(fileURLWithPath: directory).deletingLastPathComponent().lastPathComponent
            var model: Model? = try CheckpointLoader.load(directory: directory)
            let found = mappings(containing: marker)
            if name == "tiny-bert" {
                let table = try #require(model?.encoder.parameters.wordEmbeddings)
                let bytes = UInt(300 * 32 * 4)
                let page = UInt(getpagesize())
                try #require(found.count == 1, "\(found.map(\.line))")
                #expect(found[0].range.contains(UInt(bitPattern: table)))
                #expect(UInt(found[0].range.count) <= (bytes + 2 * page - 1) / page * page)
            } else {
                #expect(found.isEmpty, "\(found.map(\.line))")
                #expect(model?.encoder.parameters.mappedWordEmbeddings == nil)
            }
            model = nil
            #expect(mappings(containing: marker).isEmpty)
        }
    #endif

    /// A NaN anywhere is refused with the tensor's name and the element's index, whether the tensor is read in place
    /// (F32) or converted (F16), and whatever its position in the file.
    @Test(arguments: [
        ("tiny-bert", "embeddings.word_embeddings.weight", 4_321),
        ("tiny-bert", "encoder.layer.1.intermediate.dense.weight", 1_037),
        ("tiny-bert", "encoder.layer.0.attention.self.value.bias", 31),
        ("tiny-bert-f16", "embeddings.word_embeddings.weight", 9_599),
        ("tiny-bert-f16", "encoder.layer.1.output.dense.weight", 0),
    ])
    func checkpointLoader_ThrowsNonFiniteWeight_WithTensorAndIndex(fixture: String, tensor: String, index: Int) throws {
        let directory = try FixtureSupport.copy(fixture: fixture)
        defer { FixtureSupport.remove(directory) }
        let path = directory + "/model.safetensors"
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let length = Int(bytes[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        let header = try #require(
            try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
        let name = try #require(header.keys.first { $0.hasSuffix(tensor) })
        let entry = try #require(header[name] as? [String: Any])
        let begin = try #require((entry["data_offsets"] as? [Int])?.first)
        let f16 = entry["dtype"] as? String == "F16"
        let at = 8 + length + begin + index * (f16 ? 2 : 4)
        let nan: [UInt8] = f16 ? [0x00, 0x7E] : [0x00, 0x00, 0xC0, 0x7F]
        bytes.replaceSubrange(at..<(at + nan.count), with: nan)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: TransformerError.nonFiniteWeight(file: path, tensor: name, index: index)) {
            try CheckpointLoader.load(directory: directory)
        }
    }
}

extension [Float] {
    /// The values' bit patterns (tells −0 from 0 and one NaN from another).
    var bitPatterns: [UInt32] { map(\.bitPattern) }
}
