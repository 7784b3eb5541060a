// Which keys a query sees: causal and local (sliding-window) masks. Shape legend: see Encoder.swift (n).

extension Encoder {
    /// The keys query `query` of a sequence of `length` tokens attends to; every score outside is −∞ before the
    /// softmax (an exact 0 in the map). All keys, except: causal (``EncoderConfiguration/causal``) stops at the
    /// query itself; a local layer's `window` (``EncoderConfiguration/localAttention`` / 2, nil on a global layer)
    /// keeps keys j with |query − j| ≤ window, as `transformers`' `sliding_window_bidirectional_overlay`.
    @inline(__always)
    func visibleKeys(query: Int, length: Int, window: Int?) -> Range<Int> {
        var upper = configuration.causal ? Swift.min(query + 1, length) : length
        var lower = 0
        if let window {
            lower = Swift.max(0, query - window)
            upper = Swift.min(upper, query + window + 1)
        }
        return lower..<upper
    }

    /// Layer l's half window: ``EncoderConfiguration/localAttention`` / 2 on a local layer, nil on a global one.
    func window(layer l: Int) -> Int? {
        configuration.isLocal(layer: l) ? configuration.localAttention / 2 : nil
    }
}
