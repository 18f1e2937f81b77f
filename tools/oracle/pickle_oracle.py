#!/usr/bin/python3
"""Oracle fixtures for dev.focal.io.pickle.Unpickler: plain values as Python's pickle writes them
in protocols 2 to 5, and hand-made pickles of the opcodes pickle.dumps rarely or never writes,
each with the value Python's own pickle.loads gives.

Regenerate with:   /usr/bin/python3 tools/oracle/pickle_oracle.py
(needs only the standard library; deterministic: the same Python gives byte-identical files)

Writes src/test/resources/pickle/plain.json:
  [{"name", "hex" (the pickle's bytes), "value" (pickle.loads of them, typed as below)}]

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
    ]


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
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
