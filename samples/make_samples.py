#!/usr/bin/python3
"""Writes the bundled samples: what a breakpoint in OpenPCDet's anchor head would dump.

Run from the project root:  /usr/bin/python3 samples/make_samples.py   (needs numpy only)

anchor_head/  B=2 samples, a 20x16 BEV feature map with K=6 anchors per cell (3 classes x 2
              rotations), C=3 classes (Car, Pedestrian, Cyclist), so A = 20*16*6 = 1920 anchors:
  cls_preds.npy       (2, 20, 16, 18) float32  raw head output, bias init -log((1-0.01)/0.01)
  box_cls_labels.npy  (2, 1920) int32          -1 ignored, 0 background, 1..3 class
  logits.npy          (2, 1920, 3) float32     cls_preds reshaped to (B, -1, C)
  targets.npy         (2, 1920, 3) float32     one-hot targets, background column dropped
  weights.npy         (2, 1920) float32        (positive + negative) / max(positives in sample, 1)
anchor_head.npz       logits, targets, weights (np.savez)
anchor_head_labels.npz  cls_preds, box_cls_labels (np.savez): what get_cls_layer_loss holds
tiny.json             a JSON bundle of 1 x 4 anchors x 3 classes
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
B, H, W, K, C = 2, 20, 16, 6, 3
A = H * W * K
prior = -np.log((1 - 0.01) / 0.01)

labels = np.zeros((B, A), dtype=np.int32)
for b in range(B):
    u = rng.random(A)
    labels[b][u < 0.03] = -1                      # ignored: IoU between the thresholds
    pos = rng.choice(A, size=int(A * 0.01) + b, replace=False)
    labels[b][pos] = rng.integers(1, C + 1, size=pos.size)

cls_preds = (prior + 0.8 * rng.standard_normal((B, H, W, K * C))).astype(np.float32)
logits = cls_preds.reshape(B, -1, C).copy()
for b in range(B):
    for a in np.nonzero(labels[b] > 0)[0]:
        logits[b, a, labels[b, a] - 1] += rng.uniform(2.0, 7.0)  # a half-trained detector
cls_preds = logits.reshape(B, H, W, K * C)

positive = labels > 0
negative = labels == 0
weights = (positive | negative).astype(np.float32)
weights /= np.clip(positive.sum(1, keepdims=True), 1, None).astype(np.float32)
onehot = np.eye(C + 1, dtype=np.float32)[labels * (labels >= 0)][..., 1:]

os.makedirs(os.path.join(HERE, "anchor_head"), exist_ok=True)
for name, arr in [("cls_preds", cls_preds), ("box_cls_labels", labels), ("logits", logits),
                  ("targets", onehot), ("weights", weights)]:
    np.save(os.path.join(HERE, "anchor_head", name + ".npy"), arr)
np.savez(os.path.join(HERE, "anchor_head.npz"), logits=logits, targets=onehot, weights=weights)
np.savez(os.path.join(HERE, "anchor_head_labels.npz"), cls_preds=cls_preds, box_cls_labels=labels)

tiny = {
    "logits": [[[-4.6, -4.2, -5.1], [2.3, -3.9, -4.4], [-4.8, 0.7, -4.5], [-4.1, -4.3, -4.0]]],
    "targets": [[[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 0]]],
    "weights": [[0.5, 0.5, 0.5, 0.0]],
}
with open(os.path.join(HERE, "tiny.json"), "w") as f:
    json.dump(tiny, f, indent=1)
print("samples written to", HERE)
