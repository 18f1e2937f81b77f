#!/usr/bin/python3
"""Writes src/test/resources/loss/rounding_cases.tsv, the fixture of CorrectRoundingTest.

    /usr/bin/python3 tools/rounding/make_fixture.py EXHAUSTIVE_DIR SAMPLE_DIR

EXHAUSTIVE_DIR and SAMPLE_DIR are the OUT_DIRs of RoundingProof's two runs (docs/accuracy.md#the-proof).
The rows: every element the proof's reference left to mpmath (hard.tsv) and every one it
decided by the closed form (cases.tsv marks them), up to one per binade of the logit and
parameter set; one element per binade and parameter set that the double evaluation decided,
every sixth binade; a random logit in every second binade of either sign, for t = 0 and 1 at
the default gamma 2 and alpha 0.25; the issue's example; and soft targets with weights, which the proof does not
cover, at logits spread over every exponent. Columns: the logit's float32 bits, t, gamma, alpha,
w, and the correctly rounded loss's float32 bits from decide.py (mpmath). Deterministic.
"""

import os
import random
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import decide  # noqa: E402

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "src", "test", "resources", "loss", "rounding_cases.tsv")


def f32(v):
    return struct.unpack("<f", struct.pack("<f", v))[0]


def bits(v):
    return "%08x" % struct.unpack("<I", struct.pack("<f", v))[0]


def rows_of(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f if line.strip()]


def main():
    chosen = []
    seen = set()
    for d in sys.argv[1:3]:
        for cols in rows_of(os.path.join(d, "hard.tsv")):
            chosen.append(tuple(cols[:5]))
        for cols in rows_of(os.path.join(d, "cases.tsv")):
            binade = int(cols[0], 16) >> 23
            key = (binade, cols[1], cols[2], cols[3], cols[5])
            if key in seen or (cols[5] == "fast" and binade % 6 != 0):
                continue
            seen.add(key)
            chosen.append(tuple(cols[:5]))
    chosen.append((bits(f32(41.40566)), "0.0", "2.0", "0.25", "1.0"))
    rnd = random.Random(25)
    for exponent in range(0, 255, 2):
        for sign in (0, 1):
            for t in ("0.0", "1.0"):
                x = "%08x" % (sign << 31 | exponent << 23 | rnd.randrange(1 << 23))
                chosen.append((x, t, "2.0", "0.25", "1.0"))
    for i in range(400):
        x = f32(rnd.choice([-1, 1]) * rnd.uniform(1, 2) * 2.0 ** rnd.randint(-30, 12))
        t = f32(rnd.choice([0.1, 0.25, 0.5, 0.9, 0.999]))
        w = f32(rnd.choice([1 / 8000, 1 / 19, 3.0, 0.5]))
        gamma = rnd.choice([2.0, 1.5, 0.5, 1.0, 0.0])
        alpha = rnd.choice([0.25, 0.6])
        chosen.append((bits(x), repr(t), repr(gamma), repr(alpha), repr(w)))
    lines = []
    for x, t, gamma, alpha, w in chosen:
        xv = struct.unpack("<f", struct.pack("<I", int(x, 16)))[0]
        t, gamma, alpha, w = float(t), float(gamma), float(alpha), float(w)
        lines.append("%s\t%r\t%r\t%r\t%r\t%08x\n" % (x, t, gamma, alpha, w, decide.rounded(xv, t, gamma, alpha, w)))
    with open(OUT, "w") as f:
        f.write("".join(lines))
    print("%d rows to %s" % (len(lines), OUT))


if __name__ == "__main__":
    main()
