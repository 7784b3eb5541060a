import Dispatch
import Foundation
import HTTP1
import Synchronization
import Testing

@testable import HTTPServer

/// Runs a program without blocking the cooperative pool; returns its exit status and standard output.
func run(_ program: String, _ arguments: [String], timeout: Duration = .seconds(30)) async throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    let done = Flag()
    process.terminationHandler = { _ in done.set() }
    try process.run()
    // Read while it runs (so a large output cannot fill the pipe) on a Dispatch thread, not on the cooperative
    // pool, which the server's handlers need.
    let data = Mutex<Data?>(nil)
    DispatchQueue.global().async {
        let bytes = output.fileHandleForReading.readDataToEndOfFile()
        data.withLock { $0 = bytes }
    }
    let finished = await eventually(seconds: Double(timeout.components.seconds)) { done.isSet }
    if !finished { process.terminate() }
    _ = await eventually(seconds: 5) { data.withLock { $0 != nil } }
    let text = String(decoding: data.withLock { $0 } ?? Data(), as: UTF8.self)
    return (finished ? process.terminationStatus : -1, text)
}

/// A self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI in a fresh folder.
func makeCertificate() async throws -> (directory: String, certificate: String, key: String) {
    let directory = NSTemporaryDirectory() + "attend-tls-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let certificate = directory + "/cert.pem"
    let key = directory + "/key.pem"
    let (status, _) = try await run(
        "/usr/bin/openssl",
        [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ])
    try #require(status == 0)
    return (directory, certificate, key)
}

extension LiveServerTests {
    @Suite struct TLSTests {
        @Test func tls_ServesCurl_WithSelfSignedCertificate() async throws {
            let files = try await makeCertificate()
            defer { try? FileManager.default.removeItem(atPath: files.directory) }
            let configuration = testConfiguration(
                tls: TLSConfiguration(certificatePath: files.certificate, keyPath: files.key))
            let big = [UInt8](repeating: 0x5A, count: 3 << 20)
            let (server, port) = try startServer(configuration) { router in
                router.add(.GET, "/hello") { _, _ in Response(body: Array("hello over tls".utf8)) }
                router.add(.GET, "/big") { _, _ in Response(body: big) }
            }
            defer { Task { await server.shutdown(deadline: .seconds(1)) } }
            // Two requests on one kept-alive connection, then a big body written in pieces.
            let (status, output) = try await run(
                "/usr/bin/curl",
                [
                    "-sS", "--max-time", "20", "--cacert", files.certificate, "https://localhost:\(port)/hello",
                    "https://localhost:\(port)/hello",
                ])
            #expect(status == 0)
            #expect(output == "hello over tls" + "hello over tls")
            let (bigStatus, size) = try await run(
                "/usr/bin/curl",
                [
                    "-sS", "--max-time", "20", "--cacert", files.certificate, "-o", "/dev/null", "-w",
                    "%{size_download}", "https://127.0.0.1:\(port)/big",
                ])
            #expect(bigStatus == 0)
            #expect(size == String(big.count))
        }

        @Test func tls_DropsGarbageAndStalledHandshakes_WithoutHurtingOthers() async throws {
            let files = try await makeCertificate()
            defer { try? FileManager.default.removeItem(atPath: files.directory) }
            var configuration = testConfiguration(
                tls: TLSConfiguration(certificatePath: files.certificate, keyPath: files.key))
            configuration.timeouts.handshake = .milliseconds(300)
            let (server, port) = try startServer(configuration) { router in
                router.add(.GET, "/hello") { _, _ in Response(body: Array("still fine".utf8)) }
            }
            defer { Task { await server.shutdown(deadline: .seconds(1)) } }

            let stalled = try RawClient(port: port)
            await stalled.send([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])  // A ClientHello that never finishes.
            let garbage = try RawClient(port: port)
            await garbage.send(get("/hello"))  // Plain HTTP on the TLS port.

            let (status, output) = try await run(
                "/usr/bin/curl",
                ["-sS", "--max-time", "20", "--cacert", files.certificate, "https://127.0.0.1:\(port)/hello"])
            #expect(status == 0)
            #expect(output == "still fine")
            #expect(await garbage.waitForClose())
            #expect(await stalled.waitForClose())
            #expect(await eventually { server.connectionCount == 0 })
        }

        @Test func server_FailsToStart_WhenCertificateIsMissing() {
            let configuration = testConfiguration(
                tls: TLSConfiguration(certificatePath: "/nonexistent/cert.pem", keyPath: "/nonexistent/key.pem"))
            let server = Server(configuration: configuration, router: Router().freeze(), logger: quietLogger)
            #expect(throws: (any Error).self) { try server.start() }
        }
    }
}
