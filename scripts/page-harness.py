#!/usr/bin/env python3
"""A static stand-in for the service, for working on the page without a Swift build.

Serves the page's assets straight from Sources/AttendHTTP/Resources/ (index.html, app.js, app.css), with the same
headers as PageAsset, plus a canned GET /models (marked "random_weights"), POST /tokenize, and a POST /attend that
answers with random (numpy) attention maps in the /attend response shape, including `analysis` (rollout, entropy)
and `rows`; as JSON, or as safetensors (float32 or float16) when `Accept` prefers application/vnd.safetensors.
Errors use the service's JSON shape.

Usage: scripts/page-harness.py [--port 8765] [--layers 6] [--heads 12] [--max-length 128] [--no-analysis]
                               [--api-key KEY]
"""
import argparse
import json
import os
import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PAGE = os.path.join(ROOT, "Sources", "AttendHTTP", "Resources")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def page_files():
    """The page's files as the binary embeds them."""
    out = {}
    for name in ("index.html", "app.js", "app.css"):
        with open(os.path.join(PAGE, name), encoding="utf-8") as f:
            out[name] = f.read()
    return out


def tokenize(text):
    words = re.findall(r"\w+|[^\w\s]", text.lower())
    tokens = []
    for w in words:
        if len(w) > 6:  # pretend WordPiece
            tokens += [w[:4], "##" + w[4:]]
        else:
            tokens.append(w)
    return ["[CLS]"] + tokens + ["[SEP]"]


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def attend(text, layers, heads, analysis, seed):
    tokens = tokenize(text)
    n = len(tokens)
    rng = np.random.default_rng(seed)
    maps = []
    for layer in range(layers):
        logits = rng.normal(scale=1.5, size=(heads, n, n))
        for h in range(heads):  # some recognisable patterns
            kind = (layer + h) % 4
            if kind == 0:
                logits[h] += 4 * np.eye(n, k=1)
            elif kind == 1:
                logits[h] += 4 * np.eye(n, k=-1)
            elif kind == 2:
                logits[h][:, 0] += 4
            else:
                logits[h][:, n - 1] += 3
        maps.append(softmax(logits))
    result = {
        "tokens": tokens,
        "input_ids": [1000 + i for i in range(n)],
        "offsets": [None] * n,
        "embeddings": rng.normal(size=(n, 32)).round(5).tolist(),
        "pooled": rng.normal(size=32).round(5).tolist(),
        "attentions": [m.round(6).tolist() for m in maps],
    }
    if analysis:
        r = np.eye(n)
        for m in maps:
            a = m.mean(axis=0) + np.eye(n)
            a /= a.sum(axis=-1, keepdims=True)
            r = a @ r
        ent = [(-(m * np.log(np.where(m > 0, m, 1))).sum(-1)).mean(-1).round(6).tolist() for m in maps]
        result["analysis"] = {"rollout": r.round(6).tolist(), "entropy": ent}
    return {"model": "harness", "layers": list(range(layers)), "heads": list(range(heads)),
            "results": [result], "usage": {"tokens": n}}


def safetensors(body, dtype):
    """The /attend answer in the service's binary layout (README "Binary output"), result 0 only."""
    result = body["results"][0]
    kind, np_type = ("F16", np.float16) if dtype == "float16" else ("F32", np.float32)
    meta = {"format": "attend", "format_version": "1", "model": body["model"], "layers": json.dumps(body["layers"]),
            "heads": json.dumps(body["heads"]), "dtype": dtype, "results": "1",
            "tokens": str(len(result["tokens"])), "results.0.tokens": json.dumps(result["tokens"]),
            "results.0.input_ids": json.dumps(result["input_ids"])}
    if "rows" in result:
        meta["results.0.rows"] = json.dumps(result["rows"])
    tensors = [("results.0.embeddings", np.asarray(result["embeddings"]))]
    for layer, maps in zip(body["layers"], result.get("attentions", [])):
        tensors.append((f"results.0.attentions.{layer}", np.asarray(maps)))
    if "analysis" in result:
        tensors.append(("results.0.analysis.rollout", np.asarray(result["analysis"]["rollout"])))
        tensors.append(("results.0.analysis.entropy", np.asarray(result["analysis"]["entropy"])))
    header, data, offset = {"__metadata__": meta}, [], 0
    for name, array in tensors:
        raw = array.astype(np_type).astype("<" + np.dtype(np_type).str[1:]).tobytes()
        header[name] = {"dtype": kind, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        data.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return len(text).to_bytes(8, "little") + text + b"".join(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--heads", type=int, default=12)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--no-analysis", action="store_true")
    parser.add_argument("--api-key", default=None, help="answer 401 unless this Bearer key is sent")
    args = parser.parse_args()
    assets = page_files()
    routes = {
        "/": ("text/html; charset=utf-8", assets["index.html"]),
        "/app.js": ("text/javascript; charset=utf-8", assets["app.js"]),
        "/app.css": ("text/css; charset=utf-8", assets["app.css"]),
    }

    class Handler(BaseHTTPRequestHandler):
        def send(self, status, ctype, body, extra=()):
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Content-Security-Policy", CSP)
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def error(self, status, code, message):
            self.send(status, "application/json", json.dumps({"error": {"code": code, "message": message}}))

        def authorized(self):
            if not args.api_key or self.headers.get("Authorization") == "Bearer " + args.api_key:
                return True
            self.error(401, "unauthorized", "an API key is required: send Authorization: Bearer <key>")
            return False

        def do_GET(self):
            if self.path not in routes and not self.authorized():
                return
            if self.path in routes:
                ctype, body = routes[self.path]
                self.send(200, ctype, body, [("Cache-Control", "no-cache")])
            elif self.path == "/models":
                self.send(200, "application/json", json.dumps({"models": [
                    {"name": "harness", "layers": args.layers, "heads": args.heads, "max_length": args.max_length,
                     "source": "seeded", "random_weights": True}]}))
            else:
                self.error(404, "not_found", f"No route for GET {self.path}.")

        def do_POST(self):
            if not self.authorized():
                return
            if self.path not in ("/attend", "/tokenize"):
                return self.error(404, "not_found", f"No route for POST {self.path}.")
            length = int(self.headers.get("Content-Length", "0"))
            try:
                request = json.loads(self.rfile.read(length))
            except ValueError as e:
                return self.error(400, "invalid_json", f"The body is not valid JSON: {e}.")
            if args.no_analysis and "analysis" in request:
                return self.error(400, "unknown_field", "Unknown field 'analysis'.")
            text = request.get("text")
            if not isinstance(text, str) or not text.strip():
                return self.error(400, "empty_input", "'text' is empty: give at least one token.")
            n = len(tokenize(text))
            if n > args.max_length:
                return self.error(422, "sequence_too_long",
                                  f"The input has {n} tokens; model 'harness' takes at most {args.max_length}. "
                                  "Shorten it or pass \"truncate\": true.")
            if self.path == "/tokenize":
                tokens = tokenize(text)
                return self.send(200, "application/json", json.dumps({"model": "harness", "results": [
                    {"tokens": tokens, "input_ids": [1000 + i for i in range(n)]}], "usage": {"tokens": n}}))
            body = attend(text, args.layers, args.heads, bool(request.get("analysis")), n)
            for key in ("layers", "heads"):  # selections, as the service resolves them (negative from the end)
                if isinstance(request.get(key), list):
                    count = args.layers if key == "layers" else args.heads
                    body[key] = [k % count for k in request[key]]
            result = body["results"][0]
            result["attentions"] = [[result["attentions"][layer][head] for head in body["heads"]]
                                    for layer in body["layers"]]
            rows = request.get("rows")
            if isinstance(rows, list):
                rows = [r % n for r in rows]
                result = body["results"][0]
                result["rows"] = rows
                result["attentions"] = [[[head[r] for r in rows] for head in layer] for layer in result["attentions"]]
            accept = self.headers.get("Accept", "")
            if "application/vnd.safetensors" in accept.split(",")[0]:
                data = safetensors(body, request.get("dtype", "float32"))
                return self.send(200, "application/vnd.safetensors", data)
            self.send(200, "application/json", json.dumps(body))

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"harness on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
