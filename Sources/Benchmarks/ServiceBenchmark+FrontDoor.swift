import AttendCore
import AttendHTTP
import HTTP1
import HTTPServer
import Logging

extension ServiceBenchmark {
    /// One row of ``frontDoor(rounds:requests:)``: nanoseconds per `GET /healthz`, routed and encoded in-process.
    public struct FrontDoorCost: Sendable {
        /// The service's router (every route behind ``AttendApp/frontDoor``, its log line written to a discarding
        /// ``LogWriter``), median over the rounds.
        public var serviceNanoseconds: Double
        /// A router with the one route and no middleware, as the bare server of `scripts/bench-http`.
        public var bareNanoseconds: Double
        /// The median of the per-round differences (service minus bare).
        public var differenceNanoseconds: Double
        /// The rounds' differences, in order.
        public var differences: [Double]
    }

    /// What the service's front door (route labels, authentication, error shapes, timing header, metrics, the log
    /// line) adds to a request, without sockets or the scheduler: `GET /healthz` answered by the service's router
    /// and by a one-route router in the same thread, each response encoded as the connection would, `requests` per
    /// round, the two alternating for `rounds` rounds. Thread CPU time, so neighbours' load barely moves it.
    public static func frontDoor(rounds: Int = 11, requests: Int = 50_000) async -> FrontDoorCost {
        let writer = LogWriter(capacity: 1 << 22, interval: .milliseconds(20), output: { _ in })
        let logger = Logger(label: "attend") { label in LineLogHandler(label: label, format: .text, writer: writer) }
        var configuration = ServiceConfiguration()
        configuration.models = []
        let app = AttendApp(configuration: configuration, registry: ModelRegistry(models: []))
        let service = app.makeRouter()
        let ok = Response(headers: ["Content-Type": "text/plain"], body: Array("ok".utf8))
        var bareRoutes = Router()
        bareRoutes.add(.GET, "/healthz") { _, _ in ok }
        let bare = bareRoutes.freeze()
        let request = Request(head: RequestHead(method: .GET, target: "/healthz", headers: ["Host": "127.0.0.1"]))

        func perRequest(_ router: FrozenRouter, serverName: String?) async -> Double {
            var encoder = ResponseEncoder(serverName: serverName)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(512)
            let start = threadCPUSeconds()
            for _ in 0..<requests {
                let context = RequestContext(remoteAddress: "127.0.0.1:1", logger: logger)
                let response = await router.respond(to: request, context: context)
                buffer.removeAll(keepingCapacity: true)
                _ = encoder.encode(
                    response, requestMethod: .GET, requestVersion: .http1_1, keepAlive: true, into: &buffer)
            }
            return (threadCPUSeconds() - start) * 1e9 / Double(max(requests, 1))
        }

        // Warm-up: caches, the metrics shard, the log lanes.
        _ = await perRequest(service, serverName: AttendApp.serverName)
        _ = await perRequest(bare, serverName: nil)
        var serviceTimes: [Double] = []
        var bareTimes: [Double] = []
        var differences: [Double] = []
        for _ in 0..<max(rounds, 1) {
            let s = await perRequest(service, serverName: AttendApp.serverName)
            let b = await perRequest(bare, serverName: nil)
            serviceTimes.append(s)
            bareTimes.append(b)
            differences.append(s - b)
        }
        writer.close()
        app.shutdown()
        return FrontDoorCost(
            serviceNanoseconds: median(serviceTimes), bareNanoseconds: median(bareTimes),
            differenceNanoseconds: median(differences), differences: differences)
    }
}
