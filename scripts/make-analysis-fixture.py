#!/usr/bin/env python3
"""Writes Tests/TransformerTests/Fixtures/analysis.json: random attention maps and numpy reference outputs.

numpy only. Deterministic (fixed seed). Each case holds:
  maps      L x [H, n, n] row-stochastic matrices (softmax of random logits; some exact zeros in one case)
  hidden    [n, d] random vectors (one all-zero row in one case)
  rollout   [n, n]  per layer: mean over heads, + I, rows renormalised; R = A_L @ ... @ A_1
  entropy   L x [H] mean over query rows of -sum p ln p (nats, 0 ln 0 = 0)
  cosine    [n, n]  cosine similarity of the rows of hidden (0 where a row has zero norm)
Usage: scripts/make-analysis-fixture.py [OUTPUT]
"""
import json
import os
import sys

import numpy as np


def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def rollout(maps):
    n = maps[0].shape[-1]
    result = np.eye(n)
    for layer in maps:
        a = layer.mean(axis=0) + np.eye(n)
        a = a / a.sum(axis=-1, keepdims=True)
        result = a @ result
    return result


def entropy(layer):
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(layer > 0, -layer * np.log(np.where(layer > 0, layer, 1.0)), 0.0)
    return terms.sum(axis=-1).mean(axis=-1)


def cosine(hidden):
    norms = np.linalg.norm(hidden, axis=-1)
    safe = np.where(norms > 0, norms, 1.0)
    unit = hidden / safe[:, None]
    sim = unit @ unit.T
    zero = norms == 0
    sim[zero, :] = 0.0
    sim[:, zero] = 0.0
    return sim


def case(rng, name, layers, heads, n, d, sparse=False, zero_row=False):
    maps = []
    for _ in range(layers):
        logits = rng.normal(scale=2.0, size=(heads, n, n))
        if sparse:
            # mask some keys (like padding or causal masks) so exact zeros appear
            mask = rng.random(size=(heads, n, n)) < 0.3
            mask[..., 0] = False
            logits = np.where(mask, -np.inf, logits)
        maps.append(softmax(logits).astype(np.float32))
    hidden = rng.normal(size=(n, d)).astype(np.float32)
    if zero_row:
        hidden[n // 2] = 0.0
    maps64 = [m.astype(np.float64) for m in maps]
    return {
        "name": name,
        "layers": layers,
        "heads": heads,
        "n": n,
        "d": d,
        "maps": [m.reshape(-1).tolist() for m in maps],
        "hidden": hidden.reshape(-1).tolist(),
        "rollout": rollout(maps64).reshape(-1).tolist(),
        "entropy": [entropy(m).tolist() for m in maps64],
        "cosine": cosine(hidden.astype(np.float64)).reshape(-1).tolist(),
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default = os.path.join(here, "..", "Tests", "TransformerTests", "Fixtures", "analysis.json")
    out = sys.argv[1] if len(sys.argv) > 1 else default
    rng = np.random.default_rng(20261129)
    cases = [
        case(rng, "one-layer-one-head", 1, 1, 3, 4),
        case(rng, "small", 2, 3, 5, 8),
        case(rng, "masked-zeros-and-zero-vector", 3, 2, 7, 6, sparse=True, zero_row=True),
        case(rng, "bert-like", 4, 4, 12, 16),
    ]
    with open(out, "w") as f:
        json.dump({"generator": "scripts/make-analysis-fixture.py", "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
