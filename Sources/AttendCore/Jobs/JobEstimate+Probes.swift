import Transformer

extension AttendJob {
    /// Adds the probes to `estimate` before anything is computed: in memory what the pass keeps for every
    /// variant (exactly, `Encoder.keptBytes`), its pooled vector and comparison; in the answer each variant's
    /// outputs at the original length n (JSON aligns them to the original positions, `null` where dropped;
    /// safetensors holds the n′ ≤ n kept rows), whole maps, and the differences. A JSON answer that becomes large
    /// enough is streamed; then the probes' largest piece joins the pieces held at once.
    func addProbes(to estimate: inout JobEstimate) {
        guard !probes.isEmpty else { return }
        let c = model.configuration
        let d = c.hiddenSize
        let binary = form.format == .safetensors
        let perFloat = binary ? form.dtype.size : JobEstimate.bytesPerFloat(precision: precision)
        let maps = attentions ? layers.count * heads.count : 0
        var response = 0
        var held = 0
        var largestPiece = 0
        for (s, encoding) in input.encodings.enumerated() {
            let n = encoding.count
            let tokenBytes = encoding.tokens.reduce(0) { $0 + $1.utf8.count }
            for probe in probes {
                let replaced = probe.variants[s].tokens.reduce(0) { $0 + $1.utf8.count }
                let name = probe.name?.utf8.count ?? 0
                var floats = n * d + d + maps * n * n + 1 + 2 * n + maps
                if hiddenStates { floats += (c.layers + 1) * n * d }
                // Tokens (escaped at most 6 bytes per byte), ids, the name, the ablated pairs, the framing.
                let other = (tokenBytes + replaced + name) * 6 + n * 40 + (c.layers * c.heads) * 12 + 512
                let tensors = 10 + layers.count
                response += floats * perFloat + other + (binary ? tensors * JobEstimate.safetensorsEntryBytes : 0)
                held += (d + 2 * n + maps) * 4
                largestPiece = max(largestPiece, max(n * d + d, n * n) * perFloat + other)
            }
        }
        let kept = model.encoder.keptBytes(for: probeInputs)
        estimate.responseBytes += response
        let streamed = form.format == .json && estimate.responseBytes >= JobEstimate.streamMinimumBytes
        if streamed {
            // The window's pieces may now be probe pieces: count that many more of the largest, never more than
            // the probes' whole share.
            let window = (JobEstimate.streamWindowPieces + 2) * (largestPiece + JobEstimate.streamPieceBytes)
            let share =
                estimate.streamed ? min(response, window) : min(response, window + JobEstimate.streamOutputBytes)
            estimate.memoryBytes += kept + held + share
        } else {
            estimate.memoryBytes += kept + held + response
        }
        estimate.streamed = streamed
    }
}
