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
  - eval/nonfinite: (2, 10, 3) logits read as --grid 5,2, K = 1, with NaN and infinite losses.
Writes src/test/resources/report/bev_<case>.json: the grid, the eval arguments, the per-cell
loss, positives and non-finite losses (NaN or inf) of every sample, flat (sample, h, w).

And for the heatmap losses (--loss centernet|gaussian), whose kinds are of elements (peak:
gt == 1, near: 0 < gt < 1, background: the rest), from the cases of tools/oracle/heatmap_oracle.py
(whose exact.npy is each element's loss, times the loss weight, evaluated in 50-digit decimal from
the float32 inputs, and is checked here against OpenPCDet's own functions run per element in
float64 torch: neg_loss_cornernet on each element alone, which with one element is that element's
loss, and GaussianFocalLoss, element-wise) and a case of its own with NaN and infinite losses:
  - heatmap/centerhead_cls1: CenterHead's (2, 3, 8, 10) heatmap, --loss centernet --class-axis 1;
  - heatmap/transfusion_hm0_5: TransFusion's (2, 2, 9, 9), --loss gaussian --loss-weight 0.5;
  - report/heatmap_nonfinite: a (2, 3, 6, 7) centernet heatmap with NaN logits, a NaN target
    (NaN loss, torch's) and a -inf target (inf loss), --class-axis 1.
With the classes last, (B, H, W, C) is an H x W grid of one element of each class a cell. Bins as
above but by element: each element's loss by its kind, and its logit x itself (p = sigmoid(x)) in
bins floor((x + 16) * 4) by its kind. Writes src/test/resources/report/heatmap_<case>.json: the
eval arguments, the grid, the element kinds and their loss sums, each class's loss, the histograms, the per-cell loss (over the classes),
peaks and non-finite losses, and the non-finite counts (NaN, inf, by kind, logits).
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
    """Per-cell loss, positives and non-finite losses of a (B, H*W*K, C) loss on an H x W grid of K anchors a cell."""
    H, W, K = grid
    B = loss64.shape[0]
    cats, _ = eval_oracle.categories(loss64.shape, targets, weights)
    cell_loss = loss64.sum(axis=-1).reshape(B, H, W, K).sum(axis=-1)
    cell_pos = cats["positive"][0].reshape(B, H, W, K).sum(axis=-1)
    cell_nonfinite = (~np.isfinite(loss64)).sum(axis=-1).reshape(B, H, W, K).sum(axis=-1)
    out = {"case": name, "grid": [H, W, K], "args": args, "loss": cell_loss.reshape(-1).tolist(),
           "positives": cell_pos.reshape(-1).astype(int).tolist(),
           "nonfinite": cell_nonfinite.reshape(-1).astype(int).tolist()}
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

    d = os.path.join("src", "test", "resources", "eval", "nonfinite")
    bev("nonfinite", np.load(os.path.join(d, "loss_f64.npy")), np.load(os.path.join(d, "targets.npy")),
        np.load(os.path.join(d, "weights.npy")), (5, 2, 1), ["--grid", "5,2"])

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


def openpcdet_elements(kind, x32, t32):
    """Each element's loss by OpenPCDet's own loss functions in float64 torch (before any loss
    weight), on the prediction the heads' clamp gives float32 logits: the sigmoid clamped to the
    float32 values of 1e-4 and 1 - 1e-4, which the reference compares with (float64's bounds
    differ in the 8th digit, and so would a clamped element's loss, by up to 2e-5)."""
    import heatmap_oracle  # imports the checkout's modules
    x = torch.from_numpy(x32.astype(np.float64))
    t = torch.from_numpy(t32.astype(np.float64))
    pred = torch.clamp(x.sigmoid(), min=float(np.float32(1e-4)), max=float(np.float32(1 - 1e-4)))
    if kind == "gaussian":
        return heatmap_oracle.LOSS_UTILS.GaussianFocalLoss()(pred, t).numpy()
    flat_p, flat_t = pred.reshape(-1), t.reshape(-1)
    one = [heatmap_oracle.LOSS_UTILS.neg_loss_cornernet(flat_p[i].reshape(1, 1, 1, 1), flat_t[i].reshape(1, 1, 1, 1))
           for i in range(flat_p.numel())]
    return np.array([float(v) for v in one]).reshape(x32.shape)


def heatmap_case(name, x32, t32, kind, weight, args, exact):
    """The report's figures of one heatmap case, (B, C, H, W) with the classes on axis 1."""
    torch_loss = openpcdet_elements(kind, x32, t32) * weight
    finite = np.isfinite(exact)
    # The exact values against the framework's float64 ones.
    assert np.array_equal(np.isnan(torch_loss), np.isnan(exact)) and np.array_equal(np.isinf(torch_loss), np.isinf(exact))
    assert np.allclose(torch_loss[finite], exact[finite], rtol=1e-12, atol=0), name
    loss = np.moveaxis(exact, 1, -1)  # (B, H, W, C)
    x = np.moveaxis(x32.astype(np.float64), 1, -1)
    t = np.moveaxis(t32.astype(np.float64), 1, -1)
    B, H, W, C = loss.shape
    kinds = {"peak": t == 1, "near": (t > 0) & (t < 1)}
    kinds["background"] = ~kinds["peak"] & ~kinds["near"]
    result = {"case": name, "args": args, "grid": [H, W, 1], "loss": {}, "zero_loss": {}, "logit": {}, "elements": {}}
    for k, m in kinds.items():
        v = loss[m]
        result["elements"][k] = int(m.sum())
        result.setdefault("loss_sum", {})[k] = float(v.sum())
        result["zero_loss"][k] = int((v == 0).sum())
        result["loss"][k] = np.bincount(loss_bins(v[np.isfinite(v) & (v > 0)]), minlength=LOSS_BINS).tolist()
        xs = x[m]
        xs = xs[~np.isnan(xs)]
        result["logit"][k] = np.bincount(np.clip(np.floor((xs + 16) * 4), 0, LOGIT_BINS - 1).astype(np.int64),
                                         minlength=LOGIT_BINS).tolist()
    nonfinite = ~np.isfinite(loss)
    result["class_loss"] = loss.reshape(-1, C).sum(axis=0).tolist()
    result["cells"] = {"loss": loss.sum(axis=-1).reshape(-1).tolist(),
                       "peaks": kinds["peak"].sum(axis=-1).reshape(-1).astype(int).tolist(),
                       "nonfinite": nonfinite.sum(axis=-1).reshape(-1).astype(int).tolist()}
    result["nonfinite"] = {"nan": int(np.isnan(loss).sum()), "inf": int(np.isinf(loss).sum()),
                           "logits": int((~np.isfinite(x)).sum()),
                           "by_kind": {k: int((nonfinite & m).sum()) for k, m in kinds.items()}}
    result["sum"] = float(loss[np.isfinite(loss)].sum()) if nonfinite.any() else float(loss.sum())
    with open(os.path.join("src", "test", "resources", "report", "heatmap_" + name + ".json"), "w") as f:
        json.dump(result, f, separators=(",", ":"))
        f.write("\n")


def heatmap_cases():
    import heatmap_oracle
    hm = os.path.join("src", "test", "resources", "heatmap")
    with open(os.path.join(hm, "index.json")) as f:
        index = {c["name"]: c for c in json.load(f)["cases"]}
    for name, kind in (("centerhead_cls1", "centernet"), ("transfusion_hm0_5", "gaussian")):
        d = os.path.join(hm, name)
        c = index[name]
        heatmap_case(name, np.load(os.path.join(d, "logits.npy")), np.load(os.path.join(d, "targets.npy")), kind,
                     c["loss_weight"], c["args"], np.load(os.path.join(d, "exact.npy")))

    rng = np.random.default_rng(2024)
    x, t = heatmap_oracle.heatmap_data(rng, (2, 3, 6, 7), [(0, 1, 2, 3), (1, 0, 4, 5), (1, 2, 0, 0)])
    x[0, 0, 1, 1] = np.nan  # background
    x[0, 1, 2, 3] = np.nan  # the peak
    x[1, 2, 5, 6] = np.nan
    t[1, 1, 3, 2] = np.nan   # a NaN target: background, NaN loss
    t[1, 1, 3, 4] = -np.inf  # (1 - gt)^4 = inf: background, inf loss
    out = os.path.join("src", "test", "resources", "report", "heatmap_nonfinite")
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "logits.npy"), x)
    np.save(os.path.join(out, "targets.npy"), t)
    exact = np.empty(x.shape)
    odd = np.isnan(x) | np.isnan(t)
    torch_loss = openpcdet_elements("centernet", x, t)
    for i in np.ndindex(x.shape):
        exact[i] = torch_loss[i] if odd[i] else float(heatmap_oracle.exact("centernet", x[i], t[i])[0])
    heatmap_case("nonfinite", x, t, "centernet", 1.0, ["--loss", "centernet", "--class-axis", "1"], exact)


if __name__ == "__main__":
    main()
    bev_cases()
    heatmap_cases()
