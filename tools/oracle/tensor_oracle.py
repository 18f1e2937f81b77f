#!/usr/bin/python3
"""Oracle fixtures for dev.focal.tensor: float16 as numpy widens and rounds it, shapes as numpy
strides, unravels, moves and prints them, numpy's casts of every dtype, its views (moveaxis,
broadcast_to, Fortran order) and its moveaxis back, which `--class-axis` outputs are written by.

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
  dtypes.json            [{"name", "numpy_name", "kind", "itemsize"}]: np.dtype(name) for every
                         numpy name focal reads and the aliases it takes
  casts.json             [{"dtype", "bits" (the elements' bit patterns, unsigned), "as_double"
                         (a.astype(np.float64), float.hex), "as_int64" (a.astype(np.int64)),
                         "doubles" (float.hex, or nan), "stored_bits" (np.float64 -> dtype,
                         the bit patterns), floats: "nan_bits" (np.nan's)}]: values in range, so
                         that numpy's casts are defined
  views.json             [{"dims", "order" ("C"/"F"), "storage" (a = np.arange(count).reshape(
                         dims) as stored in that order: a.ravel(order)), "steps" ([["moveaxis",
                         axis] or ["broadcast_to", dims]], applied in turn to a), "dims_after",
                         "values" (the view, raveled in C order)}]
  axis_restoring.json    [{"dims", "axis", "moved_dims", "restored": np.moveaxis(np.arange(count)
                         .reshape(moved_dims), -1, axis), raveled}]: a --class-axis output's
                         layout, from the elements in the loss's order
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


NAMES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16",
         "float32", "float64", "float", "double", "half", "int", "long", "bool_", "FLOAT32"]


def dtypes():
    out = []
    for name in NAMES:
        d = np.dtype(name.lower())  # focal takes names in any case; numpy only lower case
        out.append({"name": name, "numpy_name": d.name, "kind": d.kind, "itemsize": d.itemsize})
    return out


def casts():
    # Every value within the target's range: numpy leaves out-of-range float-to-int casts undefined.
    native = {
        "bool": [True, False],
        "int8": [-128, -1, 0, 5, 127],
        "uint8": [0, 200, 255],
        "int16": [-32768, -2, 32767],
        "uint16": [0, 40000, 65535],
        "int32": [-2 ** 31, -7, 2 ** 31 - 1],
        "uint32": [0, 3000000000, 2 ** 32 - 1],
        "int64": [-2 ** 63, -2 ** 53 - 1, 2 ** 53 + 1, 2 ** 63 - 1],
        # Above 2^63 (a negative int64 pattern): ties to even and just above a tie, where float64's
        # step is 2^11; 2^53 + 1, a tie below 2^63.
        "uint64": [0, 2 ** 53 + 1, 2 ** 63, 2 ** 63 + 2 ** 10, 2 ** 63 + 2 ** 10 + 1, 2 ** 63 + 2 ** 11,
                   2 ** 63 + 2 ** 11 + 1, 2 ** 63 + 3 * 2 ** 10, 2 ** 64 - 2 ** 11, 2 ** 64 - 1],
        "float16": [0.5, -2.75, 1000.0, -0.0],
        "float32": [3.9, -3.9, 0.5, -0.0, 1e18],
        "float64": [-2.7, 2.7, 2.0 ** 62, -(2.0 ** 63), 1e-300],
    }
    doubles = {
        "bool": [math.nan, -0.0, 0.0, 0.5, -math.inf],
        "int8": [-128.9, -3.9, -0.5, 0.0, 2.7, 127.99],
        "uint8": [0.0, 200.7, 255.5],
        "int16": [-32768.5, -1.5, 32767.25],
        "uint16": [0.75, 40000.5, 65535.0],
        "int32": [-2147483648.0, -7.9, 2147483647.0],
        "uint32": [0.5, 4e9 + 0.5, 4294967295.0],
        "int64": [-(2.0 ** 63), -7.9, 1.5 * 2.0 ** 62],
        "uint64": [5.5, 2.0 ** 63 - 1024, 2.0 ** 63, 1.8e19, 2.0 ** 64 - 2048],
        "float32": [0.1, -1e-46, 3.4028235677973366e38, math.nan],
        "float64": [0.1, -5e-324, math.nan],
    }
    out = []
    for name, values in native.items():
        d = np.dtype(name)
        unsigned = np.dtype("u%d" % d.itemsize) if name != "bool" else np.dtype("u1")
        a = np.array(values, dtype=d)
        entry = {"dtype": name, "bits": [str(v) for v in a.view(unsigned).tolist()],
                 "as_double": [hexf(v) for v in a.astype(np.float64).tolist()],
                 "as_int64": [str(v) for v in a.astype(np.int64).tolist()]}
        if name in doubles:
            # NaN to bool is True; float32's overflow threshold, a tie, rounds to infinity.
            with np.errstate(invalid="ignore", over="ignore"):
                stored = np.array(doubles[name], dtype=np.float64).astype(d)
            entry["doubles"] = [hexf(v) for v in doubles[name]]
            entry["stored_bits"] = [str(v) for v in stored.view(unsigned).tolist()]
        if d.kind == "f":
            entry["nan_bits"] = str(np.array([np.nan], dtype=d).view(unsigned).tolist()[0])
        out.append(entry)
    return out


def views():
    out = []
    plans = [
        ((2, 3, 4), "C", []),
        ((3, 5), "C", []),
        ((2, 3, 4), "C", [["moveaxis", 0]]),
        ((2, 3, 4), "C", [["moveaxis", 1]]),
        ((2, 3, 4), "F", [["moveaxis", 0]]),
        ((2, 3, 4), "F", []),
        ((3, 5), "F", [["moveaxis", 0]]),
        ((2, 1, 3), "C", [["broadcast_to", [2, 4, 3]]]),
        ((1, 3), "C", [["broadcast_to", [5, 3]]]),
        ((2, 1, 3), "C", [["broadcast_to", [2, 4, 3]], ["moveaxis", 0]]),
        ((2, 1, 3), "C", [["moveaxis", 1], ["broadcast_to", [2, 3, 4]]]),
        ((3, 1), "F", [["broadcast_to", [3, 4]], ["moveaxis", 0]]),
    ]
    for dims, order, steps in plans:
        a = np.arange(int(np.prod(dims))).reshape(dims)
        v = a
        for op, arg in steps:
            v = np.moveaxis(v, arg, -1) if op == "moveaxis" else np.broadcast_to(v, tuple(arg))
        out.append({"dims": list(dims), "order": order, "storage": a.ravel(order=order).tolist(),
                    "steps": steps, "dims_after": list(v.shape),
                    "values": v.ravel().tolist()})
    return out


def axis_restoring():
    out = []
    for dims, axis in [((2, 3, 5), 1), ((3, 4), 0), ((4, 2, 3), 0), ((2, 3, 2, 2), 1), ((2, 2, 3, 1), 2),
                       ((1, 4, 7), 1), ((5, 2, 3, 2), 0), ((3, 2, 4), 1)]:
        moved = np.moveaxis(np.empty(dims), axis, -1).shape
        restored = np.moveaxis(np.arange(int(np.prod(dims))).reshape(moved), -1, axis)
        out.append({"dims": list(dims), "axis": axis, "moved_dims": list(moved),
                    "restored": restored.ravel().tolist()})
    return out


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    dump("float16_widening.json", widening())
    dump("float16_rounding.json", rounding())
    dump("shapes.json", shapes())
    dump("dtypes.json", dtypes())
    dump("casts.json", casts())
    dump("views.json", views())
    dump("axis_restoring.json", axis_restoring())
    print("wrote %s" % OUT_DIR)


if __name__ == "__main__":
    main()
