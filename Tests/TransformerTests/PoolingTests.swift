import Testing

@testable import Transformer

@Suite struct PoolingTests {
    let hidden = Tensor(shape: [3, 2], storage: [1, -2, 3, 4, -1, 1])

    @Test func pool_Mean_AveragesRows() {
        #expect(Encoder.pool(hidden, .mean, normalize: false) == [1, 1])
    }

    @Test func pool_CLS_TakesFirstRow() {
        #expect(Encoder.pool(hidden, .cls, normalize: false) == [1, -2])
    }

    @Test func pool_Max_TakesElementwiseMaximum() {
        #expect(Encoder.pool(hidden, .max, normalize: false) == [3, 4])
    }

    @Test func pool_None_ReturnsNil() {
        #expect(Encoder.pool(hidden, .none, normalize: true) == nil)
    }

    @Test func pool_Normalize_GivesUnitLength() throws {
        let v = try #require(Encoder.pool(hidden, .max, normalize: true))
        #expect(abs(v[0] - 0.6) < 1e-7 && abs(v[1] - 0.8) < 1e-7)
    }

    @Test func pool_Normalize_KeepsZeroVector() {
        let zeros = Tensor(zeros: [2, 3])
        #expect(Encoder.pool(zeros, .mean, normalize: true) == [0, 0, 0])
    }
}
