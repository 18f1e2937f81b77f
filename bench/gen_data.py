#!/usr/bin/env python3
"""Write seeded synthetic anchor-head inputs for bench/compare.sh.

  gen_data.py npy  DIR B A C SEED   ->  DIR/logits.npy, DIR/targets.npy (float32, (B, A, C)),
                                        DIR/weights.npy (float32, (B, A))
  gen_data.py json FILE B A C SEED  ->  FILE: {"logits": [[[...]]], "targets": ..., "weights": ...}

Layout, like an OpenPCDet anchor head at initialisation: each anchor is positive with
probability 1% (one class, uniform, one-hot target; its logit for that class is raised by 4),
ignored with probability 3% (all-zero targets, weight 0), else negative (all-zero targets).
Logits are the prior bias -4.6 (= -log((1 - 0.01) / 0.01)) plus N(0, 1) noise. Weights are the
head's: 1 / max(positives in the sample, 1) for cared anchors, 0 for ignored ones.

The npy case is written one sample at a time through memory maps (little memory for 50M
elements). JSON values are the float32 values as Python floats (exact).
"""
import json
import sys

import numpy as np

P_POS, P_IGN, PRIOR, POS_BOOST = 0.01, 0.03, -4.6, 4.0


def sample(rng, a, c):
    """One sample: logits (a, c), targets (a, c), weights (a,), all float32."""
    u = rng.random(a, dtype=np.float32)
    pos = u < P_POS
    ign = (u >= P_POS) & (u < P_POS + P_IGN)
    cls = rng.integers(0, c, size=a)
    logits = rng.standard_normal((a, c), dtype=np.float32)
    logits += np.float32(PRIOR)
    targets = np.zeros((a, c), dtype=np.float32)
    idx = np.nonzero(pos)[0]
    targets[idx, cls[idx]] = 1.0
    logits[idx, cls[idx]] += np.float32(POS_BOOST)
    n_pos = max(int(pos.sum()), 1)
    weights = np.where(ign, np.float32(0.0), np.float32(1.0) / np.float32(n_pos)).astype(np.float32)
    return logits, targets, weights


def main() -> int:
    if len(sys.argv) != 7 or sys.argv[1] not in ("npy", "json"):
        print(__doc__, file=sys.stderr)
        return 2
    kind, dest = sys.argv[1], sys.argv[2]
    b, a, c, seed = (int(v) for v in sys.argv[3:7])
    rng = np.random.default_rng(seed)
    if kind == "npy":
        fmt = np.lib.format
        lo = fmt.open_memmap(f"{dest}/logits.npy", mode="w+", dtype=np.float32, shape=(b, a, c))
        ta = fmt.open_memmap(f"{dest}/targets.npy", mode="w+", dtype=np.float32, shape=(b, a, c))
        we = fmt.open_memmap(f"{dest}/weights.npy", mode="w+", dtype=np.float32, shape=(b, a))
        for i in range(b):
            lo[i], ta[i], we[i] = sample(rng, a, c)
        for m in (lo, ta, we):
            m.flush()
        del lo, ta, we
    else:
        parts = [sample(rng, a, c) for _ in range(b)]
        bundle = {
            "logits": np.stack([p[0] for p in parts]).tolist(),
            "targets": np.stack([p[1] for p in parts]).tolist(),
            "weights": np.stack([p[2] for p in parts]).tolist(),
        }
        with open(dest, "w", encoding="utf-8") as f:
            json.dump(bundle, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
