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
kitti_head.npz        cls_preds (2, 200, 176, 18) float16, box_cls_labels (2, 211200) int8
                      (np.savez_compressed): a KITTI-sized anchor head (SECOND's 0.4 m BEV cells
                      over x 0..70.4 m forward, y -40..40 m), K = 6 anchors a cell (Car, Pedestrian,
                      Cyclist, each at rotations 0 and 90 degrees), C = 3. Objects stand along lanes
                      and sidewalks; the logits are confident near the ego vehicle and unsure far
                      away, where clutter also fires. For the report's BEV heatmaps.
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


def kitti_head(rng):
    """Labels and logits of a KITTI-sized anchor head: what the BEV heatmaps are for."""
    B, H, W, K, C = 2, 200, 176, 6, 3
    cell = 0.4  # metres; h indexes y from -40 m, w indexes x from 0 m (forward)
    labels = np.zeros((B, H, W, K), dtype=np.int8)
    # (class, lanes' y in metres, length and width in cells of the positive and ignored zones)
    kinds = [(1, [-3.5, 0.0, 3.5, 7.0], (3, 1), (6, 3), 16),     # cars in lanes and parked
             (2, [-9.5, 9.5], (0, 0), (1, 1), 8),                 # pedestrians on the sidewalks
             (3, [-5.5, 5.5], (1, 0), (2, 1), 5)]                 # cyclists at the lanes' edges
    for b in range(B):
        for cls, lanes, pos, ign, count in kinds:
            for _ in range(count + 2 * b):
                y = rng.choice(lanes) + rng.normal(0, 0.3)
                x = rng.uniform(4, 68)
                h, w = int((y + 40) / cell), int(x / cell)
                k = 2 * (cls - 1)  # the anchor at rotation 0: objects face along the lane
                hs, ws = slice(max(h - ign[1], 0), h + ign[1] + 1), slice(max(w - ign[0], 0), w + ign[0] + 1)
                zone = labels[b, hs, ws, k:k + 2]
                zone[zone == 0] = -1  # IoU between the thresholds
                labels[b, max(h - pos[1], 0):h + pos[1] + 1, max(w - pos[0], 0):w + pos[0] + 1, k] = cls
    # Confidence falls with range: negatives from -7 near to -4 far, positives from +3 to -1.
    near = 1 - np.arange(W) / (W - 1)  # 1 at the ego vehicle, 0 at 70 m
    spread = 0.5 + 0.6 * (1 - near)
    neg_mean = (-4 - 3 * near)[None, None, :, None, None]
    x = neg_mean + spread[None, None, :, None, None] * rng.standard_normal((B, H, W, K, C))
    # Clutter: far cells where the detector half-believes in a car.
    clutter = rng.random((B, H, W)) < 0.004 * (1 - near)[None, None, :]
    x[..., 0][clutter[..., None].repeat(K, -1)] += 3.0
    pos_mean = -1 + 4 * near
    bb, hh, ww, kk = np.nonzero(labels > 0)
    cc = labels[bb, hh, ww, kk].astype(np.int64) - 1
    x[bb, hh, ww, kk, cc] = pos_mean[ww] + spread[ww] * rng.standard_normal(bb.size)
    # Quarter steps: float16 holds them exactly, and the file compresses to a fraction.
    cls_preds = (np.round(x * 4) / 4).astype(np.float16).reshape(B, H, W, K * C)
    np.savez_compressed(os.path.join(HERE, "kitti_head.npz"), cls_preds=cls_preds,
                        box_cls_labels=labels.reshape(B, H * W * K))


kitti_head(np.random.default_rng(2026))
print("samples written to", HERE)
