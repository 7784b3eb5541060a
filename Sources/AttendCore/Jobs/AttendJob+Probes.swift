import Transformer

/// One checked probe of a job: its name and, per input sequence, its variant (positions resolved for that
/// sequence).
public struct JobProbe: Sendable {
    public var name: String?
    /// `[sequence]`: the variant of each input sequence.
    public var variants: [ProbeVariant]

    public init(name: String?, variants: [ProbeVariant]) {
        self.name = name
        self.variants = variants
    }
}

extension AttendJob {
    /// The most probes one request may hold (each is run on every input sequence; the sequences and tokens of
    /// the variants also count against `compute.max_request_sequences` and `compute.max_request_tokens`).
    public static let maxProbes = 64

    /// What the pass keeps for a probe variant: the job's selection of maps and hidden states, no analysis and
    /// no contributions (a probe's answer carries neither).
    public var probeKeep: KeptOutputs {
        KeptOutputs(attentionLayers: attentions ? Set(layers) : [], heads: heads, hiddenStates: hiddenStates)
    }

    /// Checks the request's probes against the model and every sequence into ``probes`` (422 naming the field,
    /// e.g. `probes[2].replace.3`; 413 over the request caps).
    mutating func checkProbes(_ request: AttendRequest, limits: RequestLimits) throws(CoreError) {
        guard !request.probes.isEmpty else { return }
        guard request.probes.count <= Self.maxProbes else {
            throw .requestTooLarge(
                "\"probes\" holds \(request.probes.count) probes, over the limit of \(Self.maxProbes) per request; "
                    + "split them over several requests")
        }
        guard form.format != .bertviz else {
            throw .unsupported(
                "\"probes\" have no place in bertviz's format; ask for \"json\" or \"safetensors\"", field: "probes")
        }
        guard !request.occlusion else {
            throw .unsupported(
                "\"probes\" and \"occlusion\" do not combine in one request; send them as two requests",
                field: "probes")
        }
        let encodings = input.encodings
        try limits.check(sequences: encodings.count * (1 + request.probes.count))
        let keep = probeKeep
        var tokens = input.totalTokens
        var checked: [JobProbe] = []
        for (k, probe) in request.probes.enumerated() {
            let path = "probes[\(k)]"
            let ablated = try ablatedHeads(probe, path: path)
            let masked = probe.mask.isEmpty ? nil : try maskReplacement(path: path + ".mask")
            var replacements: [ProbeEdit.Replacement] = []
            for item in probe.replace {
                replacements.append(try replacement(item.token, path: path + ".replace." + item.key))
            }
            var variants: [ProbeVariant] = []
            for (s, encoding) in encodings.enumerated() {
                var edit = ProbeEdit(ablatedHeads: ablated)
                var edited: Set<Int> = []
                func claim(_ position: Int, _ field: String) throws(CoreError) -> Int {
                    let n = encoding.count
                    let p = position < 0 ? n + position : position
                    guard p >= 0 && p < n else {
                        throw .unsupported(
                            "\(field): position \(position) is outside sequence \(s) of \(n) tokens "
                                + "(0...\(n - 1), or -\(n)...-1)", field: field)
                    }
                    guard edited.insert(p).inserted else {
                        throw .unsupported(
                            "\(field): position \(position) (token \(p) of sequence \(s)) is edited twice in one "
                                + "probe", field: field)
                    }
                    return p
                }
                for (j, position) in probe.mask.enumerated() {
                    if let masked { edit.replacements[try claim(position, "\(path).mask[\(j)]")] = masked }
                }
                for (item, token) in zip(probe.replace, replacements) {
                    edit.replacements[try claim(item.position, "\(path).replace.\(item.key)")] = token
                }
                for (j, position) in probe.drop.enumerated() {
                    edit.drops.insert(try claim(position, "\(path).drop[\(j)]"))
                }
                guard edit.drops.count < encoding.count else {
                    throw .unsupported(
                        "\(path).drop: drops every token of sequence \(s); keep at least one", field: path + ".drop")
                }
                let variant = edit.apply(to: encoding, typeIDs: input.typeIDs(encoding), keep: keep)
                tokens += variant.count
                variants.append(variant)
            }
            checked.append(JobProbe(name: probe.name, variants: variants))
        }
        try limits.check(tokens: tokens)
        probes = checked
    }

    /// The probe's `"ablate"` pairs resolved (negative from the end) and checked: in range, each once.
    private func ablatedHeads(_ probe: ProbeRequest, path: String) throws(CoreError) -> Set<AttentionHead> {
        let c = model.configuration
        var result: Set<AttentionHead> = []
        for (j, pair) in probe.ablate.enumerated() {
            let field = "\(path).ablate[\(j)]"
            guard pair.count == 2 else {
                throw .unsupported("\(field): an ablation is a [layer, head] pair", field: field)
            }
            let layer = pair[0] < 0 ? c.layers + pair[0] : pair[0]
            let head = pair[1] < 0 ? c.heads + pair[1] : pair[1]
            guard layer >= 0 && layer < c.layers else {
                throw .unsupported(
                    "\(field): layer \(pair[0]) is outside the model's \(c.layers) layers", field: field)
            }
            guard head >= 0 && head < c.heads else {
                throw .unsupported("\(field): head \(pair[1]) is outside the model's \(c.heads) heads", field: field)
            }
            guard result.insert(AttentionHead(layer: layer, head: head)).inserted else {
                throw .unsupported("\(field): head [\(layer), \(head)] is ablated twice", field: field)
            }
        }
        return result
    }

    /// The tokenizer's mask token; a tokenizer without one refuses `"mask"` (422, no fallback: use `"replace"`).
    private func maskReplacement(path: String) throws(CoreError) -> ProbeEdit.Replacement {
        if let mask = model.tokenizer.maskToken, Int(mask.id) < model.configuration.vocabularySize {
            return ProbeEdit.Replacement(id: mask.id, token: mask.token)
        }
        throw .unsupported(
            "\(path): no_mask_token: model \"\(model.name)\"'s tokenizer has no mask token; name the replacement "
                + "with \"replace\"", field: path)
    }

    /// One replacement: a string must be one vocabulary entry, an id inside the vocabulary.
    private func replacement(_ token: ProbeRequest.Token, path: String) throws(CoreError) -> ProbeEdit.Replacement {
        let size = model.configuration.vocabularySize
        switch token {
        case .id(let id):
            guard id >= 0 && id < size else {
                throw .unsupported("\(path): id \(id) is outside the vocabulary (0..<\(size))", field: path)
            }
            return ProbeEdit.Replacement(id: Int32(id), token: model.tokenizer.token(for: Int32(id)) ?? "")
        case .string(let string):
            let id = model.tokenizer.id(for: string)
            guard let id, Int(id) < size else {
                throw .unsupported(
                    "\(path): \"\(string)\" is not one vocabulary token of model \"\(model.name)\" (give a single "
                        + "entry such as \"cat\" or \"##ing\", or its id)", field: path)
            }
            return ProbeEdit.Replacement(id: id, token: string)
        }
    }

    /// The probes' encoder inputs, sequence by sequence: sequence i's variants in probe order.
    public var probeInputs: [EncoderInput] {
        (0..<input.encodings.count).flatMap { s in probes.map { $0.variants[s].input } }
    }
}
