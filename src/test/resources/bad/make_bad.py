#!/usr/bin/python3
"""Writes the hostile-file corpus that tools/fixtures/npy_fixtures.py does not: the JSON and .npz
parts, and the .npy files added with the reliability tests (issue 7). Every file's expected exit
code and message are in src/test/java/dev/focal/cli/BadInputTest.java, which
also fails on a file it does not know.

Run from the project root:  /usr/bin/python3 src/test/resources/bad/make_bad.py
"""
import os
import struct
import zipfile

import numpy as np

BAD = os.path.dirname(os.path.abspath(__file__))


def write(rel, content):
    path = os.path.join(BAD, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(content)


def npy_v1(header, data=b""):
    """A version 1.0 .npy with this header text, padded as numpy pads it."""
    h = header.encode("latin-1")
    pad = 64 - (10 + len(h) + 1) % 64
    h = h + b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data


# --- .npy ---------------------------------------------------------------------------------------
write("npy/bytes_overflow.npy",
      npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }"))
write("npy/newline_key.npy",
      npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'a\nb': 1}", b"\0" * 4))
write("npy/escape_in_descr.npy",
      npy_v1("{'descr': '<\x1b[2J', 'fortran_order': False, 'shape': (1,)}", b"\0" * 4))
write("npy/shape_not_integer.npy", npy_v1("{'descr': '<f4', 'fortran_order': False, 'shape': ('1',)}"))
write("npy/fortran_not_bool.npy", npy_v1("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", b"\0" * 4))
write("npy/v2_cut_prefix.npy", b"\x93NUMPY\x02\x00\x10\x00\x00")
# The first fuzzing finding: a byte 0x8c where the shape's value starts (header text is latin-1).
write("npy/control_char_in_header.npy",
      npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape':\x8c(3,)}", b"\0" * 24))

# --- JSON ---------------------------------------------------------------------------------------
write("json/ragged.json", b"[[1, 2], [3]]\n")
write("json/unclosed.json", b"[[1, 2], [3, 4]\n")
write("json/double_comma.json", b"[1,, 2]\n")
write("json/python_nan.json", b"[1.0, nan]\n")
write("json/too_deep.json", b"[" * 65 + b"1" + b"]" * 65 + b"\n")
write("json/string_element.json", b'[1, "2", 3]\n')
write("json/bundle_newline_key.json", b'{"a\\nb": "not an array"}\n')
write("json/typed_overflowing_shape.json",
      b'{"dtype": "int8", "shape": [4294967296, 4294967296, 4294967296], "data": [1]}\n')
write("json/typed_unknown_dtype.json", b'{"dtype": "complex64", "data": [1]}\n')

# --- .npz ---------------------------------------------------------------------------------------
os.makedirs(os.path.join(BAD, "npz"), exist_ok=True)
np.savez(os.path.join(BAD, "npz", "two_members.npz"),
         logits=np.zeros((2, 3), np.float32), targets=np.ones((2, 3), np.float32))
with open(os.path.join(BAD, "npz", "two_members.npz"), "rb") as f:
    whole = f.read()
write("npz/truncated.npz", whole[: len(whole) // 2])


def patched_central(content, offset_in_entry, value):
    """The archive with a u32 field of its first central directory entry replaced."""
    at = content.index(b"PK\x01\x02") + offset_in_entry
    return content[:at] + struct.pack("<I", value) + content[at + 4:]


compressed_path = os.path.join(BAD, "npz", "ratio_bomb.npz")
np.savez_compressed(compressed_path, zeros=np.zeros(1000, np.float64))
with open(compressed_path, "rb") as f:
    small = f.read()
# Declares 4 GiB uncompressed for a member of a few dozen deflated bytes.
write("npz/ratio_bomb.npz", patched_central(small, 24, 0xF0000000))
# Declares a CRC-32 its data does not have.
write("npz/bad_crc.npz", patched_central(small, 16, 0x12345678))

with zipfile.ZipFile(os.path.join(BAD, "npz", "newline_member.npz"), "w") as z:
    z.writestr("a\nb.npy", b"not an array")
