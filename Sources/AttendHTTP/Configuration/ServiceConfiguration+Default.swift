import AttendCore

extension ServiceConfiguration {
    /// `config/default.json`, embedded so `attend serve` runs with no files and no download: one seeded model.
    /// A test checks that it equals the file.
    public static let embeddedDefaultJSON = #"""
        {
          "server": {
            "host": "0.0.0.0",
            "port": 8080,
            "max_connections": 1024,
            "max_response_bytes": 268435456,
            "api_keys": [],
            "log_format": "text",
            "expose_paths": false,
            "max_queued_write_bytes": 268435456,
            "limits": {
              "max_body_bytes": 8388608,
              "max_header_bytes": 65536,
              "max_headers": 100,
              "max_request_line_bytes": 8192,
              "max_pipelined_bytes": 8388608
            },
            "timeouts": {
              "header_ms": 10000, "idle_ms": 60000, "body_ms": 30000, "write_ms": 30000,
              "min_body_rate": 65536, "min_write_rate": 65536, "rate_grace_ms": 10000
            },
            "gzip": { "enabled": true, "min_bytes": 1024 }
          },
          "compute": {
            "threads": 0,
            "max_request_tokens": 16384,
            "max_request_sequences": 2048,
            "budget_wait_ms": 10000,
            "batching": {
              "max_batch_tokens": 8192, "max_batch_size": 64, "max_wait_ms": 1.5, "queue_capacity": 256, "max_queue_ms": 0
            }
          },
          "models": [
            {
              "name": "seeded",
              "architecture": {
                "layers": 4,
                "heads": 8,
                "hidden_size": 256,
                "intermediate_size": 1024,
                "max_positions": 512,
                "vocab_size": 30522,
                "type_vocab_size": 2,
                "positional_encoding": "sinusoidal",
                "norm_placement": "post",
                "activation": "gelu",
                "layer_norm_eps": 1e-12,
                "seed": 2017
              }
            }
          ]
        }
        """#

    /// The embedded default configuration, parsed.
    public static func embeddedDefault() throws(ConfigurationError) -> ServiceConfiguration {
        try parse(json: Array(embeddedDefaultJSON.utf8))
    }
}
