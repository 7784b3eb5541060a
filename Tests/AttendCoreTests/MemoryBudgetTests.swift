import AttendCore
import Foundation
import TestSupport
import Testing

@Suite struct MemoryBudgetTests {
    @Test func reserve_RefusesAtOnce_WhenMoreThanTheWholeBudget() async throws {
        let budget = MemoryBudget(capacity: 1000)
        await #expect {
            try await budget.reserve(1001)
        } throws: { error in
            guard case CoreError.responseTooLarge(let message) = error else { return false }
            return message.contains("1001") && message.contains("compute.max_memory_bytes")
        }
        #expect(budget.reserved == 0)
    }

    @Test func reserve_WaitsAndIsGrantedInOrder_WhenRoomIsReleased() async throws {
        let budget = MemoryBudget(capacity: 1000, maxWait: .seconds(30))
        try await budget.reserve(800)
        let order = EventLog<Int>()
        let second = Task {
            try await budget.reserve(500)
            order.record(2)
        }
        // The small one queues behind the large one (first come, first served).
        #expect(await waitUntil { budget.waiting == 1 })
        let third = Task {
            try await budget.reserve(100)
            order.record(3)
        }
        #expect(await waitUntil { budget.waiting == 2 })
        #expect(order.all.isEmpty)
        budget.release(800)
        try await second.value
        try await third.value
        #expect(order.all == [2, 3])
        #expect(budget.reserved == 600)
        #expect(budget.peakReserved == 800)
        budget.release(600)
        #expect(budget.reserved == 0)
    }

    @Test func reserve_AnswersOverloaded_WhenNoRoomWithinTheWait() async throws {
        let budget = MemoryBudget(capacity: 1000, maxWait: .milliseconds(50))
        try await budget.reserve(1000)
        await #expect {
            try await budget.reserve(10)
        } throws: { error in
            guard case CoreError.overloaded(_, let retryAfter) = error else { return false }
            return retryAfter == 1
        }
        #expect(budget.waiting == 0)
        budget.release(1000)
    }

    @Test func reserve_LeavesTheQueue_WhenItsTaskIsCancelled() async throws {
        let budget = MemoryBudget(capacity: 100, maxWait: .seconds(30))
        try await budget.reserve(100)
        let waiting = Task { try await budget.reserve(50) }
        #expect(await waitUntil { budget.waiting == 1 })
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(budget.waiting == 0)
        budget.release(100)
        #expect(budget.reserved == 0)
    }

    @Test func withReservation_Releases_WhenTheBodyThrows() async throws {
        let budget = MemoryBudget(capacity: 100)
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await budget.withReservation(60) { throw Boom() } }
        #expect(budget.reserved == 0)
    }

    @Test func defaultCapacity_TakesSixtyPercentOfTheCgroupLimit_WhenThereIsOne() {
        #expect(MemoryBudget.defaultCapacity(cgroupLimit: 1000 << 20, physicalMemory: 64 << 30) == 600 << 20)
        #expect(MemoryBudget.defaultCapacity(cgroupLimit: nil, physicalMemory: 64 << 30) == 2 << 30)
        #expect(MemoryBudget.defaultCapacity(cgroupLimit: nil, physicalMemory: 1 << 30) == (1 << 30) / 10 * 6)
    }

    @Test func cgroupMemoryLimit_ReadsV2AndV1Files_WhenPresent() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try "max\n".write(to: root.appendingPathComponent("memory.max"), atomically: true, encoding: .utf8)
        #expect(MemoryBudget.cgroupMemoryLimit(root: root.path) == nil)
        try "536870912\n".write(to: root.appendingPathComponent("memory.max"), atomically: true, encoding: .utf8)
        #expect(MemoryBudget.cgroupMemoryLimit(root: root.path) == 536_870_912)
    }

    @Test func onIdle_Fires_WhenTheLastReservationEndsAfterReachingTheThreshold() async throws {
        let budget = MemoryBudget(capacity: 1000)
        let log = EventLog<String>()
        budget.onIdle(afterReaching: 500) { log.record("idle") }
        try await budget.reserve(100)
        budget.release(100)
        try await budget.reserve(300)
        try await budget.reserve(300)
        budget.release(300)
        #expect(log.all.isEmpty)
        budget.release(300)
        #expect(await log.wait { $0 == ["idle"] })
        try await budget.reserve(100)
        budget.release(100)
        #expect(log.all == ["idle"])
    }
}
