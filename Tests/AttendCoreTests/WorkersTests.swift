import AttendCore
import Foundation
import Testing

@Suite struct WorkersTests {
    @Test func run_ReturnsEveryResult_WhenManyCallersShareTwoThreads() async throws {
        let workers = Workers(count: 2, name: "test-worker")
        defer { workers.shutdown() }
        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<64 { group.addTask { try await workers.run { (0...i).reduce(0, +) } } }
            var all: [Int] = []
            for try await s in group { all.append(s) }
            return all.sorted()
        }
        #expect(sums == (0..<64).map { $0 * ($0 + 1) / 2 }.sorted())
    }

    @Test func run_RethrowsTheBodysError_WhenItThrows() async throws {
        let workers = Workers(count: 1, name: "test-worker")
        defer { workers.shutdown() }
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await workers.run { () throws -> Int in throw Boom() } }
    }

    @Test func run_DoesNotRun_WhenTheTaskIsAlreadyCancelled() async throws {
        let workers = Workers(count: 1, name: "test-worker")
        defer { workers.shutdown() }
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await workers.run { 1 }
        }
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
