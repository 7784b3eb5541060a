import Testing

@testable import Transformer

@Suite struct EncoderConfigurationTests {
    private func field(of json: String) -> String? {
        do {
            _ = try EncoderConfiguration.decode(json: Array(json.utf8))
            return nil
        } catch {
            if case .invalidConfiguration(let field, _) = error { return field }
            return "unexpected \(error)"
        }
    }

    @Test func decode_ReadsSnakeCaseKeys_WhenAllPresent() throws {
        let json = """
            {"layers": 3, "heads": 4, "hidden_size": 32, "intermediate_size": 64, "max_positions": 128,
             "vocab_size": 100, "type_vocab_size": 0, "positional_encoding": "sinusoidal", "norm_placement": "pre",
             "activation": "gelu_tanh", "layer_norm_eps": 1e-5, "seed": 42}
            """
        let c = try EncoderConfiguration.decode(json: Array(json.utf8))
        #expect(c.layers == 3 && c.heads == 4 && c.hiddenSize == 32 && c.intermediateSize == 64)
        #expect(c.maxPositions == 128 && c.vocabularySize == 100 && c.typeVocabularySize == 0)
        #expect(c.positionalEncoding == .sinusoidal && c.normPlacement == .pre && c.activation == .geluTanh)
        #expect(c.layerNormEpsilon == 1e-5 && c.seed == 42)
    }

    @Test func decode_KeepsDefaults_WhenKeysMissing() throws {
        let c = try EncoderConfiguration.decode(json: Array(#"{"layers": 2}"#.utf8))
        var expected = EncoderConfiguration()
        expected.layers = 2
        #expect(c == expected)
    }

    @Test func decode_RoundTrips_WhenEncoded() throws {
        let c = tinyConfiguration(positional: .none, norm: .pre, activation: .relu, seed: 9)
        let data = try JSONEncoderShim.encode(c)
        #expect(try EncoderConfiguration.decode(json: data) == c)
    }

    @Test func decode_NamesField_WhenValueBad() {
        #expect(field(of: #"{"layers": 0}"#) == "layers")
        #expect(field(of: #"{"heads": -1}"#) == "heads")
        #expect(field(of: #"{"hidden_size": 100, "heads": 12}"#) == "hidden_size")
        #expect(field(of: #"{"intermediate_size": -5}"#) == "intermediate_size")
        #expect(field(of: #"{"max_positions": 0}"#) == "max_positions")
        #expect(field(of: #"{"vocab_size": 0}"#) == "vocab_size")
        #expect(field(of: #"{"type_vocab_size": -1}"#) == "type_vocab_size")
        #expect(field(of: #"{"layer_norm_eps": 0}"#) == "layer_norm_eps")
        #expect(field(of: #"{"activation": "swish"}"#) == "activation")
        #expect(field(of: #"{"positional_encoding": "alibi"}"#) == "positional_encoding")
        #expect(field(of: #"{"norm_placement": "sandwich"}"#) == "norm_placement")
        #expect(field(of: #"{"layers": "six"}"#) == "layers")
        #expect(field(of: #"{"seed": -3}"#) == "seed")
        #expect(field(of: #"{"hidden_size": 1000000000}"#) == "hidden_size")
    }

    @Test func validate_RejectsHugeParameterCount_WhenSizesMultiplyPastTheLimit() {
        let huge = #"{"heads": 16, "hidden_size": 1048576, "intermediate_size": 1048576, "vocab_size": 1048576}"#
        #expect(field(of: huge) == "hidden_size")
        #expect(field(of: #"{"heads": 16, "hidden_size": 65536, "vocab_size": 1048576, "layers": 1}"#) == "vocab_size")
        #expect(
            field(of: #"{"heads": 16, "hidden_size": 4096, "intermediate_size": 1048576, "layers": 100}"#)
                == "intermediate_size")
        #expect(field(of: #"{"heads": 16, "hidden_size": 1024, "intermediate_size": 4096, "layers": 24}"#) == nil)
    }

    @Test func decode_NamesKey_WhenUnknown() {
        #expect(field(of: #"{"layers": 2, "num_layers": 2}"#) == "num_layers")
    }

    @Test func decode_Throws_WhenNotJSONObject() {
        #expect(field(of: "[1, 2]") == "$")
        #expect(field(of: "{") == "$")
    }

    @Test func description_NamesField_WhenConfigurationInvalid() {
        let error = TransformerError.invalidConfiguration(field: "heads", reason: "must be positive, got 0")
        #expect(error.description.contains("heads"))
    }
}
