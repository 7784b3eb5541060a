import Foundation
import Testing

@testable import Transformer

/// The contributions' per-layer operands (``ContributionOperands``): W_O as packed, and Ŵ_O = W_O C Γ₁.
@Suite struct ContributionOperandsTests {
    /// Element [k, c] of head h's block of an operand (strips of 16 columns when d is a multiple of 16).
    static func element(_ base: UnsafePointer<Float>, d: Int, dh: Int, head h: Int, row k: Int, column c: Int) -> Float
    {
        let block = base + h * dh * d
        return d % 16 == 0 ? block[(c / 16) * dh * 16 + k * 16 + c % 16] : block[k * d + c]
    }

    @Test func operands_HoldProjectionAndCentredProjection_ForEveryLayer() throws {
        let encoder = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert")).encoder
        let c = encoder.configuration
        let d = c.hiddenSize
        let dh = d / c.heads
        #expect(encoder.contributionOperands.builtKinds.isEmpty)
        var generator = SplitMix64(seed: 7)
        for l in 0..<c.layers {
            let w = encoder.parameters.layers[l]
            let unpacked = UnsafeMutablePointer<Float>.allocate(capacity: d * d)
            defer { unpacked.deallocate() }
            w.attentionOutputPanels.unpack(into: unpacked)
            let projection = encoder.contributionOperands.operand(
                .projection, layer: l, parameters: encoder.parameters, configuration: c)
            let centred = encoder.contributionOperands.operand(
                .centred, layer: l, parameters: encoder.parameters, configuration: c)
            for h in 0..<c.heads {
                for k in 0..<dh {
                    for column in 0..<d {
                        let got = Self.element(projection, d: d, dh: dh, head: h, row: k, column: column)
                        #expect(got == unpacked[(h * dh + k) * d + column])
                    }
                }
                // v · Ŵ_h = γ₁ ⊙ C (v · W_h) for a random v.
                let v = (0..<dh).map { _ in Float(generator.nextUnit() * 2 - 1) }
                let f = (0..<d).map { column in
                    (0..<dh).reduce(0.0) { $0 + Double(v[$1]) * Double(unpacked[(h * dh + $1) * d + column]) }
                }
                let mean = f.reduce(0, +) / Double(d)
                for column in 0..<d {
                    let want = Double(w.attentionNormWeight[column]) * (f[column] - mean)
                    let got = (0..<dh).reduce(0.0) { total, k in
                        let e = Self.element(centred, d: d, dh: dh, head: h, row: k, column: column)
                        return total + Double(v[k]) * Double(e)
                    }
                    #expect(abs(got - want) <= 1e-5 * max(1, abs(want)), "layer \(l) head \(h) column \(column)")
                }
            }
        }
        #expect(encoder.contributionOperands.builtKinds == [.projection, .centred])
        #expect(encoder.contributionOperandBytes == c.layers * (2 * d * d + c.heads * dh * dh) * 4)
    }

    @Test func headGrams_GiveTheNormsOfTheTransformedVectors() throws {
        let encoder = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert")).encoder
        let c = encoder.configuration
        let d = c.hiddenSize
        let dh = d / c.heads
        var generator = SplitMix64(seed: 11)
        let unpacked = UnsafeMutablePointer<Float>.allocate(capacity: d * d)
        defer { unpacked.deallocate() }
        for l in 0..<c.layers {
            encoder.parameters.layers[l].attentionOutputPanels.unpack(into: unpacked)
            let grams = encoder.contributionOperands.operand(
                .headGrams, layer: l, parameters: encoder.parameters, configuration: c)
            for h in 0..<c.heads {
                let v = (0..<dh).map { _ in Float(generator.nextUnit() * 2 - 1) }
                var squares = 0.0
                for column in 0..<d {
                    let f = (0..<dh).reduce(0.0) { $0 + Double(v[$1]) * Double(unpacked[(h * dh + $1) * d + column]) }
                    squares += f * f
                }
                let got = v.withUnsafeBufferPointer { Encoder.headNorm($0.baseAddress!, grams + h * dh * dh, dh) }
                #expect(abs(Double(got) - squares.squareRoot()) <= 1e-5 * max(1, squares.squareRoot()))
            }
        }
        #expect(encoder.contributionOperands.builtKinds == [.headGrams])
    }

    @Test func strips_PlaceEachElementInItsBlockAndStrip() {
        let rows = 4
        let width = 32
        let block = 2
        let w = (0..<(rows * width)).map(Float.init)
        var out = [Float](repeating: -1, count: rows * width)
        w.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer {
                ContributionOperands.strips(
                    source.baseAddress!, rows: rows, width: width, block: block, into: $0.baseAddress!)
            }
        }
        for r in 0..<rows {
            for c in 0..<width {
                let at = (r / block) * block * width + (c / 16) * block * 16 + (r % block) * 16 + c % 16
                #expect(out[at] == w[r * width + c], "[\(r), \(c)]")
            }
        }
    }
}
