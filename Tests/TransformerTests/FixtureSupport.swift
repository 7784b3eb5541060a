import Foundation
import Testing

@testable import Transformer

/// Locations of the committed fixtures and of the (git-ignored, CI-fetched) MiniLM folder.
enum FixtureSupport {
    /// `Fixtures/` inside the test bundle.
    static var fixtures: String {
        if let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) { return url.path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }

    static func fixture(_ name: String) -> String { fixtures + "/" + name }

    /// Expects `map` to be an [n, n] matrix of non-negative entries whose rows sum to 1 within 1e-5 (ALTI, GlobEnc,
    /// value zeroing); `label` names it in failures.
    static func expectRowStochastic(_ map: Tensor, n: Int, _ label: String) {
        #expect(map.shape == [n, n], "\(label) has shape \(map.shape)")
        #expect(map.storage.allSatisfy { $0 >= 0 }, "\(label) has a negative entry")
        for i in 0..<n where map.storage.count >= (i + 1) * n {
            let total = map.storage[(i * n)..<((i + 1) * n)].reduce(0, +)
            #expect(abs(total - 1) < 1e-5, "\(label) row \(i) sums to \(total)")
        }
    }

    /// `<repository>/models/all-MiniLM-L6-v2` (overridable with `ATTEND_MINILM_DIR`).
    static var miniLMDirectory: String {
        if let custom = ProcessInfo.processInfo.environment["ATTEND_MINILM_DIR"] { return custom }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return repository.appendingPathComponent("models/all-MiniLM-L6-v2").path
    }

    static var miniLMAvailable: Bool {
        FileManager.default.fileExists(atPath: miniLMDirectory + "/model.safetensors")
    }

    /// Parsed `expected.json`.
    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A fresh temporary directory (removed by the caller with `remove`).
    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "attend-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A temporary copy of a fixture folder.
    static func copy(fixture name: String) throws -> String {
        let directory = try temporaryDirectory()
        let target = directory + "/" + name
        try FileManager.default.copyItem(atPath: fixture(name), toPath: target)
        return target
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Maximum absolute difference between two equally shaped tensors (∞ on a shape mismatch).
func goldenMaxDifference(_ a: Tensor, _ b: Tensor) -> Float {
    guard a.shape == b.shape else { return .infinity }
    return goldenMaxDifference(a.storage, b.storage)
}

func goldenMaxDifference(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        let difference = abs(x - y)
        if difference.isNaN { return .nan }
        worst = max(worst, difference)
    }
    return worst
}

/// Collects the max |Δ| of each compared tensor, checks each against its tolerance and prints a report.
struct GoldenReport {
    var title: String
    var lines: [String] = []
    var worst: [String: Float] = [:]

    init(_ title: String) { self.title = title }

    mutating func compare(
        _ name: String, kind: String, _ actual: Tensor, _ expected: Tensor, tolerance: Float,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let difference = goldenMaxDifference(actual, expected)
        lines.append("  \(name): max |Δ| = \(difference)")
        worst[kind] = max(worst[kind] ?? 0, difference.isNaN ? .infinity : difference)
        #expect(
            actual.shape == expected.shape, "\(title) \(name): shape \(actual.shape) vs \(expected.shape)",
            sourceLocation: sourceLocation)
        #expect(
            difference <= tolerance, "\(title) \(name): max |Δ| \(difference) > \(tolerance)",
            sourceLocation: sourceLocation)
    }

    /// Case `i`'s L + 1 hidden states (1e-4) and L attention maps (1e-5) against the reference's
    /// `case{i}.hidden.{l}` and `case{i}.attention.{l}`.
    mutating func compareLayers(
        case i: Int, _ output: EncoderOutput, layers: Int, expected: SafetensorsFile,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let hidden = try #require(output.hiddenStates, sourceLocation: sourceLocation)
        try #require(hidden.count == layers + 1, sourceLocation: sourceLocation)
        for layer in 0...layers {
            compare(
                "case\(i).hidden.\(layer)", kind: "hidden", hidden[layer],
                try expected.tensor("case\(i).hidden.\(layer)"), tolerance: 1e-4, sourceLocation: sourceLocation)
        }
        for layer in 0..<layers {
            compare(
                "case\(i).attention.\(layer)", kind: "attention",
                try #require(output.attentions[layer], sourceLocation: sourceLocation),
                try expected.tensor("case\(i).attention.\(layer)"), tolerance: 1e-5, sourceLocation: sourceLocation)
        }
    }

    func print() {
        let summary = worst.keys.sorted().map { "\($0) \(worst[$0] ?? 0)" }.joined(separator: ", ")
        Swift.print("[golden] \(title): worst max |Δ| — \(summary)")
        for line in lines { Swift.print("[golden] \(line)") }
    }
}
