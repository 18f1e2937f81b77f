#!/usr/bin/env python3
"""Benchmark peer: OpenPCDet's sigmoid focal classification loss, op by op, in numpy.

  peer_numpy.py --logits L.npy --targets T.npy --weights W.npy --out OUT.npy
  peer_numpy.py BUNDLE.json --out OUT.npy
  [--gamma 2.0] [--alpha 0.25]

Does the work `focal eval ... --out OUT.npy --stats S.json` does, the way a numpy user would:
reads the inputs (.npy with np.load, kept float32; a JSON bundle with json.load + np.array,
float64, as focal reads untyped JSON), evaluates the reference formula literally
(docs/semantics.md#per-element-loss; no logaddexp, no stable-sigmoid tricks), writes the per-element loss with
np.save, and prints one line: the loss sum (accumulated in float64), its mean, and the
positive / negative / ignored anchor counts (ignored: weight 0; positive: not ignored and some
target > 0; negative: the rest).
"""
import argparse
import json

import numpy as np


def load(args):
    if args.bundle:
        with open(args.bundle, encoding="utf-8") as f:
            d = json.load(f)
        return (np.array(d["logits"], dtype=np.float64), np.array(d["targets"], dtype=np.float64),
                np.array(d["weights"], dtype=np.float64))
    return np.load(args.logits), np.load(args.targets), np.load(args.weights)


def focal_loss(x, t, w, gamma, alpha):
    one = x.dtype.type(1)
    gamma, alpha = x.dtype.type(gamma), x.dtype.type(alpha)
    with np.errstate(over="ignore"):                   # exp(-x) overflows to inf for x << 0: p = 0
        p = one / (one + np.exp(-x))                   # sigmoid
    a = t * alpha + (one - t) * (one - alpha)
    pt = t * (one - p) + (one - t) * p
    focal_weight = a * pt ** gamma
    bce = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    if w.ndim == 2 or (w.ndim == 1 and t.ndim == 2):
        w = w[..., None]
    return focal_weight * bce * w


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bundle", nargs="?")
    ap.add_argument("--logits")
    ap.add_argument("--targets")
    ap.add_argument("--weights")
    ap.add_argument("--out", required=True)
    ap.add_argument("--gamma", type=float, default=2.0)
    ap.add_argument("--alpha", type=float, default=0.25)
    args = ap.parse_args()
    if not args.bundle and not (args.logits and args.targets and args.weights):
        ap.error("give BUNDLE.json or --logits, --targets and --weights")
    x, t, w = load(args)
    loss = focal_loss(x, t, w, args.gamma, args.alpha)
    np.save(args.out, loss)
    total = float(loss.sum(dtype=np.float64))
    ignored = w == 0                                   # w is per anchor: (B, A) or (N,)
    positive = ~ignored & (t > 0).any(axis=-1)
    n_ign, n_pos = int(ignored.sum()), int(positive.sum())
    print(f"sum={total!r} mean={total / loss.size!r} positive={n_pos} "
          f"negative={ignored.size - n_ign - n_pos} ignored={n_ign}")


if __name__ == "__main__":
    main()
