/// One attention head of one layer: what ``EncoderInput/ablatedHeads`` names.
public struct AttentionHead: Sendable, Hashable, Comparable {
    /// The layer, `0..<L`.
    public var layer: Int
    /// The head, `0..<H`.
    public var head: Int

    public init(layer: Int, head: Int) {
        self.layer = layer
        self.head = head
    }

    public static func < (a: AttentionHead, b: AttentionHead) -> Bool {
        (a.layer, a.head) < (b.layer, b.head)
    }
}
