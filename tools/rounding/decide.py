#!/usr/bin/python3
"""The correctly rounded float32 of focal's per-element loss, decided by mpmath.

    /usr/bin/python3 tools/rounding/decide.py IN.tsv OUT.tsv

Each line of IN.tsv: the logit as the hex bits of a float32, then t, gamma, alpha and optionally
w (default 1), tab-separated; further columns are ignored. Each line of OUT.tsv: the logit's bits,
t, gamma, alpha, w, and the hex bits of the float32 nearest the exact loss (ties cannot occur:
the loss is transcendental wherever it is not 0).

The loss is docs/semantics.md#per-element-loss written without cancellation, evaluated at 50
digits, then 100, 200 and 400, until it lies farther from every float32 midpoint near it than
10^-(digits - 10) of its value, so that the rounding no longer depends on the working precision.
A hard target at a large |x| can lie closer to a midpoint than any such precision resolves (by
about exp(-|x|)); there the loss is split into an exact product and a tiny relative correction
evaluated on its own (large_side).
Deterministic; used by tools/rounding/prove.sh (dev.focal.loss.RoundingProof) and to write the test fixture
(docs/accuracy.md#the-fixture).
"""

import struct
import sys

from mpmath import mp, mpf


def loss(x, t, gamma, alpha, w):
    e = mp.exp(-abs(x))
    q = (t * e + (1 - t)) / (1 + e) if x >= 0 else (t + (1 - t) * e) / (1 + e)
    focal = mpf(1) if gamma == 0 else q ** gamma
    bce = max(x, 0) - x * t + mp.log1p(e)
    a = t * alpha + (1 - t) * (1 - alpha)
    return a * focal * bce * w


def value(bits):
    """The float32 with these bits (at least 0) as an exact mpf; 2^128 past the largest."""
    if bits >= 0x7F800000:
        return mpf(2) ** 128
    return mpf(struct.unpack("<f", struct.pack("<I", bits))[0])


def nearest(a):
    """The bits of the float32 nearest a >= 0, and the midpoints below and above it (None past the ends)."""
    bits = struct.unpack("<I", struct.pack("<f", min(float(a), 3.4e38)))[0] if a < mpf(2) ** 129 else 0x7F800000
    while True:
        above = (value(bits) + value(bits + 1)) / 2 if bits < 0x7F800000 else None
        if above is not None and a > above:
            bits += 1
            continue
        below = (value(bits - 1) + value(bits)) / 2 if bits > 0 else None
        if below is not None and a < below:
            bits -= 1
            continue
        return bits, below, above


def rounded(x, t, gamma, alpha, w):
    for digits in (50, 100, 200, 400):
        mp.dps = digits
        v = loss(mpf(x), mpf(t), mpf(gamma), mpf(alpha), mpf(w))
        a = abs(v)
        bits, below, above = nearest(a)
        margin = a * mpf(10) ** (10 - digits)
        if a == 0 or ((above is None or above - a > margin) and (below is None or a - below > margin)):
            return bits | (0x80000000 if v < 0 and bits else 0)
    return large_side(x, t, gamma, alpha, w)


def large_side(x, t, gamma, alpha, w):
    """
    A hard target on its large side (t = 0 at x > 0, t = 1 at x < 0), where the loss is P (1 + rho)
    with P = a |x| w, exact at 50 digits for float32 inputs, and rho = expm1(log1p(log1p(E) / |x|) -
    gamma log1p(E)), E = exp(-|x|), evaluated to 50 digits of its own, however small: when P
    is a float32 midpoint rho's sign picks the neighbour, else P's rounding stands if rho P
    cannot reach the nearest midpoint.
    """
    mp.dps = 50
    x, gamma, alpha, w = mpf(x), mpf(gamma), mpf(alpha), mpf(w)
    if not ((t == 0 and x > 0) or (t == 1 and x < 0)):
        raise ValueError("undecided: x=%r t=%r gamma=%r alpha=%r w=%r" % (x, t, gamma, alpha, w))
    y = abs(x)
    e = mp.exp(-y)
    rho = mp.expm1(mp.log1p(mp.log1p(e) / y) - gamma * mp.log1p(e))
    p = (1 - alpha if t == 0 else alpha) * y * w
    bits, below, above = nearest(abs(p))
    shift = abs(p * rho)
    sign = 0x80000000 if p < 0 else 0
    if abs(p) == above or abs(p) == below:
        lower = bits if abs(p) == above else bits - 1
        return (lower + 1 if rho > 0 else lower) | sign
    if (above is None or above - abs(p) > 2 * shift) and (below is None or abs(p) - below > 2 * shift):
        return bits | sign
    raise ValueError("undecided: x=%r t=%r gamma=%r alpha=%r w=%r" % (x, t, gamma, alpha, w))


def main():
    rows = []
    with open(sys.argv[1]) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            x = struct.unpack("<f", struct.pack("<I", int(cols[0], 16)))[0]
            t, gamma, alpha = float(cols[1]), float(cols[2]), float(cols[3])
            w = float(cols[4]) if len(cols) > 4 else 1.0
            rows.append("%s\t%r\t%r\t%r\t%r\t%08x" % (cols[0], t, gamma, alpha, w, rounded(x, t, gamma, alpha, w)))
    with open(sys.argv[2], "w") as f:
        f.write("".join(r + "\n" for r in rows))


if __name__ == "__main__":
    main()
