#!/usr/bin/python3
"""Oracle fixtures for dev.focal.io.torch: views, globals and byte orders as torch.save writes
them, in the zip and the legacy format, each member's values as torch.load reads them back; and
files that lie (lengths, keys, persistent ids, byte orders), made by changing a few bytes of a
real torch.save file, each with what torch.load(weights_only=True) makes of it.

Regenerate with:   /usr/bin/python3 tools/oracle/torch_oracle.py
(torch 1.13 and numpy. The legacy format names storages by memory address and writes them in
the order of their names: this script renames them s0, s1, ... padded to the address's length,
so the one-storage files come out the same every time; in those of several storages the order
of the storages, and so the bytes, may differ from run to run, the values not)

Writes src/test/resources/io/torch/oracle/: the files, and oracle.json:
  {"generated_with", "files": {NAME: {
     "torch": "ok", or "refused: EXCEPTION" (torch.load(weights_only=True) raised it)
     "members": [{"path", "dtype", "shape", "bits"}]   when torch reads the file: each tensor in
         the order focal lists them (docs/formats.md#member-paths), "bits" the raw bits of each
         element in C order as unsigned decimal strings (bool as 0 or 1)}}}
A refusal's wording is focal's: the Java test (io.torch.TorchOracleTest) holds it.
"""
import collections
import io
import json
import os
import pickle
import pickletools
import re
import shutil
import struct
import zipfile

import numpy as np
import torch

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "src", "test", "resources", "io", "torch", "oracle")
DTYPES = {torch.float32: "float32", torch.float64: "float64", torch.float16: "float16",
          torch.bfloat16: "bfloat16", torch.uint8: "uint8", torch.int8: "int8", torch.int16: "int16",
          torch.int32: "int32", torch.int64: "int64", torch.bool: "bool"}
BITS = {1: torch.uint8, 2: torch.int16, 4: torch.int32, 8: torch.int64}
files = {}


def bits(t):
    t = t.detach().contiguous()
    size = t.element_size()
    raw = t.to(torch.uint8) if t.dtype == torch.bool else t.view(BITS[size])
    mask = (1 << (8 * size)) - 1
    return [str(int(v) & mask) for v in raw.flatten().tolist()]


def members(obj, path=""):
    """(path, tensor) as focal lists them: dict keys and indices joined by '/', first path wins."""
    if isinstance(obj, torch.Tensor):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            key = ",".join(str(x) for x in k) if isinstance(k, tuple) else str(k)
            yield from members(v, key if path == "" else path + "/" + key)
    elif isinstance(obj, (list, tuple)) and not isinstance(obj, torch.Size):
        for i, v in enumerate(obj):
            yield from members(v, str(i) if path == "" else path + "/" + str(i))


def record(name, data, meant=None):
    """Writes the file, what torch.load(weights_only=True) says of it, and its members: as
    torch.load reads them back, or {@code meant}, the object that was saved, where torch 1.13
    does not read what the file means (a big-endian file, whose byte order it ignores) or
    refuses it with weights_only but reads it without (plain globals of our own objects)."""
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    try:
        obj = torch.load(io.BytesIO(data), weights_only=True)
        outcome = "ok"
    except Exception as e:  # noqa: BLE001  any refusal is the oracle's answer
        obj, outcome = None, "refused: " + type(e).__name__
    files[name] = {"torch": outcome}
    if meant is not None:
        obj = meant
    elif obj is None:
        return
    entries, seen = [], set()
    for path, t in members(obj):
        if path not in seen:
            seen.add(path)
            entries.append({"path": path, "dtype": DTYPES.get(t.dtype, str(t.dtype)), "shape": list(t.shape),
                            "bits": bits(t) if t.dtype in DTYPES else None})
    files[name]["members"] = entries


def saved(obj, legacy):
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=not legacy)
    data = buf.getvalue()
    return rename_legacy_keys(data) if legacy else data


def rename_legacy_keys(data):
    """The legacy format's storage keys are addresses: rename each to s0, s1, ... of its length."""
    f = io.BytesIO(data)
    for _ in range(4):
        pickle.load(f) if _ < 3 else _skip_pickle(f)
    keys = pickle.load(f)
    for i, k in enumerate(keys):
        new = ("s%d" % i).ljust(len(k), "_")
        data = data.replace(b"X" + struct.pack("<I", len(k)) + k.encode(),
                            b"X" + struct.pack("<I", len(new)) + new.encode())
    return data


def _skip_pickle(f):
    """Reads past one pickle without building it (the object pickle holds persistent ids)."""
    for _ in pickletools.genops(f):
        pass


def element_sizes(object_pickle):
    """Each storage key's element size, from the storage class its persistent id names."""
    sizes = {}

    class Pids(pickle.Unpickler):
        def persistent_load(self, pid):
            sizes[pid[2]] = pid[1]().element_size()

        def find_class(self, module, name):
            return getattr(torch, name) if name.endswith("Storage") else (lambda *a, **k: {})
    Pids(io.BytesIO(object_pickle)).load()
    return sizes


def legacy_parts(data):
    """The legacy file's five pickles' byte ranges and where the storages begin."""
    f = io.BytesIO(data)
    ends = []
    for i in range(5):
        (_skip_pickle(f) if i == 3 else pickle.load(f))
        ends.append(f.tell())
    return ends


def zip_records(data):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def zip_of(records, method=zipfile.ZIP_STORED):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, body in records:
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), body, compress_type=method)
    return buf.getvalue()


# ---- what torch.save writes
torch.manual_seed(20261208)
base = torch.arange(2 * 3 * 4 * 5, dtype=torch.float32).reshape(2, 3, 4, 5) * 0.25 - 7
grid = torch.arange(20, dtype=torch.float64).reshape(4, 5) - 9.5
VIEWS = {
    "permuted": base.permute(0, 2, 3, 1),          # neither C nor Fortran: copied element by element
    "fortran": base.permute(3, 2, 1, 0),            # Fortran order: mapped in place
    "expanded": (torch.arange(3, dtype=torch.int64) - 1).expand(4, 3),  # stride 0
    "fortran_offset": grid[1:3].t(),               # (5, 2), strides (1, 5), from offset 5
    "column": grid[:, 2:3],                         # (4, 1), strides (5, 1), offset 2
    "row": grid[2:3, :],                            # (1, 5), C order from offset 10
    "cell": grid[1:2, 3:4],                         # (1, 1): any strides are contiguous
    "element": grid[3, 4],                          # 0-d at offset 19
    "none_at_the_end": grid[4:],                    # (0, 5) at offset 20, one past the storage
    "diagonal": grid.as_strided((4,), (6,), 0),
    "stepped": base[:, ::2, 1::2, ::3],
    "half_t": torch.randn(3, 4).half().t(),
    "bf16_stepped": torch.randn(10).bfloat16()[1::3],
    "bool_t": (torch.arange(6).reshape(2, 3) % 2 == 0).t(),
    "int8_permuted": torch.arange(-12, 12, dtype=torch.int8).reshape(2, 3, 4).permute(2, 0, 1),
    "uint8_col": torch.arange(200, 224, dtype=torch.uint8).reshape(4, 6)[:, 1:3],
    "int16_t": torch.tensor([[-32768, 1], [2, 32767]], dtype=torch.int16).t(),
    "int32_rows": torch.arange(-6, 6, dtype=torch.int32).reshape(3, 4)[::2],
}
param = torch.nn.Parameter(torch.randn(2, 3))
GLOBALS = {
    "size": torch.Size([2, 3]),                     # torch.Size: a tuple of ints, no tensor
    "device": torch.device("cpu"),
    "dtype": torch.float16,
    "storage": torch.arange(3, dtype=torch.float32).storage(),
    "param": param,
    "ordered": collections.OrderedDict([("b", torch.ones(2)), ("a", torch.zeros(1, dtype=torch.int64))]),
    "tuple_key": {(1, "x"): torch.tensor([5], dtype=torch.int16)},
    "list": [torch.tensor(True), [None, torch.tensor([-1.5], dtype=torch.float64)]],
}
shared = torch.randn(6)
SHARED = {"whole": shared, "head": shared[:2], "tail": shared[4:], "again": shared}

if os.path.isdir(OUT):
    shutil.rmtree(OUT)
os.makedirs(OUT)
for name, obj in (("views", VIEWS), ("globals", GLOBALS), ("shared", SHARED)):
    for legacy in (False, True):
        data = saved(obj, legacy)
        # torch.load(weights_only=False) runs what the file names: only for the files saved here.
        record(name + ("_legacy" if legacy else "") + ".pt", data, torch.load(io.BytesIO(data)))



class FromType:
    """Pickles as torch 2's torch.save pickles a tensor with attributes of its own:
    _rebuild_from_type_v2(_rebuild_tensor_v2, torch.Tensor, args, state)."""

    def __init__(self, t):
        self.t = t

    def __reduce_ex__(self, proto):
        t = self.t
        args = (t.storage(), t.storage_offset(), t.size(), t.stride(), False, collections.OrderedDict())
        return torch._tensor._rebuild_from_type_v2, (torch._utils._rebuild_tensor_v2, torch.Tensor, args, {})


FROM = torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4
for legacy in (False, True):
    data = saved({"t": FromType(FROM), "p": torch.nn.Parameter(FROM[1])}, legacy)
    record("from_type" + ("_legacy" if legacy else "") + ".pt", data, torch.load(io.BytesIO(data)))

# ---- big-endian files, as torch.save writes them on a big-endian machine: the zip format with a
# byteorder record "big", the legacy one with little_endian False; every storage byte-swapped.
SWAP = {"x": torch.tensor([1.5, -2.0, 3.0e-5], dtype=torch.float32),
        "n": torch.tensor([[1, -2], [300, -40000]], dtype=torch.int32),
        "h": torch.tensor([0.5, -65504.0], dtype=torch.float16),
        "b": torch.tensor([7, 250], dtype=torch.uint8)}
SIZES = {"0": 4, "1": 4, "2": 2, "3": 1}  # torch numbers the storages in the order it meets them


def swapped(body, size):
    return b"".join(body[i:i + size][::-1] for i in range(0, len(body), size))


recs = zip_records(saved(SWAP, legacy=False))
folder = recs[0][0].split("/")[0] + "/"
big = [(n, swapped(b, SIZES[n[len(folder) + 5:]]) if n.startswith(folder + "data/") else b) for n, b in recs]
record("big_endian.pt", zip_of(big + [(folder + "byteorder", b"big")]), SWAP)
record("little_record.pt", zip_of(recs + [(folder + "byteorder", b"little\n")]))
record("middle_endian.pt", zip_of(recs + [(folder + "byteorder", b"middle")]))
record("byteorder_16.pt", zip_of(recs + [(folder + "byteorder", b"little" + b" " * 10)]))
record("extra_first.pt", zip_of([(folder + "extra", b"not torch's")] + recs))
record("long_byteorder.pt", zip_of(recs + [(folder + "byteorder", b"little" + b" " * 11)]))
record("no_data_pkl.pt", zip_of([r for r in recs if not r[0].endswith("data.pkl")]))
record("no_folder.pt", zip_of([("data.pkl", recs[0][1])] + recs[1:]))
record("deflated.pt", zip_of(recs, zipfile.ZIP_DEFLATED))
record("empty_zip.pt", zip_of([]))


def legacy_with(obj, edit):
    data = saved(obj, legacy=True)
    return edit(data, legacy_parts(data))


legacy = saved(SWAP, legacy=True)
ends = legacy_parts(legacy)
info = pickle.loads(legacy[ends[1]:ends[2]])
info["little_endian"] = False
head = legacy[:ends[1]] + pickle.dumps(info, protocol=2) + legacy[ends[2]:ends[4]]
keys = pickle.loads(legacy[ends[3]:ends[4]])
at, body = ends[4], b""
for k in keys:
    count = struct.unpack("<q", legacy[at:at + 8])[0]
    size = element_sizes(legacy[ends[2]:ends[3]])[k]
    body += legacy[at:at + 8] + swapped(legacy[at + 8:at + 8 + count * size], size)
    at += 8 + count * size
record("big_endian_legacy.pt", head + body, SWAP)

# Zip files whose persistent id lies about its storage's length (4 float32 elements).
four = zip_records(saved({"x": torch.tensor([1.0, 2.0, 3.0, 4.0])}, legacy=False))
pkl = dict(four)[folder + "data.pkl"]
at = re.search(rb"K\x04t", pkl).start()  # the pid's numel, BININT1 4, then TUPLE


def with_pkl(body):
    return zip_of([(n, body if n.endswith("data.pkl") else b) for n, b in four])


record("numel_short.pt", with_pkl(pkl[:at] + b"K\x03" + pkl[at + 2:]))
record("numel_long.pt", with_pkl(pkl[:at] + b"K\x05" + pkl[at + 2:]))
record("numel_huge.pt", with_pkl(pkl[:at] + b"\x8a\x08" + struct.pack("<q", 2 ** 63 // 4 - 1) + pkl[at + 2:]))
record("numel_overflow.pt", with_pkl(pkl[:at] + b"\x8a\x08" + struct.pack("<q", 2 ** 63 // 4) + pkl[at + 2:]))
record("root_slash.pt", zip_of([("/" + n, b) for n, b in four]))

# Legacy files whose parts lie, each changed from a real one: one float32 storage of 4 elements.
ONE = {"x": torch.tensor([1.0, 2.0, 3.0, 4.0])}
one = saved(ONE, legacy=True)
e = legacy_parts(one)
key = pickle.loads(one[e[3]:e[4]])[0]


def part(i, value):
    return one[:e[i - 1] if i else 0] + pickle.dumps(value, protocol=2) + one[e[i]:]


record("wrong_magic_legacy.pt", one[:4] + bytes([one[4] ^ 1]) + one[5:])
record("protocol_1000_legacy.pt", part(1, 1000))
record("keys_not_a_list_legacy.pt", part(4, {"k": key}))
record("unnamed_key_legacy.pt", part(4, [key, "ghost"]))
tail = e[4]
record("count_cut_legacy.pt", one[:tail + 5])
record("count_huge_legacy.pt", one[:tail] + struct.pack("<q", 2 ** 62) + one[tail + 8:])
record("count_negative_legacy.pt", one[:tail] + struct.pack("<q", -1) + one[tail + 8:])
record("count_past_end_legacy.pt", one[:tail] + struct.pack("<q", 5) + one[tail + 8:])
record("count_short_legacy.pt", one[:tail] + struct.pack("<q", 3) + one[tail + 8:tail + 8 + 12])
obj = one[e[2]:e[3]]
pid_end = re.search(rb"K\x04Nt", obj)  # the pid's numel (BININT1 4), its view (None), TUPLE
assert pid_end, "the legacy pid's numel and view"
numel = e[2] + pid_end.start()
record("numel_lies_legacy.pt", one[:numel] + b"K\x05" + one[numel + 2:])
none = one.index(b"N", numel + 2)
record("pid_view_legacy.pt", one[:none] + b"K\x00" + one[none + 1:])
complex_legacy = saved({"c": torch.zeros(2, dtype=torch.complex64)}, legacy=True)
record("complex_legacy.pt", complex_legacy)

with open(os.path.join(OUT, "oracle.json"), "w") as f:
    json.dump({"generated_with": {"torch": torch.__version__, "numpy": np.__version__,
                                  "script": "tools/oracle/torch_oracle.py"}, "files": files}, f, indent=1)
    f.write("\n")
print("%d files in %s" % (len(files), OUT))
