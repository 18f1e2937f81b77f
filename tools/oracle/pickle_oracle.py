#!/usr/bin/python3
"""Oracle fixtures for dev.focal.io.pickle.Unpickler: plain values as Python's pickle writes them
in protocols 2 to 5, and hand-made pickles of the opcodes pickle.dumps rarely or never writes,
each with the value Python's own pickle.loads gives.

Regenerate with:   /usr/bin/python3 tools/oracle/pickle_oracle.py
(numpy 1.24 there; deterministic: the same Python and numpy give byte-identical files)

Writes src/test/resources/pickle/plain.json:
  [{"name", "hex" (the pickle's bytes), "value" (pickle.loads of them, typed as below)}]
and src/test/resources/pickle/numpy.json, numpy arrays as pickle.dumps writes them:
  [{"name", "hex", "members": [{"path", "dtype" (numpy's name, native order), "shape",
    "fortran" (Fortran order and not C order), "bits" (each element's bits in C order as an
    unsigned decimal string; bool 0 or 1)}] in the order focal lists them, absent for the
    pickles focal refuses (io.pickle.NumpyPickleTest holds its lines)}]

A value is {"type": "none"}, {"type": "bool", "value"}, {"type": "int", "value": decimal
string}, {"type": "float", "bits": the IEEE 754 bits as a decimal string (-0.0 and NaN kept)},
{"type": "str", "value"}, {"type": "bytes" or "bytearray", "hex"}, {"type": "list" or "tuple",
"items": [values]} or {"type": "dict", "items": [[key, value]]} in insertion order.

Only values without globals: focal reads them with PlainPolicy, which refuses every global
(protocol 2 writes bytes through _codecs.encode, and bytearray before protocol 5 through
builtins.bytearray, so those appear from protocols 3 and 5 on).
"""

import json
import os
import pickle
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "pickle"))


def typed(v):
    if v is None:
        return {"type": "none"}
    if isinstance(v, bool):
        return {"type": "bool", "value": v}
    if isinstance(v, int):
        return {"type": "int", "value": str(v)}
    if isinstance(v, float):
        return {"type": "float", "bits": str(struct.unpack("<q", struct.pack("<d", v))[0])}
    if isinstance(v, str):
        return {"type": "str", "value": v}
    if isinstance(v, bytearray):
        return {"type": "bytearray", "hex": bytes(v).hex()}
    if isinstance(v, bytes):
        return {"type": "bytes", "hex": v.hex()}
    if isinstance(v, list):
        return {"type": "list", "items": [typed(x) for x in v]}
    if isinstance(v, tuple):
        return {"type": "tuple", "items": [typed(x) for x in v]}
    if isinstance(v, dict):
        return {"type": "dict", "items": [[typed(k), typed(x)] for k, x in v.items()]}
    raise TypeError(type(v))


INTS = [0, 1, 255, 256, 65535, 65536, -1, -256, 2**31 - 1, -2**31, 2**31, 2**32, 2**63 - 1, -2**63,
        2**63, 2**64 - 1, -2**64, 2**100 + 7, -(2**100), 2**2100 + 1, -(2**2100)]
FLOATS = [0.0, -0.0, 1.5, -2.25e-300, 1e308, float("inf"), float("-inf"), float("nan"), 5e-324]
STRINGS = ["", "a", "focal", "\u00e9t\u00e9 \u2603 \U0001F600", "x" * 255, "y" * 256, "z" * 5000]
SHARED = ["shared"]
ALL = range(2, 6)


def dumped():
    """(name, value, protocols) of what pickle.dumps writes; the long ones in the protocols whose
    opcodes differ only (BINPUT and LONG_BINPUT before 4, MEMOIZE from 4 on)."""
    many = ["s%d" % i for i in range(300)]
    return [
        ("ints", INTS, ALL),
        ("floats", FLOATS, ALL),
        ("strings", STRINGS, ALL),
        ("none_and_bools", [None, True, False], ALL),
        ("tuples_of_every_size", [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)], ALL),
        ("nested", {"a": [1, (2.5, "b")], "c": {"d": None}, 7: [], (1, "k"): ()}, ALL),
        ("one_item_containers", [[5], {"k": "v"}], ALL),
        ("long_list", list(range(1100)), [2]),
        ("shared_values", [SHARED, SHARED, (SHARED, SHARED)], ALL),
        ("many_memo_entries", many + [many[3], many[299]], [2, 4]),
        ("bytes", [b"", b"\x00\xff", b"q" * 300], range(3, 6)),
        ("bytearray", [bytearray(b"ab\x00"), bytearray(b"z" * 5000)], [5]),
        # the widest integer focal reads: 1024 bytes of two's complement
        ("int_of_1024_bytes", [2 ** 8190 + 1, -(2 ** 8191)], [2, 5]),
        # over 64 KiB: read in several chunks
        ("past_64_kib", ["%03d" % i * 900 for i in range(25)], [4]),
    ]


def handmade():
    """Pickles of opcodes pickle.dumps does not write for plain values, and memo and frame forms."""
    return [
        # MARK ... TUPLE, then POP_MARK discards a marked run, DUP doubles the top, POP drops it
        ("pop_mark_dup_pop", b"\x80\x02(K\x01K\x02tK\x09(K\x03K\x041\x32\x30\x86."),
        # EMPTY_LIST and APPEND one item at a time; LIST from a mark
        ("append_and_list", b"\x80\x02]K\x01aK\x02a(K\x03K\x04l\x86."),
        # DICT from a mark, then SETITEM
        ("dict_and_setitem", b"\x80\x02(K\x01K\x02dK\x03K\x04s."),
        # LONG_BINPUT / LONG_BINGET with an index past 255
        ("long_binput_get", b"\x80\x02]r\x00\x01\x00\x00j\x00\x01\x00\x00\x86."),
        # BINPUT / BINGET, and a memo entry of None read back
        ("memo_of_none", b"\x80\x02Nq\x05h\x05\x86."),
        # MEMOIZE numbers its entries from 0, in order
        ("memoize", b"\x80\x04\x8c\x01a\x94\x8c\x01b\x94h\x00\x87."),
        # LONG4 (a length of 4 bytes) and LONG1 of 0 bytes (the integer 0)
        ("long4_and_empty_long1", b"\x80\x02\x8b\x02\x00\x00\x00\xff\x7f\x8a\x00\x86."),
        # BINUNICODE8 and BINBYTES8 with short lengths, BINBYTES (a 4-byte length)
        ("eight_byte_lengths", b"\x80\x04\x8d\x02\x00\x00\x00\x00\x00\x00\x00hi"
                               b"\x8e\x01\x00\x00\x00\x00\x00\x00\x00\x07B\x02\x00\x00\x00\x08\x09\x87."),
        # a FRAME that holds the rest exactly
        ("frame", b"\x80\x04\x95\x06\x00\x00\x00\x00\x00\x00\x00K\x07K\x08\x86."),
        # BININT of a negative, BININT2 of its largest
        ("binint_forms", b"\x80\x02J\xfe\xff\xff\xffM\xff\xff\x86."),
        # a FRAME of no bytes, then the rest outside any frame
        ("empty_frame", b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00K\x07."),
        # LONG1 of 8 bytes, the widest a 64-bit integer takes, and of 9
        ("long1_8_and_9_bytes", b"\x80\x02\x8a\x08\xff\xff\xff\xff\xff\xff\xff\x7f"
                                b"\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\x00\x86."),
    ]


def bits(a):
    """An array's elements in C order as the unsigned integers of their bits (bool as 0 or 1)."""
    a = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("="))
    if a.dtype == np.bool_:
        return [str(int(v)) for v in a.ravel().tolist()]
    return [str(int(v)) for v in a.view("u%d" % a.dtype.itemsize).ravel().tolist()]


def members(v, path=""):
    """(path, array) as focal lists them (docs/formats.md#member-paths); object arrays are
    containers, a 0-d one standing for its item."""
    if isinstance(v, np.ndarray) and v.dtype == object:
        if v.ndim == 0:
            yield from members(v.item(), path)
        else:
            for i, x in enumerate(v.ravel(order="K")):
                yield from members(x, str(i) if path == "" else path + "/" + str(i))
    elif isinstance(v, np.ndarray):
        yield path, v
    elif isinstance(v, dict):
        for k, x in v.items():
            yield from members(x, str(k) if path == "" else path + "/" + str(k))
    elif isinstance(v, (list, tuple)):
        for i, x in enumerate(v):
            yield from members(x, str(i) if path == "" else path + "/" + str(i))


def numpy_cases():
    """(name, value, protocols): numpy arrays as pickle.dump writes them."""
    every = {t: np.array(v, dtype=t) for t, v in [
        ("bool", [True, False, True]), ("int8", [-128, 0, 127]), ("uint8", [0, 0x80, 0xFF]),
        ("int16", [-32768, 1, 32767]), ("uint16", [0, 65535]), ("int32", [-2 ** 31, 2 ** 31 - 1]),
        ("uint32", [0, 2 ** 32 - 1]), ("int64", [-2 ** 63, 2 ** 63 - 1]), ("uint64", [0, 2 ** 64 - 1]),
        ("float16", [0.5, -65504.0, np.inf]), ("float32", [1.5, -0.0, np.nan]), ("float64", [5e-324, 1e308, -2.5])]}
    one = np.empty(1, dtype=object)
    one[0] = {"x": np.arange(3, dtype=np.int16)}
    two = np.empty(2, dtype=object)
    two[0], two[1] = np.float32(2.5) * np.ones(2, np.float32), [np.zeros(1, np.uint8)]
    return [
        ("every_dtype", every, ALL),
        ("latin1_bytes", {"u8": np.array([0xFF, 0x00, 0x80, 0x7F], np.uint8)}, [2]),
        ("big_endian", {"f8": np.array([1.5, -2.0], ">f8"), "i4": np.array([[1, -2], [3, -4]], ">i4"),
                        "u2": np.array([258, 65535], ">u2")}, ALL),
        ("fortran", {"2d": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
                     "3d": np.asfortranarray(np.arange(24, dtype=np.int64).reshape(2, 3, 4))}, ALL),
        ("zero_d", np.array(1.5, dtype=np.float32), ALL),
        ("empty", {"rows": np.zeros((0, 3)), "none": np.zeros(0, np.int8)}, ALL),
        ("object_array_of_one_dict", one, [2, 4, 5]),
        ("object_array_of_two", two, [2, 5]),
        ("object_0d_of_a_dict", np.array({"y": np.ones((1, 2), np.float64)}, dtype=object), [4]),
    ]


def numpy_refused():
    """Pickles of numpy values focal refuses, the wording being focal's (io.pickle.NumpyPickleTest)."""
    strings = np.empty(2, dtype=object)
    strings[0], strings[1] = "a", "b"
    return [
        ("complex", {"c": np.zeros(2, np.complex64)}, 4),
        ("datetime", {"d": np.array(["2026-12-07"], "datetime64[D]")}, 4),
        ("strings_only", strings, 2),
    ]


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    arrays = []
    for name, value, protocols in numpy_cases():
        for protocol in protocols:
            data = pickle.dumps(value, protocol=protocol)
            back = pickle.loads(data)
            arrays.append({"name": "%s_protocol_%d" % (name, protocol), "hex": data.hex(), "members": [
                {"path": path, "dtype": str(a.dtype.newbyteorder("=")), "shape": list(a.shape),
                 "fortran": bool(a.ndim > 1 and a.flags.f_contiguous and not a.flags.c_contiguous), "bits": bits(a)}
                for path, a in members(back)]})
    for name, value, protocol in numpy_refused():
        arrays.append({"name": name, "hex": pickle.dumps(value, protocol=protocol).hex()})
    with open(os.path.join(OUT_DIR, "numpy.json"), "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, separators=(",", ":")) for c in arrays) + "\n]\n")
    print("%d numpy pickles (numpy %s)" % (len(arrays), np.__version__))
    cases = []
    for name, value, protocols in dumped():
        for protocol in protocols:
            data = pickle.dumps(value, protocol=protocol)
            cases.append({"name": "%s_protocol_%d" % (name, protocol), "hex": data.hex(),
                          "value": typed(pickle.loads(data))})
    for name, data in handmade():
        cases.append({"name": name, "hex": data.hex(), "value": typed(pickle.loads(data))})
    with open(os.path.join(OUT_DIR, "plain.json"), "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases) + "\n]\n")
    print("%d pickles in %s" % (len(cases), OUT_DIR))


if __name__ == "__main__":
    main()
