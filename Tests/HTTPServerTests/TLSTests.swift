import Dispatch
import Foundation
import HTTP1
import Testing

@testable import HTTPServer

/// Runs a program without blocking the cooperative pool; returns its exit status and standard output (status -1
/// when it had to be killed after `timeout`).
func run(_ program: String, _ arguments: [String], timeout: Duration = .seconds(30)) async throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let killed = Flag()
    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout.nanoseconds / 1_000_000))) {
        if process.isRunning {
            killed.set()
            process.terminate()
        }
    }
    // Read to the end (so a large output cannot fill the pipe) and wait on a Dispatch thread, not on the
    // cooperative pool, which the server's handlers need.
    let (status, data) = await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            continuation.resume(returning: (process.terminationStatus, data))
        }
    }
    return (killed.isSet ? -1 : status, String(decoding: data, as: UTF8.self))
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
            try await withServer(
                configuration,
                routes: { router in
                    router.add(.GET, "/hello") { _, _ in Response(body: Array("hello over tls".utf8)) }
                    router.add(.GET, "/big") { _, _ in Response(body: big) }
                }
            ) { server, port in
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
        }

        @Test func tls_DropsGarbageAndStalledHandshakes_WithoutHurtingOthers() async throws {
            let files = try await makeCertificate()
            defer { try? FileManager.default.removeItem(atPath: files.directory) }
            var configuration = testConfiguration(
                tls: TLSConfiguration(certificatePath: files.certificate, keyPath: files.key))
            configuration.timeouts.handshake = .milliseconds(300)
            try await withServer(
                configuration,
                routes: { router in
                    router.add(.GET, "/hello") { _, _ in Response(body: Array("still fine".utf8)) }
                }
            ) { server, port in

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
        }

        /// A TLS client (Python's `ssl` over a memory BIO) that sends one request, then a TCP FIN without
        /// close_notify, and prints everything it reads back until the server closes.
        static let halfClosingClient = #"""
            import socket, ssl, sys
            port, cafile, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
            context = ssl.create_default_context(cafile=cafile)
            raw = socket.create_connection(("127.0.0.1", port), timeout=10)
            incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
            def send():
                data = outgoing.read()
                if data:
                    raw.sendall(data)
            def receive():
                try:
                    data = raw.recv(65536)
                except ConnectionResetError:
                    data = b""
                if data:
                    incoming.write(data)
                else:
                    incoming.write_eof()
                return bool(data)
            while True:
                try:
                    tls.do_handshake()
                    break
                except ssl.SSLWantReadError:
                    send()
                    if not receive():
                        sys.exit(2)
            send()
            tls.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").encode())
            send()
            raw.shutdown(socket.SHUT_WR)
            if path == "/later":
                # The FIN is sent: tell the waiting handler so, on a second connection.
                with socket.create_connection(("127.0.0.1", port), timeout=10) as plain:
                    with context.wrap_socket(plain, server_hostname="localhost") as other:
                        other.sendall(b"GET /release HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                        while other.recv(65536):
                            pass
            answer = b""
            while True:
                try:
                    chunk = tls.read(65536)
                    if not chunk:
                        break
                    answer += chunk
                except ssl.SSLWantReadError:
                    if not receive():
                        break
                except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                    break
            sys.stdout.write(answer.decode("latin-1"))
            """#

        @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")))
        func tls_AnswersHalfClosedClient_WhenFINComesWithoutCloseNotify() async throws {
            let files = try await makeCertificate()
            defer { try? FileManager.default.removeItem(atPath: files.directory) }
            let configuration = testConfiguration(
                tls: TLSConfiguration(certificatePath: files.certificate, keyPath: files.key))
            let afterFIN = Gate()
            try await withServer(
                configuration,
                routes: { router in
                    router.add(.GET, "/now") { _, _ in Response(body: Array("at once".utf8)) }
                    // Answers only once the client has sent its FIN: the client then opens the gate through
                    // `/release` on a second connection.
                    router.add(.GET, "/later") { _, _ in
                        await afterFIN.wait()
                        return Response(body: Array("after the FIN".utf8))
                    }
                    router.add(.GET, "/release") { _, _ in
                        afterFIN.open()
                        return Response(body: Array("released".utf8))
                    }
                }
            ) { server, port in
                // The FIN arrives with the request, or while its handler runs (the connection is probed first).
                for (path, text) in [("/now", "at once"), ("/later", "after the FIN")] {
                    let (status, output) = try await run(
                        "/usr/bin/python3", ["-c", Self.halfClosingClient, String(port), files.certificate, path])
                    #expect(status == 0)
                    #expect(output.hasPrefix("HTTP/1.1 "))
                    #expect(output.contains("HTTP/1.1 200 OK\r\n"))
                    #expect(output.hasSuffix(text))
                    // (/now may be answered before the FIN is read, then without `Connection: close`.)
                    if path == "/later" { #expect(output.contains("Connection: close\r\n")) }
                }
                #expect(await eventually { server.connectionCount == 0 })
            }
        }

        @Test func server_FailsToStart_WhenCertificateIsMissing() {
            let configuration = testConfiguration(
                tls: TLSConfiguration(certificatePath: "/nonexistent/cert.pem", keyPath: "/nonexistent/key.pem"))
            let server = Server(configuration: configuration, router: Router().freeze(), logger: quietLogger)
            #expect(throws: (any Error).self) { try server.start() }
        }
    }
}
