#!/usr/bin/env python3
"""Oracle fixtures for dev.focal.io.safetensors: files at the edges of the format (names that
are prefixes of each other, a header listed out of data order, leading whitespace, lengths one
past the end or at the cap, more tensors than a message lists), and for each of them and of the
hostile corpus (src/test/resources/bad/safetensors) what the safetensors package makes of it.

Run from the repository root, with safetensors installed beside Debian's torch:

    /usr/bin/python3 -m venv --system-site-packages /tmp/venv-st
    /tmp/venv-st/bin/pip install safetensors
    /tmp/venv-st/bin/python tools/oracle/safetensors_oracle.py

Writes src/test/resources/io/safetensors/oracle/: the edge files, and oracle.json:
  {"generated_with", "files": {PATH (relative to src/test/resources): {
     "package": "ok", or "refused: EXCEPTION" (safe_open or get_tensor raised it)
     "tensors": [{"key", "dtype", "shape", "values"}]   when the package reads the file: in the
         package's key order, values as tools/fixtures/safetensors_fixtures.py writes them}},
   "byte_identical": files the package wrote, that focal's writer must reproduce}
A refusal's wording is focal's: io.safetensors.SafetensorsOracleTest holds it. Deterministic.
"""
import json
import os
import struct
import sys

import numpy as np
import safetensors
import safetensors.numpy

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RESOURCES = os.path.join(ROOT, "src", "test", "resources")
OUT = os.path.join(RESOURCES, "io", "safetensors", "oracle")
BAD = os.path.join(RESOURCES, "bad", "safetensors")


def values(a):
    if a.dtype.kind == "f":
        return [repr(float(v)) if not np.isfinite(v) else float(v).hex() for v in a.ravel().tolist()]
    if a.dtype.kind == "b":
        return ["true" if v else "false" for v in a.ravel().tolist()]
    return [str(int(v)) for v in a.ravel().tolist()]


def read(path):
    try:
        tensors = []
        with safetensors.safe_open(path, framework="np") as f:
            for key in f.keys():
                a = f.get_tensor(key)
                tensors.append({"key": key, "dtype": f.get_slice(key).get_dtype(), "shape": list(a.shape),
                                "values": values(a)})
        return {"package": "ok", "tensors": tensors}
    except Exception as e:  # noqa: BLE001  any refusal is the oracle's answer
        return {"package": "refused: " + type(e).__name__}


def header_file(header, data=b"", length=None):
    h = header.encode("utf-8")
    return struct.pack("<Q", len(h) if length is None else length) + h + data


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    written = []
    # Names that are prefixes of one another, and ones whose UTF-8 and UTF-16 orders differ.
    prefixes = {k: np.array([i], np.int32) for i, k in enumerate(["", "a", "ab", "abc", "b", "ba",
                                                                    "\U0001F600", "\U0001F600x", "\uffff"])}
    safetensors.numpy.save_file(prefixes, os.path.join(OUT, "prefixes.safetensors"))
    written.append("prefixes.safetensors")
    # Twelve tensors, more than a message lists; ten, as many as it lists.
    for name, n in (("many.safetensors", 12), ("ten.safetensors", 10)):
        safetensors.numpy.save_file({"t%02d" % i: np.array([i * 0.5], np.float64) for i in range(n)},
                                    os.path.join(OUT, name))
        written.append(name)
    safetensors.numpy.save_file({"only": np.arange(3, dtype=np.uint8)}, os.path.join(OUT, "one.safetensors"))
    written.append("one.safetensors")

    def info(dtype, shape, begin, end):
        return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}

    edges = {
        # the header lists b (bytes 8..16) before a (0..8)
        "out_of_order.safetensors": header_file(json.dumps({"b": info("F32", [2], 8, 16), "a": info("F32", [2], 0, 8)}),
                                                struct.pack("<4f", 1, 2, 3, 4)),
        "leading_space.safetensors": header_file(" \t\r\n" + json.dumps({"a": info("I16", [2], 0, 4)}),
                                                 struct.pack("<2h", -3, 7)),
        "only_spaces.safetensors": header_file("    "),
        "eight_bytes.safetensors": b"\0" * 8,
        "seven_bytes.safetensors": b"\0" * 7,
        "header_one_past.safetensors": header_file(json.dumps({"a": info("U8", [1], 0, 1)}), b"",
                                                   length=len(json.dumps({"a": info("U8", [1], 0, 1)})) + 1),
        "header_at_cap.safetensors": struct.pack("<Q", 100_000_000) + b"{}",
        "unknown_field.safetensors": header_file(json.dumps({"a": info("U8", [1], 0, 1) | {"x": [1, {"y": 2}]}}), b"\7"),
        "metadata_null.safetensors": header_file(json.dumps({"__metadata__": None, "a": info("U8", [1], 0, 1)}), b"\7"),
        "metadata_twice.safetensors": header_file('{"__metadata__":{},"__metadata__":{},"a":'
                                                  + json.dumps(info("U8", [1], 0, 1)) + "}", b"\7"),
        "metadata_list.safetensors": header_file(json.dumps({"__metadata__": [], "a": info("U8", [1], 0, 1)}), b"\7"),
        "metadata_key_twice.safetensors": header_file('{"__metadata__":{"k":"1","k":"2"},"a":'
                                                      + json.dumps(info("U8", [1], 0, 1)) + "}", b"\7"),
        "entry_not_object.safetensors": header_file(json.dumps({"a": [1]})),
        "dtype_twice.safetensors": header_file('{"a":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}',
                                               b"\7"),
        "dtype_number.safetensors": header_file('{"a":{"dtype":8,"shape":[1],"data_offsets":[0,1]}}', b"\7"),
        "shape_not_array.safetensors": header_file('{"a":{"dtype":"U8","shape":1,"data_offsets":[0,1]}}', b"\7"),
        "shape_nested.safetensors": header_file('{"a":{"dtype":"U8","shape":[[1]],"data_offsets":[0,1]}}', b"\7"),
        "shape_huge.safetensors": header_file('{"a":{"dtype":"U8","shape":[9223372036854775808],'
                                              '"data_offsets":[0,1]}}', b"\7"),
        "rank_five.safetensors": header_file(json.dumps({"a": info("U8", [1, 1, 1, 1, 2], 0, 2)}), b"\7\10"),
        "no_dtype.safetensors": header_file('{"a":{"shape":[1],"data_offsets":[0,1]}}', b"\7"),
        "no_offsets.safetensors": header_file('{"a":{"dtype":"U8","shape":[1]}}', b"\7"),
        "sub_byte.safetensors": header_file(json.dumps({"a": info("F4", [3], 0, 2)}), b"\7\10"),
        "f4_whole.safetensors": header_file(json.dumps({"a": info("F4", [4], 0, 2)}), b"\7\10"),
        "size_mismatch_second.safetensors": header_file(json.dumps({"a": info("U8", [4], 0, 4),
                                                                    "b": info("F32", [2], 4, 10)}), b"\0" * 10),
        "empty_and_full.safetensors": header_file(json.dumps({"e": info("F64", [0, 3], 0, 0),
                                                              "f": info("U8", [2], 0, 2)}), b"\7\10"),
    }
    for name, data in edges.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    files = {}
    for d, rel in ((OUT, "io/safetensors/oracle/"), (BAD, "bad/safetensors/")):
        for name in sorted(os.listdir(d)):
            if name.endswith(".safetensors"):
                files[rel + name] = read(os.path.join(d, name))
    with open(os.path.join(OUT, "oracle.json"), "w") as f:
        json.dump({"generated_with": {"safetensors": safetensors.__version__, "numpy": np.__version__,
                                      "python": sys.version.split()[0], "script": "tools/oracle/safetensors_oracle.py"},
                   "files": files, "byte_identical": written}, f, indent=1, ensure_ascii=True)
        f.write("\n")
    print("%d files" % len(files))


if __name__ == "__main__":
    main()
