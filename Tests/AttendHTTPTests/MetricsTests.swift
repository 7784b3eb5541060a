import Dispatch
import Foundation
import HTTP1
import Testing

@testable import AttendHTTP

/// Metrics recorded from many threads at once add up exactly; the fast millisecond formatter matches Foundation's.
@Suite struct MetricsTests {
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func metrics_CountEveryIncrementExactly_WhenManyThreadsRecord() {
        let metrics = Metrics()
        let threads = 8
        let perThread = 2000
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                let status = i % 4 == 0 ? 404 : 200
                metrics.recordRequest(route: "/healthz", method: "GET", status: status, seconds: 0.0007, bytes: 10)
                if t % 2 == 0 {
                    metrics.recordRequest(route: "/attend", method: "POST", status: 200, seconds: 2, bytes: 1)
                }
                metrics.recordTokens(model: "m", count: 3)
                metrics.recordBatch(requests: 1, sequences: 2, tokens: 100)
            }
        }
        let text = metrics.render(queueDepth: 0, modelsReady: 1, modelsConfigured: 1, budget: (1, 0, 0))
        let total = Double(threads * perThread)
        let healthz = #"attend_http_requests_total{route="/healthz",method="GET","#
        #expect(Self.value(text, healthz + #"status="200"}"#) == total * 3 / 4)
        #expect(Self.value(text, healthz + #"status="404"}"#) == total / 4)
        #expect(
            Self.value(text, #"attend_http_requests_total{route="/attend",method="POST",status="200"}"#) == total / 2)
        let duration = "attend_http_request_duration_seconds"
        #expect(Self.value(text, duration + #"_bucket{route="/healthz",le="0.0005"}"#) == 0)
        #expect(Self.value(text, duration + #"_bucket{route="/healthz",le="0.001"}"#) == total)
        #expect(Self.value(text, duration + #"_bucket{route="/healthz",le="+Inf"}"#) == total)
        #expect(Self.value(text, duration + #"_count{route="/healthz"}"#) == total)
        #expect(Self.value(text, duration + #"_bucket{route="/attend",le="1"}"#) == 0)
        #expect(Self.value(text, duration + #"_bucket{route="/attend",le="2.5"}"#) == total / 2)
        #expect(Self.value(text, duration + #"_sum{route="/attend"}"#) == total)
        #expect(Self.value(text, "attend_http_response_bytes_total") == total * 10 + total / 2)
        #expect(Self.value(text, #"attend_tokens_total{model="m"}"#) == total * 3)
        #expect(Self.value(text, #"attend_batch_tokens_bucket{le="64"}"#) == 0)
        #expect(Self.value(text, #"attend_batch_tokens_bucket{le="256"}"#) == total)
        #expect(Self.value(text, "attend_batch_sequences_count") == total)
    }

    @Test func metrics_RenderTheSameText_WhenRoutesHaveSlots() {
        let slotted = Metrics(routes: ["/healthz", "/attend", "unmatched"])
        let plain = Metrics()
        let methods = ["GET", "POST", "HEAD", "BREW", "DELETE"]
        let routes = ["/healthz", "/attend", "unmatched", "/elsewhere"]
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for i in 0..<500 {
                let route = routes[(i + t) % routes.count]
                let method = methods[i % methods.count]
                let status = [200, 404, 405, 500][i % 4]
                let seconds = Double(i % 7) / 512  // exact binary fractions: sums in any order agree
                for metrics in [slotted, plain] {
                    if let slot = metrics.routeSlot(route), i.isMultiple(of: 2) {
                        metrics.recordRequest(
                            routeSlot: slot, methodSlot: Metrics.methodSlot(method), status: status,
                            seconds: seconds, bytes: i)
                    } else {
                        metrics.recordRequest(
                            route: route, method: Metrics.methodLabel(method), status: status, seconds: seconds,
                            bytes: i)
                    }
                }
            }
        }
        let budget = (capacity: 1, reserved: 0, waiting: 0)
        let text = slotted.render(queueDepth: 0, modelsReady: 1, modelsConfigured: 1, budget: budget)
        #expect(slotted.routeSlot("/elsewhere") == nil)
        #expect(plain.routeSlot("/healthz") == nil)
        #expect(text == plain.render(queueDepth: 0, modelsReady: 1, modelsConfigured: 1, budget: budget))
        #expect(text.contains(#"attend_http_requests_total{route="/attend",method="other",status="200"}"#))
        #expect(Self.value(text, "attend_http_response_bytes_total") == Double(4 * (0..<500).reduce(0, +)))
    }

    @Test func metricsMethodSlot_NamesTheMethodLabel_WhenAnyMethod() {
        for method in ["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW", "get", ""] {
            #expect(Metrics.methodNames[Metrics.methodSlot(method)] == Metrics.methodLabel(method))
        }
    }

    @Test func metrics_ExposeSampledCounters_WhenRegistered() {
        let metrics = Metrics()
        metrics.sample(counter: "attend_test_total", help: "A test counter.") { 42 }
        let text = metrics.render(queueDepth: 0, modelsReady: 0, modelsConfigured: 0, budget: (0, 0, 0))
        #expect(text.contains("# TYPE attend_test_total counter\n"))
        #expect(Self.value(text, "attend_test_total") == 42)
    }

    @Test func milliseconds_MatchesStringFormat_WhenNotOnAHalf() {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        while checked < 2000 {
            let nanoseconds = Int64.random(in: 0..<5_000_000_000, using: &generator)
            let duration = Duration.nanoseconds(nanoseconds)
            let ms = Double(nanoseconds) / 1e6
            if nanoseconds % 1000 != 500 {
                #expect(AttendApp.milliseconds(duration, decimals: 3) == String(format: "%.3f", ms))
            }
            if nanoseconds % 10_000 != 5000 {
                #expect(AttendApp.milliseconds(duration, decimals: 2) == String(format: "%.2f", ms))
            }
            checked += 1
        }
        #expect(AttendApp.milliseconds(.zero, decimals: 3) == "0.000")
        #expect(AttendApp.milliseconds(.seconds(2), decimals: 0) == "2000")
    }
}
