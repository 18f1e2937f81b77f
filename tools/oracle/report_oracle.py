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

And for the BEV heatmaps (dev.focal.stats.CellSums), the loss of each grid cell: torch's float64
per-element loss summed over the classes and over the cell's K anchors (numpy), and the cell's
positive anchors (eval_oracle.categories), for
  - head/anchor_c3: an anchor head's raw (2, 8, 6, 18) output in labels mode, C = 3, K = 6;
  - eval/anchor_head: (2, 50, 3) logits read as --grid 5,5, K = 2;
  - report/bev_ranges: raw (3, 30, 20, 48) float16 logits, C = 16, K = 3, whose 5,400 anchors
    span two of the pass's ranges (4,096 anchors at C = 16) with a cell cut by their boundary.
Writes src/test/resources/report/bev_<case>.json: the grid, the eval arguments, the per-cell
loss and positives of every sample, flat (sample, h, w).
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import eval_oracle  # noqa: E402
import head_oracle  # noqa: E402
import torch  # noqa: E402

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


def bev(name, loss64, targets, weights, grid, args):
    """Per-cell loss and positives of a (B, H*W*K, C) loss on an H x W grid of K anchors a cell."""
    H, W, K = grid
    B = loss64.shape[0]
    cats, _ = eval_oracle.categories(loss64.shape, targets, weights)
    cell_loss = loss64.sum(axis=-1).reshape(B, H, W, K).sum(axis=-1)
    cell_pos = cats["positive"][0].reshape(B, H, W, K).sum(axis=-1)
    out = {"case": name, "grid": [H, W, K], "args": args, "loss": cell_loss.reshape(-1).tolist(),
           "positives": cell_pos.reshape(-1).astype(int).tolist()}
    with open(os.path.join("src", "test", "resources", "report", "bev_" + name + ".json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


def bev_cases():
    head = os.path.join("src", "test", "resources", "head", "anchor_c3")
    with open(os.path.join(head, "expected.json")) as f:
        head_args = json.load(f)["args"]
    bev("anchor_c3", np.load(os.path.join(head, "loss_f64.npy")), np.load(os.path.join(head, "targets.npy")),
        np.load(os.path.join(head, "weights.npy")), (8, 6, 6), head_args)

    d = os.path.join("src", "test", "resources", "eval", "anchor_head")
    bev("anchor_head", np.load(os.path.join(d, "loss_f64.npy")), np.load(os.path.join(d, "targets.npy")),
        np.load(os.path.join(d, "weights.npy")), (5, 5, 2), ["--grid", "5,5"])

    B, H, W, K, C = 3, 30, 20, 3, 16
    rng = np.random.default_rng(20)
    # Sixteenths in [-8, 8): exact in float16, and compressible.
    cls_preds = (np.floor(rng.standard_normal((B, H, W, K * C)) * 32 - 40) / 16).clip(-8, 8 - 1 / 16)
    cls_preds = cls_preds.astype(np.float16)
    kind = rng.choice(3, size=(B, H * W * K), p=[0.05, 0.85, 0.10])
    labels = np.where(kind == 0, -1, np.where(kind == 1, 0, rng.integers(1, C + 1, size=kind.shape)))
    labels = labels.astype(np.int8)
    out = os.path.join("src", "test", "resources", "report", "bev_ranges")
    os.makedirs(out, exist_ok=True)
    np.savez_compressed(os.path.join(out, "inputs.npz"), cls_preds=cls_preds, box_cls_labels=labels)
    loss, t, w, _ = head_oracle.anchor_head_loss(torch.from_numpy(cls_preds.astype(np.float32)),
                                                 torch.from_numpy(labels.astype(np.int64)), C,
                                                 dtype=torch.float64)
    bev("ranges", loss.numpy(), t.numpy(), w.numpy(), (H, W, K), ["--num-classes", str(C)])


if __name__ == "__main__":
    main()
    bev_cases()
