import AttendCore
import Foundation
import JSON
import TestSupport
import Testing
import Transformer

@testable import AttendHTTP

/// `POST /attend` in the safetensors format (README "Binary output").
@Suite(.serialized) struct BinaryResponseTests {
    /// The answer parsed by the service's own safetensors reader.
    static func file(_ reply: LoopbackClient.Reply) throws -> SafetensorsFile {
        try SafetensorsFile(bytes: reply.body, path: "response")
    }

    @Test func attend_AnswersSafetensorsEqualToJSON_WhenFormatGiven() async throws {
        try await LiveService.with() { live in
            let request =
                #"{"text":["the dog chased the ball","a cat"],"layers":[-1,0],"heads":[3,1],"hidden_states":true,"analysis":true"#
            let json = try #require(try await live.post("/attend", request + "}").json)
            let reply = try await live.post("/attend", request + #","format":"safetensors"}"#)
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/vnd.safetensors")
            #expect(reply.header("x-attend-tokens") == json["usage"]?["tokens"]?.number.map { String(Int($0)) })
            let headerLength = reply.body.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
            #expect((8 + headerLength) % 8 == 0)
            let file = try Self.file(reply)
            #expect(file.metadata["model"] == "tiny")
            #expect(file.metadata["format_version"] == "1")
            #expect(file.metadata["layers"] == "[2,0]")
            #expect(file.metadata["heads"] == "[3,1]")
            #expect(file.metadata["dtype"] == "float32")
            let results = try #require(json["results"]?.array)
            var names: Set<String> = []
            for (i, result) in results.enumerated() {
                let p = "results.\(i)."
                let n = try #require(result["tokens"]?.array?.count)
                let tokens = try JSONParser().parse(Array((file.metadata[p + "tokens"] ?? "").utf8))
                #expect(tokens == result["tokens"])
                let ids = try JSONParser().parse(Array((file.metadata[p + "input_ids"] ?? "").utf8))
                #expect(ids == result["input_ids"])
                #expect(file.metadata[p + "offsets"] != nil)
                let embeddings = try file.tensor(p + "embeddings", shape: [n, 32])
                #expect(embeddings.storage == (result["embeddings"]?.array ?? []).flatMap(\.floats))
                #expect(try file.tensor(p + "pooled", shape: [32]).storage == result["pooled"]?.floats)
                for (li, layer) in [2, 0].enumerated() {
                    let map = try file.tensor(p + "attentions.\(layer)", shape: [2, n, n])
                    let expected = (result["attentions"]?[li]?.array ?? []).flatMap {
                        ($0.array ?? []).flatMap(\.floats)
                    }
                    #expect(map.storage == expected)
                    names.insert(p + "attentions.\(layer)")
                }
                let hidden = try file.tensor(p + "hidden_states", shape: [4, n, 32])
                let expectedHidden = (result["hidden_states"]?.array ?? []).flatMap {
                    ($0.array ?? []).flatMap(\.floats)
                }
                #expect(hidden.storage == expectedHidden)
                let rollout = try file.tensor(p + "analysis.rollout", shape: [n, n])
                #expect(rollout.storage == (result["analysis"]?["rollout"]?.array ?? []).flatMap(\.floats))
                let entropy = try file.tensor(p + "analysis.entropy", shape: [2, 2])
                #expect(entropy.storage == (result["analysis"]?["entropy"]?.array ?? []).flatMap(\.floats))
                names.formUnion([
                    p + "embeddings", p + "pooled", p + "hidden_states", p + "analysis.rollout", p + "analysis.entropy",
                ])
            }
            #expect(Set(file.tensorNames) == names)
        }
    }

    @Test func attend_AnswersSafetensors_WhenAcceptAsksForIt() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post(
                "/attend", #"{"tokens":[["hello","world"]],"attentions":false}"#,
                headers: [("Accept", "application/vnd.safetensors")])
            #expect(reply.status == 200)
            #expect(reply.header("content-type") == "application/vnd.safetensors")
            let file = try Self.file(reply)
            #expect(file.metadata["results.0.word_ids"] == "[null,0,1,null]")
            #expect(file.tensorNames == ["results.0.embeddings", "results.0.pooled"])
        }
    }

    @Test func attend_AnswersJSON_WhenAcceptIsAnyOrPrefersJSON() async throws {
        try await LiveService.with() { live in
            for accept in ["*/*", "application/json", "application/*", "application/vnd.safetensors;q=0.5, */*"] {
                let reply = try await live.post(
                    "/attend", #"{"input_ids":[2,17,3],"attentions":false}"#, headers: [("Accept", accept)])
                #expect(reply.status == 200, "\(accept)")
                #expect(reply.header("content-type") == "application/json", "\(accept)")
            }
        }
    }

    @Test func attend_BodyFormatWins_WhenAcceptAllowsIt() async throws {
        try await LiveService.with() { live in
            let both = "application/vnd.safetensors, application/json;q=0.1"
            let json = try await live.post(
                "/attend", #"{"input_ids":[2,17,3],"format":"json"}"#, headers: [("Accept", both)])
            #expect(json.header("content-type") == "application/json")
            let binary = try await live.post(
                "/attend", #"{"input_ids":[2,17,3],"format":"safetensors"}"#, headers: [("Accept", "*/*")])
            #expect(binary.header("content-type") == "application/vnd.safetensors")
        }
    }

    @Test func attend_Answers406WithJSONError_WhenAcceptAllowsNeitherType() async throws {
        try await LiveService.with() { live in
            let cases: [(String, String)] = [
                (#"{"input_ids":[2,17,3]}"#, "text/html"),
                (#"{"input_ids":[2,17,3]}"#, "application/json;q=0, application/vnd.safetensors;q=0"),
                (#"{"input_ids":[2,17,3],"format":"safetensors"}"#, "application/json"),
                (#"{"input_ids":[2,17,3],"format":"json"}"#, "application/vnd.safetensors"),
            ]
            for (body, accept) in cases {
                let reply = try await live.post("/attend", body, headers: [("Accept", accept)])
                #expect(reply.status == 406, "\(accept)")
                #expect(reply.header("content-type") == "application/json")
                #expect(reply.errorCode == "not_acceptable")
                guard case .string(let message)? = reply.json?["error"]?["message"] else {
                    Issue.record("no message")
                    continue
                }
                #expect(message.contains("application/json") && message.contains("application/vnd.safetensors"))
            }
        }
    }

    @Test func attend_Answers400_WhenFormatIsUnknown() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/attend", #"{"input_ids":[2,17,3],"format":"npz"}"#)
            #expect(reply.status == 400)
            #expect(reply.errorCode == "invalid_request")
        }
    }

    @Test func attend_AnswersHalfFloats_WhenDTypeGiven() async throws {
        try await LiveService.with() { live in
            let request = #"{"text":"the dog chased the ball","layers":[1],"hidden_states":true"#
            let json = try #require(try await live.post("/attend", request + "}").json)
            let expected = (json["results"]?[0]?["attentions"]?[0]?.array ?? []).flatMap {
                ($0.array ?? []).flatMap(\.floats)
            }
            for (dtype, name) in [("float16", SafetensorsFile.DType.f16), ("bfloat16", .bf16)] {
                let reply = try await live.post(
                    "/attend", request + #","format":"safetensors","dtype":"\#(dtype)"}"#)
                #expect(reply.status == 200)
                let file = try Self.file(reply)
                #expect(file.metadata["dtype"] == dtype)
                #expect(file.entries.values.allSatisfy { $0.dtype == name })
                let map = try file.tensor("results.0.attentions.1").storage
                let narrowed = expected.map {
                    dtype == "float16"
                        ? Float16Conversion.half($0) : Float16Conversion.bfloat($0)
                }
                let widened = narrowed.map {
                    dtype == "float16"
                        ? Float16Conversion.float(half: $0) : Float16Conversion.float(bfloat: $0)
                }
                #expect(map == widened)
            }
        }
    }

    @Test func attend_Answers400_WhenDTypeAsksJSONForHalfFloats() async throws {
        try await LiveService.with() { live in
            let reply = try await live.post("/attend", #"{"input_ids":[2,17,3],"dtype":"float16"}"#)
            #expect(reply.status == 400)
            guard case .string(let message)? = reply.json?["error"]?["message"] else {
                Issue.record("no message")
                return
            }
            #expect(message.contains("binary answers only"))
            let accepted = try await live.post(
                "/attend", #"{"input_ids":[2,17,3],"dtype":"bfloat16"}"#,
                headers: [("Accept", "application/vnd.safetensors")])
            #expect(accepted.status == 200)
            let unknown = try await live.post(
                "/attend", #"{"input_ids":[2,17,3],"format":"safetensors","dtype":"int8"}"#)
            #expect(unknown.status == 400)
        }
    }

    @Test func negotiation_PicksTheMostSpecificRange() throws {
        let ranges = MediaNegotiation.parse("application/*;q=0.2, application/vnd.safetensors;q=0.9, */*;q=0")
        #expect(MediaNegotiation.quality(of: "application/json", in: ranges) == 0.2)
        #expect(MediaNegotiation.quality(of: "application/vnd.safetensors", in: ranges) == 0.9)
        #expect(MediaNegotiation.quality(of: "text/plain", in: ranges) == 0)
        #expect(try MediaNegotiation.choose(explicit: nil, accept: nil) == .json)
        #expect(try MediaNegotiation.choose(explicit: nil, accept: " ") == .json)
        #expect(try MediaNegotiation.choose(explicit: .safetensors, accept: nil) == .safetensors)
        #expect(
            try MediaNegotiation.choose(explicit: nil, accept: "application/vnd.safetensors, application/json")
                == .json)
        #expect(
            try MediaNegotiation.choose(explicit: nil, accept: "application/vnd.safetensors, application/json;q=0.9")
                == .safetensors)
        #expect(throws: RequestError.self) { try MediaNegotiation.choose(explicit: nil, accept: "image/png") }
    }

    @Test func estimate_CoversTheBinaryAnswerExactlyFromAbove() async throws {
        try await LiveService.with() { live in
            let request = AttendRequest(source: .texts(["the dog chased the ball", "a much longer text than that"]))
            var binary = request
            binary.form.format = .safetensors
            binary.hiddenStates = true
            binary.analysis = true
            let job = try await live.app.engine.prepare(binary)
            let results = try await live.app.engine.run(job)
            let size = SafetensorsWriter.size(job, results: results)
            #expect(SafetensorsWriter.write(job, results: results).count == size)
            #expect(job.estimate.responseBytes >= size)
            // The data section is counted exactly; only the header is bounded from above.
            #expect(job.estimate.responseBytes < size + 16 << 10)
        }
    }

    @Test func attend_FitsTheResponseLimitInBinary_WhenJSONWouldNot() async throws {
        try await LiveService.with(configure: { $0.server.maxResponseBytes = 96 << 10 }) { live in
            let words = Array(repeating: "word", count: 60).joined(separator: " ")
            let body = #"{"text":"\#(words)","truncate":true,"hidden_states":true"#
            let json = try await live.post("/attend", body + "}")
            #expect(json.status == 422)
            #expect(json.errorCode == "response_too_large")
            let binary = try await live.post("/attend", body + #","format":"safetensors"}"#)
            #expect(binary.status == 200)
        }
    }
}

/// `scripts/check-binary` (numpy + safetensors) against a live test service: every tensor of the safetensors
/// answer loaded with `safetensors.numpy.load` equals the JSON answer (float32 exactly, float16 as numpy converts).
/// CI also runs the script against `attend serve` (`.ci/run`); here it runs when python3 has safetensors.
@Suite(.serialized) struct BinaryReferenceTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/check-binary").path

    static let pythonHasSafetensors: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import numpy, safetensors.numpy"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    @Test(.enabled(if: pythonHasSafetensors, "python3 with numpy and safetensors"))
    func checkBinary_FindsTheSafetensorsAnswerEqualToJSON() async throws {
        try await LiveService.with(models: [TestModels.tiny]) { live in
            let port = live.port
            let (status, output) = try await onThread { () -> (Int32, String) in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", Self.script, "--url", "http://127.0.0.1:\(port)"]
                let pipe = Pipe()
                process.standardOutput = pipe
                process.standardError = pipe
                try process.run()
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                return (process.terminationStatus, String(decoding: data, as: UTF8.self))
            }
            #expect(status == 0, "\(output)")
            #expect(output.contains("check-binary: ok"))
        }
    }
}
