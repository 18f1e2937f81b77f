#!/usr/bin/python3
"""Oracle fixtures for dev.focal.tensor: float16 as numpy widens and rounds it, and shapes as
numpy strides, unravels, moves and prints them.

Regenerate with:   /usr/bin/python3 tools/oracle/tensor_oracle.py
(needs numpy; deterministic: the same numpy version gives byte-identical files)

Writes src/test/resources/tensor/:

  float16_widening.json  [{"bits", "float_bits"}]: float16 bit patterns (every 61st, and the
                         edges: zeros, subnormals, the largest finite, infinities, NaNs) and the
                         float32 bits np.float16 -> np.float32 gives
  float16_rounding.json  [{"double", "bits"}]: doubles (float.hex, or nan, inf, -inf) and the
                         float16 bits np.float64 -> np.float16 rounds each to (to nearest, ties
                         to even, in one step): ties and near-ties in the normal and subnormal
                         ranges, the overflow threshold 65520, random magnitudes
  shapes.json            [{"dims", "count", "c_strides", "f_strides" (np.empty(dims, order=
                         "C"/"F").strides / itemsize; non-empty shapes), "repr" (str(tuple(dims))), "unravel":
                         [[flat, np.unravel_index(flat, dims)]] (non-empty shapes),
                         "moved_last": [[axis, np.moveaxis(a, axis, -1).shape]]}]
"""

import json
import math
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "tensor"))


def dump(name, entries):
    with open(os.path.join(OUT_DIR, name), "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(e) for e in entries) + "\n]\n")


def hexf(d):
    return d.hex() if math.isfinite(d) else repr(d)


def widening():
    patterns = sorted(set(list(range(0, 0x10000, 61)) + [
        0x0000, 0x8000, 0x0001, 0x8001, 0x0200, 0x03FF, 0x83FF, 0x0400, 0x8400, 0x3C00, 0xBC00,
        0x3BFF, 0x3C01, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7C01, 0x7E00, 0xFE00, 0x7FFF, 0xFFFF]))
    halves = np.array(patterns, dtype=np.uint16).view(np.float16)
    widened = halves.astype(np.float32).view(np.uint32).tolist()
    return [{"bits": p, "float_bits": w} for p, w in zip(patterns, widened)]


def rounding():
    ulp1 = 2.0 ** -10
    sub = 2.0 ** -24
    doubles = [0.0, -0.0, 1.0, -1.0, 1 + ulp1 / 2, 1 + 3 * ulp1 / 2, 1 + ulp1 / 2 + 2 ** -40,
               1 + ulp1 / 2 - 2 ** -40, 2 - ulp1 / 4, 2 - ulp1 / 8, 65504.0, 65519.99, 65520.0, -65520.0,
               65536.0, 1e300, -1e300, 2.0 ** -14, 2.0 ** -14 - sub / 2, 2.0 ** -14 - sub,
               2.0 ** -14 - sub / 4, sub, sub / 2, 3 * sub / 2, 5 * sub / 2, sub / 2 + 2 ** -60,
               sub / 4, -sub / 2, -3 * sub / 2, 1e-30, -1e-30, 0.1, -0.1, math.pi, -math.e,
               math.inf, -math.inf, math.nan]
    rng = np.random.default_rng(20261207)
    doubles += [float(v) for v in rng.standard_normal(150) * 2.0 ** rng.integers(-30, 18, 150)]
    with np.errstate(over="ignore"):  # 65520 and beyond round to infinity, as they should
        bits = np.array(doubles, dtype=np.float64).astype(np.float16).view(np.uint16).tolist()
    return [{"double": hexf(d), "bits": b} for d, b in zip(doubles, bits)]


def shapes():
    out = []
    for dims in [(), (3,), (2, 3), (4, 1, 3, 5), (2, 0, 4), (0,), (7, 2), (1, 1, 1)]:
        c = np.empty(dims, dtype=np.int8, order="C")
        f = np.empty(dims, dtype=np.int8, order="F")
        entry = {"dims": list(dims), "count": int(c.size), "repr": str(tuple(dims))}
        if c.size:
            # numpy zeroes every stride of an empty array, which addresses no element.
            entry["c_strides"] = list(c.strides)
            entry["f_strides"] = list(f.strides)
            flats = sorted(set([0, 1, c.size // 2, c.size - 1]) & set(range(c.size)))
            entry["unravel"] = [[i, [int(v) for v in np.unravel_index(i, dims)]] for i in flats]
        entry["moved_last"] = [[axis, list(np.moveaxis(c, axis, -1).shape)] for axis in range(len(dims))]
        out.append(entry)
    return out


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    dump("float16_widening.json", widening())
    dump("float16_rounding.json", rounding())
    dump("shapes.json", shapes())
    print("wrote %s" % OUT_DIR)


if __name__ == "__main__":
    main()
