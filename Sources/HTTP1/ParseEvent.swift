/// What the request parser produced from the bytes so far.
public enum ParseEvent: Sendable, Equatable {
    /// A complete request head. Body events (if any) and `.end` follow.
    case head(RequestHead)
    /// Some decoded body bytes (any split; concatenate them).
    case body([UInt8])
    /// The end of the request, with the trailer fields of a chunked body (empty otherwise).
    /// The parser is then ready for the next (pipelined) request.
    case end(trailers: HTTPHeaders)
}
