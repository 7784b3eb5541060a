import Foundation
import JSON

/// The OpenAPI 3.1 description of every route, served at `GET /openapi.json`.
enum OpenAPIDocument {
    /// The document with the configured model names as the `model` fields' enumeration.
    static func json(models: [String]) -> String {
        let w = JSONWriter()
        w.strings(models)
        let names = String(decoding: w.bytes, as: UTF8.self)
        return template.replacingOccurrences(
            of: #""model": { "type": "string" }"#, with: #""model": { "type": "string", "enum": "# + names + " }")
    }

    static let template = #"""
        {
          "openapi": "3.1.0",
          "info": {
            "title": "Attend",
            "version": "1.0.0",
            "description": "Transformer encoder as a service: embeddings and every layer's and head's attention maps."
          },
          "components": {
            "securitySchemes": {
              "bearer": { "type": "http", "scheme": "bearer" },
              "apiKey": { "type": "apiKey", "in": "header", "name": "X-API-Key" }
            },
            "schemas": {
              "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {
                  "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": { "code": { "type": "string" }, "message": { "type": "string" } }
                  }
                }
              },
              "StringOrStrings": {
                "oneOf": [
                  { "type": "string" },
                  { "type": "array", "minItems": 1, "items": { "type": "string" } }
                ]
              },
              "Words": {
                "oneOf": [
                  { "type": "array", "minItems": 1, "items": { "type": "string" } },
                  { "type": "array", "minItems": 1, "items": { "type": "array", "items": { "type": "string" } } }
                ]
              },
              "Ids": {
                "oneOf": [
                  { "type": "array", "minItems": 1, "items": { "type": "integer", "minimum": 0 } },
                  {
                    "type": "array",
                    "minItems": 1,
                    "items": { "type": "array", "minItems": 1, "items": { "type": "integer", "minimum": 0 } }
                  }
                ]
              },
              "AttendRequest": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "model": { "type": "string" },
                  "text": { "$ref": "#/components/schemas/StringOrStrings" },
                  "tokens": { "$ref": "#/components/schemas/Words" },
                  "input_ids": { "$ref": "#/components/schemas/Ids" },
                  "add_special_tokens": { "type": "boolean", "default": true },
                  "truncate": { "type": "boolean", "default": false },
                  "layers": { "type": "array", "items": { "type": "integer" } },
                  "heads": { "type": "array", "items": { "type": "integer" } },
                  "attentions": { "type": "boolean", "default": true },
                  "hidden_states": { "type": "boolean", "default": false },
                  "analysis": {
                    "type": "boolean", "default": false,
                    "description": "add each result's attention rollout and per-head entropy (for the page)"
                  },
                  "pooling": { "type": "string", "enum": ["mean", "cls", "max", "none"] },
                  "normalize": { "type": "boolean" },
                  "precision": { "type": "integer", "minimum": 0, "maximum": 9 }
                }
              },
              "Matrix": { "type": "array", "items": { "type": "array", "items": { "type": "number" } } },
              "TokenizedSequence": {
                "type": "object",
                "required": ["tokens", "input_ids"],
                "properties": {
                  "tokens": { "type": "array", "items": { "type": "string" } },
                  "input_ids": { "type": "array", "items": { "type": "integer" } },
                  "offsets": {
                    "type": "array",
                    "items": {
                      "oneOf": [
                        { "type": "null" },
                        { "type": "array", "items": { "type": "integer" }, "minItems": 2, "maxItems": 2 }
                      ]
                    }
                  },
                  "word_ids": { "type": "array", "items": { "anyOf": [{ "type": "integer" }, { "type": "null" }] } }
                }
              },
              "AttendResult": {
                "allOf": [
                  { "$ref": "#/components/schemas/TokenizedSequence" },
                  {
                    "type": "object",
                    "required": ["embeddings"],
                    "properties": {
                      "embeddings": { "$ref": "#/components/schemas/Matrix" },
                      "pooled": { "type": "array", "items": { "anyOf": [{ "type": "number" }, { "type": "null" }] } },
                      "attentions": {
                        "type": "array",
                        "description": "[layer][head][query][key], post-softmax probabilities",
                        "items": { "type": "array", "items": { "$ref": "#/components/schemas/Matrix" } }
                      },
                      "hidden_states": { "type": "array", "items": { "$ref": "#/components/schemas/Matrix" } },
                      "analysis": {
                        "type": "object",
                        "required": ["rollout", "entropy"],
                        "properties": {
                          "rollout": {
                            "$ref": "#/components/schemas/Matrix",
                            "description": "[n][n]: per selected layer, in order, the mean over all heads plus the identity, rows renormalised, multiplied"
                          },
                          "entropy": {
                            "$ref": "#/components/schemas/Matrix",
                            "description": "[layer][head] of the selected ones: mean over queries of -sum p ln p, in nats"
                          }
                        }
                      }
                    }
                  }
                ]
              },
              "AttendResponse": {
                "type": "object",
                "required": ["model", "layers", "heads", "results", "usage"],
                "properties": {
                  "model": { "type": "string" },
                  "layers": { "type": "array", "items": { "type": "integer" } },
                  "heads": { "type": "array", "items": { "type": "integer" } },
                  "results": { "type": "array", "items": { "$ref": "#/components/schemas/AttendResult" } },
                  "usage": {
                    "type": "object",
                    "required": ["tokens"],
                    "properties": { "tokens": { "type": "integer" } }
                  }
                }
              },
              "TokenizeRequest": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                  "model": { "type": "string" },
                  "text": { "$ref": "#/components/schemas/StringOrStrings" },
                  "tokens": { "$ref": "#/components/schemas/Words" },
                  "input_ids": { "$ref": "#/components/schemas/Ids" },
                  "add_special_tokens": { "type": "boolean" },
                  "truncate": { "type": "boolean" }
                }
              },
              "TokenizeResponse": {
                "type": "object",
                "required": ["model", "results", "usage"],
                "properties": {
                  "model": { "type": "string" },
                  "results": { "type": "array", "items": { "$ref": "#/components/schemas/TokenizedSequence" } },
                  "usage": { "type": "object", "properties": { "tokens": { "type": "integer" } } }
                }
              },
              "EmbeddingsRequest": {
                "type": "object",
                "required": ["input"],
                "additionalProperties": false,
                "properties": {
                  "input": {
                    "oneOf": [
                      { "type": "string" },
                      { "type": "array", "minItems": 1, "items": { "type": "string" } },
                      { "type": "array", "minItems": 1, "items": { "type": "integer", "minimum": 0 } },
                      {
                        "type": "array",
                        "minItems": 1,
                        "items": { "type": "array", "minItems": 1, "items": { "type": "integer", "minimum": 0 } }
                      }
                    ]
                  },
                  "model": { "type": "string" },
                  "encoding_format": { "type": "string", "enum": ["float", "base64"] },
                  "dimensions": { "type": "integer", "minimum": 1 },
                  "user": { "type": "string" }
                }
              },
              "EmbeddingsResponse": {
                "type": "object",
                "required": ["object", "data", "model", "usage"],
                "properties": {
                  "object": { "const": "list" },
                  "data": {
                    "type": "array",
                    "items": {
                      "type": "object",
                      "required": ["object", "index", "embedding"],
                      "properties": {
                        "object": { "const": "embedding" },
                        "index": { "type": "integer" },
                        "embedding": {
                          "oneOf": [
                            { "type": "array", "items": { "anyOf": [{ "type": "number" }, { "type": "null" }] } },
                            { "type": "string" }
                          ]
                        }
                      }
                    }
                  },
                  "model": { "type": "string" },
                  "usage": {
                    "type": "object",
                    "properties": { "prompt_tokens": { "type": "integer" }, "total_tokens": { "type": "integer" } }
                  }
                }
              },
              "Model": {
                "type": "object",
                "required": ["name", "ready"],
                "properties": {
                  "name": { "type": "string" },
                  "ready": { "type": "boolean" },
                  "error": { "type": "string" },
                  "architecture": { "type": "object" },
                  "max_length": { "type": "integer" },
                  "vocabulary_size": { "type": "integer" },
                  "pooling": { "type": "string" },
                  "normalize": { "type": "boolean" },
                  "source": { "type": "string", "enum": ["seeded", "checkpoint"] },
                  "checkpoint": { "type": "string" }
                }
              }
            },
            "responses": {
              "Error": {
                "description": "An error",
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
              }
            }
          },
          "security": [{}, { "bearer": [] }, { "apiKey": [] }],
          "paths": {
            "/attend": {
              "post": {
                "operationId": "attend",
                "summary": "Embeddings and attention maps for one or more sequences",
                "requestBody": {
                  "required": true,
                  "content": { "application/json": { "schema": { "$ref": "#/components/schemas/AttendRequest" } } }
                },
                "responses": {
                  "200": {
                    "description": "Results",
                    "content": {
                      "application/json": { "schema": { "$ref": "#/components/schemas/AttendResponse" } }
                    }
                  },
                  "400": { "$ref": "#/components/responses/Error" },
                  "401": { "$ref": "#/components/responses/Error" },
                  "404": { "$ref": "#/components/responses/Error" },
                  "413": { "$ref": "#/components/responses/Error" },
                  "415": { "$ref": "#/components/responses/Error" },
                  "422": { "$ref": "#/components/responses/Error" },
                  "503": { "$ref": "#/components/responses/Error" }
                }
              }
            },
            "/tokenize": {
              "post": {
                "operationId": "tokenize",
                "summary": "Tokens, ids and offsets",
                "requestBody": {
                  "required": true,
                  "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TokenizeRequest" } } }
                },
                "responses": {
                  "200": {
                    "description": "Tokenization",
                    "content": {
                      "application/json": { "schema": { "$ref": "#/components/schemas/TokenizeResponse" } }
                    }
                  },
                  "400": { "$ref": "#/components/responses/Error" },
                  "401": { "$ref": "#/components/responses/Error" },
                  "404": { "$ref": "#/components/responses/Error" },
                  "413": { "$ref": "#/components/responses/Error" },
                  "415": { "$ref": "#/components/responses/Error" },
                  "422": { "$ref": "#/components/responses/Error" },
                  "503": { "$ref": "#/components/responses/Error" }
                }
              }
            },
            "/v1/embeddings": {
              "post": {
                "operationId": "createEmbedding",
                "summary": "OpenAI-compatible embeddings",
                "requestBody": {
                  "required": true,
                  "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/EmbeddingsRequest" } }
                  }
                },
                "responses": {
                  "200": {
                    "description": "Embeddings",
                    "content": {
                      "application/json": { "schema": { "$ref": "#/components/schemas/EmbeddingsResponse" } }
                    }
                  },
                  "400": { "$ref": "#/components/responses/Error" },
                  "401": { "$ref": "#/components/responses/Error" },
                  "404": { "$ref": "#/components/responses/Error" },
                  "413": { "$ref": "#/components/responses/Error" },
                  "415": { "$ref": "#/components/responses/Error" },
                  "422": { "$ref": "#/components/responses/Error" },
                  "503": { "$ref": "#/components/responses/Error" }
                }
              }
            },
            "/models": {
              "get": {
                "operationId": "listModels",
                "responses": {
                  "200": {
                    "description": "Configured models",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "required": ["models"],
                          "properties": {
                            "models": { "type": "array", "items": { "$ref": "#/components/schemas/Model" } }
                          }
                        }
                      }
                    }
                  },
                  "401": { "$ref": "#/components/responses/Error" }
                }
              }
            },
            "/models/{name}": {
              "get": {
                "operationId": "getModel",
                "parameters": [{ "name": "name", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": {
                  "200": {
                    "description": "One model",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Model" } } }
                  },
                  "401": { "$ref": "#/components/responses/Error" },
                  "404": { "$ref": "#/components/responses/Error" }
                }
              }
            },
            "/healthz": {
              "get": {
                "operationId": "healthz",
                "security": [],
                "responses": {
                  "200": {
                    "description": "The process is up",
                    "content": {
                      "application/json": {
                        "schema": { "type": "object", "properties": { "status": { "const": "ok" } } }
                      }
                    }
                  }
                }
              }
            },
            "/readyz": {
              "get": {
                "operationId": "readyz",
                "security": [],
                "responses": {
                  "200": {
                    "description": "Every model is loaded",
                    "content": {
                      "application/json": {
                        "schema": {
                          "type": "object",
                          "properties": {
                            "status": { "const": "ready" },
                            "models": { "type": "array", "items": { "type": "string" } }
                          }
                        }
                      }
                    }
                  },
                  "503": { "$ref": "#/components/responses/Error" }
                }
              }
            },
            "/metrics": {
              "get": {
                "operationId": "metrics",
                "responses": {
                  "200": { "description": "Prometheus text format", "content": { "text/plain": { "schema": { "type": "string" } } } },
                  "401": { "$ref": "#/components/responses/Error" }
                }
              }
            },
            "/openapi.json": {
              "get": {
                "operationId": "openapi",
                "security": [],
                "responses": {
                  "200": { "description": "This document", "content": { "application/json": { "schema": { "type": "object" } } } }
                }
              }
            }
          }
        }
        """#
}
