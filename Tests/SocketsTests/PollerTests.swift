import Testing

@testable import Sockets

#if canImport(Glibc)
    import Glibc
#endif

/// A connected pair of stream sockets (`socketpair`), closed by the caller.
private func socketPair() throws -> (Socket, Socket) {
    var fds: [Int32] = [0, 0]
    let result = socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
    try #require(result == 0)
    let pair = (Socket(descriptor: fds[0]), Socket(descriptor: fds[1]))
    try pair.0.setNonBlocking()
    try pair.1.setNonBlocking()
    return pair
}

/// Everything one `wait` reports, as (token, events).
private func harvest(_ poller: Poller, timeout: Int32 = 1000) -> [(UInt64, Poller.Events)] {
    var seen: [(UInt64, Poller.Events)] = []
    poller.wait(timeoutMilliseconds: timeout) { seen.append(($0, $1)) }
    return seen
}

@Suite struct PollerTests {
    @Test func poller_ReportsTokenAndReadable_WhenBytesArrive() throws {
        let poller = try Poller()
        let (a, b) = try socketPair()
        try poller.add(a.descriptor, token: 41, interest: .readable)
        #expect(harvest(poller, timeout: 0).isEmpty)
        _ = "x".utf8CString.withUnsafeBytes { b.write(UnsafeRawBufferPointer(rebasing: $0[0..<1])) }
        let seen = harvest(poller)
        #expect(seen.count == 1)
        #expect(seen.first?.0 == 41)
        #expect(seen.first?.1.contains(.readable) == true)
    }

    @Test func poller_ReportsNothing_WhenInterestDroppedOrRemoved() throws {
        let poller = try Poller()
        let (a, b) = try socketPair()
        try poller.add(a.descriptor, token: 7, interest: .readable)
        _ = "xy".utf8CString.withUnsafeBytes { b.write(UnsafeRawBufferPointer(rebasing: $0[0..<2])) }
        try poller.modify(a.descriptor, token: 7, interest: [])
        #expect(harvest(poller, timeout: 0).isEmpty)
        try poller.modify(a.descriptor, token: 8, interest: .readable)
        #expect(harvest(poller).first?.0 == 8)
        poller.remove(a.descriptor)
        #expect(harvest(poller, timeout: 0).isEmpty)
    }

    @Test func poller_ReportsWritable_OnlyWhenAsked() throws {
        let poller = try Poller()
        let (a, b) = try socketPair()
        try poller.add(a.descriptor, token: 3, interest: [])
        #expect(harvest(poller, timeout: 0).isEmpty)
        try poller.modify(a.descriptor, token: 3, interest: .writable)
        let seen = harvest(poller)
        #expect(seen.first?.0 == 3)
        #expect(seen.first?.1.contains(.writable) == true)
        withExtendedLifetime(b) {}
    }

    @Test func poller_ReportsHangup_WhateverTheInterest() throws {
        let poller = try Poller()
        let (a, b) = try socketPair()
        try poller.add(a.descriptor, token: 9, interest: [])
        b.close()
        let seen = harvest(poller)
        #expect(seen.first?.0 == 9)
        #expect(seen.first?.1.contains(.hangup) == true)
    }

    @Test func poller_WaitReturns_WhenWokenFromAnotherThread() async throws {
        let poller = try Poller()
        let (a, b) = try socketPair()
        defer { withExtendedLifetime(b) {} }
        try poller.add(a.descriptor, token: 5, interest: .readable)
        let woken = Task.detached { () -> Int in poller.wait(timeoutMilliseconds: 10_000) { _, _ in } }
        poller.wake()
        // The wake-up is consumed, not reported: one event harvested, no callback.
        let count = await woken.value
        #expect(count == 1)
        #expect(harvest(poller, timeout: 0).isEmpty)
    }

    @Test func poller_RefusesAdd_WhenDescriptorIsNotOpen() throws {
        let poller = try Poller()
        #expect(throws: SocketError.failed(call: "epoll_ctl(ADD)", errno: EBADF)) {
            try poller.add(-1, token: 1, interest: .readable)
        }
    }
}
