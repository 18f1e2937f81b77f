#!/usr/bin/python3
"""Oracle for the report's histograms (dev.focal.stats.Histograms), from numpy.

Regenerate with:   /usr/bin/python3 tools/oracle/report_oracle.py
(needs numpy and torch for eval_oracle's definitions; deterministic)

For eval cases written by eval_oracle.py, bins by the definitions in Histograms' javadoc:
  - the loss of each anchor (torch's float64 per-element loss, summed over the class axis) by
    kind of anchor (eval_oracle.categories): 0 counted apart, NaN and inf left out, the rest in
    half-octave bins: binary exponent e (clamped to [-60, 9]) and whether the mantissa is >= 1.5;
  - x_t = x where the target is above 0.5, else -x, over the elements of non-ignored anchors,
    NaN left out, in bins floor((x_t + 16) * 4) clamped to [0, 127].
Writes src/test/resources/report/<case>_histograms.json.
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import eval_oracle  # noqa: E402

MIN_EXPONENT, MAX_EXPONENT = -60, 9
LOSS_BINS = 2 * (MAX_EXPONENT - MIN_EXPONENT + 1)
LOGIT_BINS = 128
CASES = ["anchor_head", "nonfinite", "four_d"]


def loss_bins(v):
    m, e = np.frexp(v)  # v = m * 2**e, m in [0.5, 1)
    exponent = e - 1
    half = (2 * m >= 1.5).astype(np.int64)
    b = 2 * (exponent - MIN_EXPONENT) + half
    b = np.where(exponent < MIN_EXPONENT, 0, b)
    return np.where(exponent > MAX_EXPONENT, LOSS_BINS - 1, b)


def main():
    out_dir = os.path.join("src", "test", "resources", "report")
    os.makedirs(out_dir, exist_ok=True)
    for case in CASES:
        d = os.path.join("src", "test", "resources", "eval", case)
        x = np.load(os.path.join(d, "logits.npy")).astype(np.float64)
        t = np.load(os.path.join(d, "targets.npy")).astype(np.float64)
        wp = os.path.join(d, "weights.npy")
        w = np.load(wp) if os.path.exists(wp) else None
        loss = np.load(os.path.join(d, "loss_f64.npy"))
        cats, _ = eval_oracle.categories(x.shape, t, w)
        per_anchor = loss.reshape(-1, x.shape[-1]).sum(axis=1)
        result = {"case": case, "loss": {}, "zero_loss": {}}
        for kind in ("positive", "negative", "ignored"):
            mask = cats[kind][0].reshape(-1)
            v = per_anchor[mask]
            result["zero_loss"][kind] = int((v == 0).sum())
            binned = v[np.isfinite(v) & (v > 0)]
            result["loss"][kind] = np.bincount(loss_bins(binned), minlength=LOSS_BINS).tolist()
        kept = ~cats["ignored"][1].reshape(-1)
        xs, ts = x.reshape(-1)[kept], t.reshape(-1)[kept]
        positive = ts > 0.5
        xt = np.where(positive, xs, -xs)
        for name, m in (("positive", positive), ("negative", ~positive)):
            v = xt[m & ~np.isnan(xt)]
            with np.errstate(invalid="ignore"):
                b = np.clip(np.floor((v + 16) * 4), 0, LOGIT_BINS - 1).astype(np.int64)
            result.setdefault("logit", {})[name] = np.bincount(b, minlength=LOGIT_BINS).tolist()
        with open(os.path.join(out_dir, case + "_histograms.json"), "w") as f:
            json.dump(result, f, separators=(",", ":"))
            f.write("\n")


if __name__ == "__main__":
    main()
