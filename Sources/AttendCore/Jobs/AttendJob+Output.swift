/// How a `/attend` answer is laid out: JSON or one safetensors file, the float type of the binary tensors, and
/// which part of each attention map is returned (README "POST /attend", "Binary output").
public struct ResponseForm: Sendable, Equatable {
    /// The body's media type.
    public enum Format: String, Sendable, CaseIterable {
        /// `application/json`.
        case json
        /// `application/vnd.safetensors`: one safetensors file holding every tensor of the answer.
        case safetensors
        /// `application/json` as `bertviz.head_view` / `model_view` take it: per input `attention` (per layer
        /// `[1, heads, n, n]`), `tokens`, `sentence_b_start` (README "bertviz").
        case bertviz

        /// The `Content-Type` of an answer in this format.
        public var mediaType: String {
            switch self {
            case .json, .bertviz: return "application/json"
            case .safetensors: return "application/vnd.safetensors"
            }
        }
    }

    /// The element type of the binary answer's float tensors.
    public enum DType: String, Sendable, CaseIterable {
        case float32, float16, bfloat16

        /// Bytes per element.
        public var size: Int { self == .float32 ? 4 : 2 }

        /// The safetensors header's name of the type.
        public var safetensorsName: String {
            switch self {
            case .float32: return "F32"
            case .float16: return "F16"
            case .bfloat16: return "BF16"
            }
        }
    }

    /// Which keys of each kept query row are returned.
    public enum Keys: Sendable, Equatable {
        /// The whole row.
        case all
        /// The k largest weights (all of them when the row is shorter), largest first.
        case topK(Int)
        /// Every weight at or above the threshold, largest first.
        case threshold(Float)

        /// The most keys one row of `n` can keep. A row of softmax weights sums to 1, so at most ⌊1/t⌋ of them
        /// are ≥ t (one more is allowed for rounding).
        public func maximumKept(_ n: Int) -> Int {
            switch self {
            case .all: return n
            case .topK(let k): return min(k, n)
            case .threshold(let t):
                guard t > 0 else { return n }
                let bound = (1 / Double(t)).rounded(.down) + 1
                return bound >= Double(n) ? n : Int(bound)
            }
        }

        /// Whether rows are returned as index + value pairs rather than whole.
        public var isSparse: Bool { self != .all }
    }

    public var format: Format = .json
    public var dtype: DType = .float32
    /// Query rows of every map to return, negative counting from the end of each sequence; nil = all.
    public var rows: [Int]?
    public var keys: Keys = .all

    public init(format: Format = .json, dtype: DType = .float32, rows: [Int]? = nil, keys: Keys = .all) {
        self.format = format
        self.dtype = dtype
        self.rows = rows
        self.keys = keys
    }

    /// `rows` resolved for a sequence of `n` tokens (negative from the end, duplicates dropped, first kept); nil
    /// when an index is out of range.
    public func resolvedRows(_ n: Int) -> [Int]? {
        guard let rows else { return Array(0..<n) }
        var result: [Int] = []
        for i in rows {
            let r = i < 0 ? n + i : i
            guard r >= 0 && r < n else { return nil }
            if !result.contains(r) { result.append(r) }
        }
        return result
    }
}

extension AttendJob {
    /// The query rows returned for a sequence of `n` tokens (checked against every sequence when the job was
    /// prepared).
    public func rows(_ n: Int) -> [Int] { form.resolvedRows(n) ?? [] }
}
