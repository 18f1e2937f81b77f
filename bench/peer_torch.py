#!/usr/bin/env python3
"""Benchmark peer: OpenPCDet's sigmoid focal classification loss, op by op, in PyTorch (CPU).

  peer_torch.py --logits L.npy --targets T.npy --weights W.npy --out OUT.npy
  peer_torch.py BUNDLE.json --out OUT.npy
  [--gamma 2.0] [--alpha 0.25] [--threads 2]

Does the work `focal eval ... --out OUT.npy --stats S.json` does, the way a PyTorch user would:
reads the inputs (.npy with np.load + torch.from_numpy, kept float32; a JSON bundle with
json.load + torch.tensor, float64, as focal reads untyped JSON), evaluates the reference
formula as SigmoidFocalClassificationLoss writes it (docs/semantics.md#per-element-loss), writes the per-element
loss with np.save, and prints one line: the loss sum (accumulated in float64), its mean, and
the positive / negative / ignored anchor counts (ignored: weight 0; positive: not ignored and
some target > 0; negative: the rest). torch.set_num_threads(--threads), default 2.
"""
import argparse
import json

import numpy as np
import torch


def load(args):
    if args.bundle:
        with open(args.bundle, encoding="utf-8") as f:
            d = json.load(f)
        return (torch.tensor(d["logits"], dtype=torch.float64), torch.tensor(d["targets"], dtype=torch.float64),
                torch.tensor(d["weights"], dtype=torch.float64))
    return (torch.from_numpy(np.load(args.logits)), torch.from_numpy(np.load(args.targets)),
            torch.from_numpy(np.load(args.weights)))


def focal_loss(x, t, w, gamma, alpha):
    p = torch.sigmoid(x)
    a = t * alpha + (1 - t) * (1 - alpha)
    pt = t * (1.0 - p) + (1.0 - t) * p
    focal_weight = a * torch.pow(pt, gamma)
    bce = torch.clamp(x, min=0) - x * t + torch.log1p(torch.exp(-torch.abs(x)))
    if w.dim() == 2 or (w.dim() == 1 and t.dim() == 2):
        w = w.unsqueeze(-1)
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
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if not args.bundle and not (args.logits and args.targets and args.weights):
        ap.error("give BUNDLE.json or --logits, --targets and --weights")
    torch.set_num_threads(args.threads)
    with torch.no_grad():
        x, t, w = load(args)
        loss = focal_loss(x, t, w, args.gamma, args.alpha)
        np.save(args.out, loss.numpy())
        total = loss.sum(dtype=torch.float64).item()
        ignored = w == 0                               # w is per anchor: (B, A) or (N,)
        positive = ~ignored & (t > 0).any(dim=-1)
        n_ign, n_pos = int(ignored.sum()), int(positive.sum())
    print(f"sum={total!r} mean={total / loss.numel()!r} positive={n_pos} "
          f"negative={ignored.numel() - n_ign - n_pos} ignored={n_ign}")


if __name__ == "__main__":
    main()
