#!/usr/bin/env python3
"""Writes the seed corpus of the safetensors fuzz target (scripts/fuzz/corpus-safetensors/): a few tiny valid
files (F32, F16, BF16; one or two tensors; with and without __metadata__; an empty tensor; padding; a gap; trailing
bytes) and a few invalid ones the parser must reject. Standard library only (struct + json).

Tensor values are chosen so that no data byte is 0x7D ('}'): the harness also parses each input with its header
length recomputed from the last '}' (so inserted or deleted header bytes still give a well-framed file), and a
'}' in the data would move that boundary.

Usage: scripts/fuzz/make-safetensors-seeds.py   (rewrites the directory's files; deterministic)
"""

import json
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus-safetensors")


def f32(values):
    return b"".join(struct.pack("<f", v) for v in values)


def f16(values):
    return b"".join(struct.pack("<e", v) for v in values)


def bf16(values):
    # The high half of each float32 (values chosen exact in bfloat16).
    return b"".join(struct.pack("<f", v)[2:] for v in values)


def image(tensors, metadata=None, pad_to=1, trailing=b"", gap=0, raw_header=None):
    """tensors: list of (name, dtype, shape, data bytes); laid out in order, `gap` bytes between them."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    data = b""
    for name, dtype, shape, payload in tensors:
        if data and gap:
            data += b"\x00" * gap
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    if raw_header is not None:
        text = raw_header
    else:
        text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    # The reference writer pads the header with spaces to a multiple of 8.
    while len(text) % pad_to:
        text += b" "
    blob = struct.pack("<Q", len(text)) + text + data + trailing
    return blob


SEEDS = {
    "f32-one": image([("w", "F32", [2, 2], f32([1.0, -2.5, 0.0, 3.0]))]),
    "f32-two-metadata": image(
        [("a.weight", "F32", [3], f32([0.5, -0.25, 8.0])), ("a.bias", "F32", [1], f32([-1.0]))],
        metadata={"format": "pt", "note": "caf\u00e9"},
        pad_to=8,
    ),
    "f16-one": image([("h", "F16", [4], f16([1.0, -0.5, 65504.0, 6.0e-8]))], metadata={"format": "pt"}),
    "bf16-two": image(
        [("x", "BF16", [2], bf16([1.0, -2.0])), ("y", "BF16", [1, 2], bf16([0.5, 3.0]))], pad_to=8
    ),
    "mixed-dtypes": image(
        [
            ("f", "F32", [1], f32([2.0])),
            ("h", "F16", [2], f16([0.25, -4.0])),
            ("b", "BF16", [2], bf16([1.5, -0.75])),
        ],
        metadata={},
    ),
    "empty-tensor": image([("e", "F32", [0, 3], b""), ("s", "F32", [], f32([4.0]))]),
    "gap-and-trailing": image(
        [("p", "F32", [1], f32([1.0])), ("q", "F16", [1], f16([2.0]))], gap=4, trailing=b"\x00\x01"
    ),
    "other-dtypes": image(
        [("i", "I64", [1], struct.pack("<q", 7)), ("u", "U8", [3], b"\x01\x02\x03"), ("k", "BOOL", [1], b"\x01")]
    ),
    "header-only": image([], metadata={"format": "pt"}),
    # Invalid: the parser must reject these (without crashing).
    "bad-overlap": image(
        [("a", "F32", [1], f32([1.0]))],
        raw_header=b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
        b'"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}',
        trailing=b"\x00\x00",
    ),
    "bad-out-of-bounds": image(
        [], raw_header=b'{"a":{"dtype":"F16","shape":[2,2],"data_offsets":[8,16]}}', trailing=b"\x00" * 4
    ),
    "bad-length": struct.pack("<Q", 1 << 40) + b'{"a":1}',
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    for name, blob in sorted(SEEDS.items()):
        header_length = struct.unpack("<Q", blob[:8])[0]
        if header_length < len(blob):
            assert b"}" not in blob[8 + header_length :], name
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(blob)
    print(f"{len(SEEDS)} seeds, {sum(len(b) for b in SEEDS.values())} bytes in {OUT}")


if __name__ == "__main__":
    main()
