import HTTP1
import HTTPServer
import Logging
import TestSupport
import Testing

/// A client that vanishes in the middle of a streamed body stops its producer: the producer, blocked on
/// back-pressure because nobody reads, is woken with `CancellationError` when the server sees the reset.
@Suite struct StreamDisconnectTests {
    enum Event: Equatable, Sendable {
        case wrote(Int)
        case cancelled
        case finished
        case failed
    }

    @Test func streamedBody_CancelsProducer_WhenClientResetsMidStream() async throws {
        let events = EventLog<Event>()
        var router = Router()
        router.add(.GET, "/endless") { _, _ in
            Response(
                stream: ResponseStream { sink in
                    let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 64 << 10)
                    do {
                        // Bounded: 10 000 pieces are 640 MB, far past what unread socket buffers hold.
                        for i in 0..<10_000 {
                            try await sink.write(piece)
                            events.record(.wrote(i))
                        }
                        events.record(.finished)
                    } catch is CancellationError {
                        events.record(.cancelled)
                        throw CancellationError()
                    } catch {
                        events.record(.failed)
                        throw error
                    }
                })
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let server = Server(configuration: configuration, router: router.freeze(), logger: logger)
        let port = try server.start()
        let client = LoopbackClient(port: port)
        try client.send(raw: Array("GET /endless HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        // The producer runs and then stalls: nobody reads.
        let started = await events.wait(timeout: .seconds(300)) { $0.contains(.wrote(2)) }
        client.reset()
        let stopped = await events.wait(timeout: .seconds(300)) { $0.contains(.cancelled) }
        await server.shutdown(deadline: .seconds(1))
        #expect(started)
        #expect(stopped)
        #expect(!events.all.contains(.finished))
        #expect(!events.all.contains(.wrote(9_999)))
    }
}
