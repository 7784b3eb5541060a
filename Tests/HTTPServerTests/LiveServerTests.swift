import Testing

/// Every test that runs a live server, one at a time: they share two cores and the cooperative thread pool the
/// handlers run on, and several time things (timeouts, shutdown deadlines).
@Suite(.serialized) struct LiveServerTests {}
