#!/usr/bin/python3
"""Oracle fixture for the shortest round-trip decimals focal writes in tables, JSON summaries and
.json tensor files (docs/commands.md#many-dumps): Python's repr of a float, and numpy's of a
float32 (format_float_scientific, unique=True), are the shortest decimal that reads back to the same value, the closest one when
several are as short (David Gay's algorithm; numpy's Dragon4 in its shortest mode).

Regenerate with:   python3 tools/oracle/shortest_oracle.py
(needs numpy; deterministic.)

Writes src/test/resources/stats/shortest.csv, one value per line:

  type     float64 or float32
  bits     the value's IEEE bits in hex
  repr     Python's repr (float64) or numpy's shortest form of the np.float32 (float32)

The values: the cases where JDK 17's Double.toString prints more digits than needed (1e23,
8.41e21, ...), and for each binary exponent of the normal range a few random significands.
"""

import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "src", "test", "resources", "stats", "shortest.csv")

# Values JDK 17's Double.toString prints with a digit too many (JDK-4511638).
KNOWN = [1e23, 8.41e21, 2.82879384806159e17, 1.9400994884341945e25, 5.684341886080802e-14,
         2e-3, 0.1 + 0.2, 1.0, 0.25, 123456.789, 1e-5, 1e16, 9007199254740993.0]


def main():
    rng = np.random.default_rng(20261207)
    rows = []
    doubles = list(KNOWN)
    for e in range(-1020, 1023, 7):
        for m in rng.random(2):
            doubles.append(float(np.ldexp(1 + m, e)) * (1 if rng.random() < 0.5 else -1))
    for d in doubles:
        rows.append(("float64", "%016x" % struct.unpack("<Q", struct.pack("<d", d))[0], repr(d)))
    floats = [np.float32(v) for v in (1e23, 2.82879384806159e17, 0.1, 1.0, 3.4028235e38)]
    for e in range(-125, 128, 2):
        m = rng.random()
        floats.append(np.float32(np.ldexp(1 + m, e)))
    for f in floats:
        rows.append(("float32", "%08x" % struct.unpack("<I", struct.pack("<f", f))[0],
                     np.format_float_scientific(f, unique=True)))
    with open(OUT, "w") as out:
        out.write("type,bits,repr\n")
        for r in rows:
            out.write(",".join(r) + "\n")


if __name__ == "__main__":
    main()
