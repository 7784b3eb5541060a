import AttendCore
import Transformer

/// Tiny seeded models shared by the tests (fast to build): `tiny` (3 layers, 4 heads, width 32, mean pooling,
/// normalised) and `other` (2 layers).
public enum TestModels {
    public static let configuration = EncoderConfiguration(
        layers: 3, heads: 4, hiddenSize: 32, intermediateSize: 64, maxPositions: 24, vocabularySize: 500,
        typeVocabularySize: 2, seed: 7)

    public static let tiny: ServedModel = {
        do {
            return ServedModel(name: "tiny", model: try Model.seeded(configuration), pooling: .mean, normalize: true)
        } catch {
            preconditionFailure("seeded test model: \(error)")
        }
    }()

    public static let other: ServedModel = {
        var c = configuration
        c.seed = 8
        c.layers = 2
        do {
            return ServedModel(name: "other", model: try Model.seeded(c))
        } catch {
            preconditionFailure("seeded test model: \(error)")
        }
    }()
}
