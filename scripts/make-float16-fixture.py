#!/usr/bin/env python3
"""Writes Tests/TransformerTests/Fixtures/float16/conversions.txt: float32 bit patterns with numpy's float16 and
bfloat16 conversions of each, for Float16ConversionTests (Sources/Transformer/Float16Conversion.swift).

Each line: `f32 f16 bf16` in hex. The patterns: zeros, infinities, NaNs (quiet, signalling, payloads), float32
subnormals, every binary16 boundary (smallest subnormal and half of it, largest subnormal, smallest normal, largest
finite 65504 and the tie 65520 that overflows), exact ties and near-ties around each of them in both formats, and
random patterns over every exponent. float16 comes from numpy (`astype(np.float16)`); bfloat16 from ml_dtypes when
installed, checked against round-to-nearest-even computed here by integer arithmetic (which is used without it).
"""
import os
import random

import numpy as np

try:
    import ml_dtypes
except ImportError:
    ml_dtypes = None


def bf16_rne(bits):
    if (bits & 0x7FFFFFFF) > 0x7F800000:
        return ((bits >> 16) | 0x40) & 0xFFFF
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16) & 0xFFFF


def patterns():
    rng = random.Random(2026)
    out = set()
    specials = [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001, 0x7FBFFFFF,
                0x7FFFFFFF, 0xFFFFFFFF, 0x7FA00000, 0x7F802000, 0x00000001, 0x007FFFFF, 0x00800000, 0x7F7FFFFF,
                0xFF7FFFFF, 0x3F800000, 0xBF800000]
    out.update(specials)
    # Values around every binary16 boundary, as floats: the patterns just around them.
    anchors = [2.0 ** -24, 2.0 ** -25, 2.0 ** -24 * 1.5, 2.0 ** -14, 2.0 ** -14 - 2.0 ** -24, 65504.0, 65520.0,
               65519.0, 1.0, 2.0, 0.5, 1.0 + 2.0 ** -11, 1.0 + 3 * 2.0 ** -11, 2.0 ** -26, 3.0 * 2.0 ** -26,
               2.0 ** 15, 2.0 ** 16, 3.0e38, 1e-40, 2.0 ** -126, 2.0 ** -133]
    for a in anchors:
        b = int(np.float32(a).view(np.uint32))
        for d in range(-4, 5):
            for sign in (0, 0x80000000):
                out.add(((b + d) & 0x7FFFFFFF) | sign)
    # Exact ties and their neighbours for float16 (13 dropped bits) and bfloat16 (16 dropped bits), every exponent.
    for exponent in range(0, 256):
        for _ in range(1):
            m = rng.getrandbits(23)
            for low, width in ((0x1000, 13), (0x8000, 16)):
                tie = (m & ~((1 << width) - 1)) | low
                for d in (-1, 0, 1):
                    for sign in (0, 0x80000000):
                        out.add(sign | exponent << 23 | ((tie + d) & 0x7FFFFF))
    # Half subnormal ties: values k/2 × 2^-24 for odd k (exactly halfway between two subnormals).
    for k in range(1, 2048, 2):
        b = int(np.float32(k * 2.0 ** -25).view(np.uint32))
        out.update({b, b + 1, b - 1, b | 0x80000000})
    while len(out) < 6000:
        out.add(rng.getrandbits(32))
    return sorted(out)


def main():
    bits = np.array(patterns(), dtype=np.uint32)
    floats = bits.view(np.float32)
    with np.errstate(all="ignore"):
        f16 = floats.astype(np.float16).view(np.uint16)
    if ml_dtypes is not None:
        bf16 = floats.astype(ml_dtypes.bfloat16).view(np.uint16)
        for b, h in zip(bits.tolist(), bf16.tolist()):
            if (b & 0x7FFFFFFF) <= 0x7F800000:
                assert h == bf16_rne(b), f"ml_dtypes and the spec disagree on {b:08x}: {h:04x}"
    else:
        bf16 = np.array([bf16_rne(b) for b in bits.tolist()], dtype=np.uint16)
    path = os.path.join(os.path.dirname(__file__), "..", "Tests", "TransformerTests", "Fixtures", "float16")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "conversions.txt"), "w") as f:
        f.write(f"# float32 float16 bfloat16 (hex); numpy {np.__version__}, "
                f"ml_dtypes {getattr(ml_dtypes, '__version__', 'absent: integer RNE')}; "
                "scripts/make-float16-fixture.py\n")
        for b, h, g in zip(bits.tolist(), f16.tolist(), bf16.tolist()):
            f.write(f"{b:08x} {h:04x} {g:04x}\n")
    print(f"{len(bits)} patterns")


if __name__ == "__main__":
    main()
