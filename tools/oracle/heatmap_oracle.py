#!/usr/bin/python3
"""Oracle fixtures for `focal eval --loss centernet|gaussian` (issue 24: the heatmap focal losses),
from OpenPCDet's own code running on PyTorch.

Regenerate with:   /usr/bin/python3 tools/oracle/heatmap_oracle.py [OPENPCDET_CHECKOUT]
(needs torch and numpy, and a checkout of open-mmlab/OpenPCDet at commit 8caccce, by default
/work/openpcdet; deterministic: the same library versions give byte-identical files)

Nothing of the framework is re-implemented here: the checkout's modules are imported (its package
__init__ files are skipped, as they pull in compiled ops), with stubs only for what cannot load
without CUDA builds (pcdet.ops.*, numba's jit, and scipy and SharedArray,
which Debian's python3 lacks and only box utilities use). The cases call

  * CenterHead.get_loss itself (pcdet/models/dense_heads/center_head.py: the head's clamped
    sigmoid, FocalLossCenterNet, hm_loss * cls_weight, logged as hm_loss_head_0), on a head object
    that holds only what get_loss reads; the box regression loss is stubbed to 0, so the logged
    hm_loss_head_0 is the number under test;
  * FocalLossSparse (VoxelNeXtHead's), the same loss on (N, C) heatmaps;
  * TransFusionHead.loss's heatmap term, as its line reads: GaussianFocalLoss()(clip_sigmoid(x),
    heatmap).sum() / max(heatmap.eq(1).float().sum().item(), 1) * hm_weight (the rest of
    TransFusionHead.loss needs the Hungarian assigner and box targets, which this loss never sees).

Per element, focal's loss is the summand before the normaliser (times the loss weight); its exact
value is evaluated here with Python's decimal module at 50 digits from the float32 inputs
(mpmath is not available to Debian's python3), and so is its derivative in the logit through the
clamp. Layout: src/test/resources/heatmap/index.json lists the cases; each case directory holds

  logits.npy    the head's raw output (float32)
  targets.npy   the Gaussian heatmap (float32)
  exact.npy     the per-element loss, times the loss weight, evaluated exactly, rounded to float64
  grad.npy      d loss / d logit per element, times the loss weight, evaluated exactly
  (both in the inputs' layout, as torch's elementwise loss has it; so are focal's --out and --grad-out)
  and index.json gives the focal eval options, the framework's logged number in float32 and in
  float64 (the same code on float64 copies of the inputs), and the element kinds counted by numpy.

Many dumps and sweeps in these modes:

  dumps/iter_{1,2,10}.npz   CenterHead (B, C, H, W) bundles (logits, targets) for one many-dumps
                            run (--loss centernet --class-axis 1), the second without a peak;
  dumps_expected.json       per dump the logged hm_loss_head_0 (CenterHead.get_loss), the element
                            kinds and the exact loss sums per kind; the aggregate's sums and counts;
  sweep_expected.json       for a CenterHead case and a TransFusion case, every (gamma, alpha) pair
                            of a sweep: the head's number from torch in float32 (TransFusion: the
                            real GaussianFocalLoss(alpha, gamma); CenterHead: neg_loss_cornernet's
                            lines with its exponents 2 and 4 made parameters, equal to the real
                            function at (4, 2)) and exactly, and the exact loss sums per kind.
"""

import importlib
import json
import os
import shutil
import sys
import types
from decimal import Decimal, getcontext

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "heatmap"))
CHECKOUT = sys.argv[1] if len(sys.argv) > 1 else "/work/openpcdet"

torch.set_num_threads(1)  # reproducible reductions
getcontext().prec = 50


# ------------------------------------------------------------------------------ the real modules

def package(name, path):
    """A package whose submodules load from the checkout, without running its __init__."""
    m = types.ModuleType(name)
    m.__path__ = [os.path.join(CHECKOUT, path)]
    sys.modules[name] = m
    return m


def stub(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


def load_openpcdet():
    sys.path.insert(0, CHECKOUT)
    package("pcdet", "pcdet")
    package("pcdet.utils", "pcdet/utils")
    package("pcdet.models", "pcdet/models")
    package("pcdet.models.dense_heads", "pcdet/models/dense_heads")
    package("pcdet.models.model_utils", "pcdet/models/model_utils")
    # Compiled CUDA ops and numba: never called by the losses under test.
    package("pcdet.ops", "pcdet/ops")
    stub("pcdet.ops.iou3d_nms")
    stub("pcdet.ops.iou3d_nms.iou3d_nms_utils")
    sys.modules["pcdet.ops.iou3d_nms"].iou3d_nms_utils = sys.modules["pcdet.ops.iou3d_nms.iou3d_nms_utils"]
    stub("pcdet.ops.roiaware_pool3d")
    stub("pcdet.ops.roiaware_pool3d.roiaware_pool3d_utils")
    sys.modules["pcdet.ops.roiaware_pool3d"].roiaware_pool3d_utils = \
        sys.modules["pcdet.ops.roiaware_pool3d.roiaware_pool3d_utils"]
    # Packages Debian's python3 lacks, used by box utilities the losses never call.
    stub("numba", jit=lambda *a, **k: (lambda f: f))
    stub("scipy")
    stub("scipy.spatial", Delaunay=None)
    sys.modules["scipy"].spatial = sys.modules["scipy.spatial"]
    stub("SharedArray")
    loss_utils = importlib.import_module("pcdet.utils.loss_utils")
    center_head = importlib.import_module("pcdet.models.dense_heads.center_head")
    transfusion_utils = importlib.import_module("pcdet.models.model_utils.transfusion_utils")
    return loss_utils, center_head, transfusion_utils


LOSS_UTILS, CENTER_HEAD, TRANSFUSION_UTILS = load_openpcdet()


class Cfg(dict):
    """What model_cfg is in OpenPCDet (an EasyDict): keys as attributes, .get() as a dict's."""
    __getattr__ = dict.__getitem__


def center_head_log(hm, heatmap, cls_weight):
    """CenterHead.get_loss on a head holding one class group; returns tb_dict['hm_loss_head_0']."""
    head = types.SimpleNamespace()
    head.sigmoid = types.MethodType(CENTER_HEAD.CenterHead.sigmoid, head)
    head.hm_loss_func = LOSS_UTILS.FocalLossCenterNet()
    code_size = 2
    head.reg_loss_func = lambda pred, mask, ind, target: pred.new_zeros(code_size)
    head.separate_head_cfg = Cfg(HEAD_ORDER=["center"])
    head.model_cfg = Cfg(LOSS_CONFIG=Cfg(LOSS_WEIGHTS=Cfg(cls_weight=cls_weight, loc_weight=0.25,
                                                          code_weights=[1.0] * code_size)))
    b = hm.shape[0]
    head.forward_ret_dict = {
        "pred_dicts": [{"hm": hm.clone(), "center": hm.new_zeros(b, code_size, *hm.shape[2:])}],
        "target_dicts": {"heatmaps": [heatmap], "target_boxes": [hm.new_zeros(b, 1, code_size)],
                         "masks": [hm.new_zeros(b, 1)], "inds": [torch.zeros(b, 1, dtype=torch.long)]},
    }
    _, tb_dict = CENTER_HEAD.CenterHead.get_loss(head)
    return tb_dict["hm_loss_head_0"]


def voxelnext_log(hm, heatmap, cls_weight):
    """VoxelNeXtHead.get_loss's heatmap term: FocalLossSparse on the clamped sigmoid, times cls_weight."""
    pred = torch.clamp(hm.sigmoid(), min=1e-4, max=1 - 1e-4)  # VoxelNeXtHead.sigmoid, the same line as CenterHead's
    return (LOSS_UTILS.FocalLossSparse()(pred, heatmap) * cls_weight).item()


def transfusion_log(dense_heatmap, heatmap, hm_weight):
    """TransFusionHead.loss's loss_dict['loss_heatmap']."""
    loss_heatmap = LOSS_UTILS.GaussianFocalLoss()(
        TRANSFUSION_UTILS.clip_sigmoid(dense_heatmap.clone()),
        heatmap,
    ).sum() / max(heatmap.eq(1).float().sum().item(), 1)
    return loss_heatmap.item() * hm_weight


# --------------------------------------------------------------------------------- exact values

LOW32 = Decimal(float(np.float32(1e-4)))
HIGH32 = Decimal(float(np.float32(1 - 1e-4)))
EPS32 = Decimal(float(np.float32(1e-12)))


def sigmoid(x):
    return 1 / (1 + (-x).exp())


def exact(kind, x, t, alpha=2, gamma=4):
    """The element's loss and d loss / dx through the clamp, in 50-digit decimal."""
    alpha = Decimal(alpha)
    gamma = Decimal(gamma)
    x = Decimal(float(x))
    t = Decimal(float(t))
    s = sigmoid(x)
    p = min(max(s, LOW32), HIGH32)
    eps = EPS32 if kind == "gaussian" else Decimal(0)
    peak = 1 if t == 1 else 0
    neg_w = (1 - t) ** gamma * (1 if kind == "gaussian" or t < 1 else 0)
    loss = -(p + eps).ln() * (1 - p) ** alpha * peak - (1 - p + eps).ln() * p ** alpha * neg_w
    if s < LOW32 or s > HIGH32:
        return loss, Decimal(0)
    dp = (-(1 - p) ** alpha / (p + eps) + alpha * (1 - p) ** (alpha - 1) * (p + eps).ln()) * peak \
        + (p ** alpha / (1 - p + eps) - alpha * p ** (alpha - 1) * (1 - p + eps).ln()) * neg_w
    return loss, dp * p * (1 - p)


# ------------------------------------------------------------------------------------- the data

def heatmap_data(rng, shape, peaks):
    """Logits around the heads' prior (-2.19), some far out to reach both clamp bounds; Gaussian
    bumps around `peaks` (index tuples) of value exactly 1, zeros elsewhere."""
    logits = rng.normal(-2.19, 2.0, size=shape).astype(np.float32)
    flat = logits.reshape(-1)
    far = rng.choice(flat.size, size=max(2, flat.size // 40), replace=False)
    flat[far] = rng.choice(np.array([-12.0, -9.5, 9.3, 11.0, 25.0], dtype=np.float32), size=far.size)
    targets = np.zeros(shape, dtype=np.float32)
    for idx in peaks:
        b, c = idx[0], idx[1]
        spatial = targets.shape[2:]
        grid = np.meshgrid(*[np.arange(n) for n in spatial], indexing="ij")
        d2 = sum((g - i) ** 2 for g, i in zip(grid, idx[2:]))
        bump = np.exp(-d2 / 2.0).astype(np.float32)
        targets[b, c] = np.maximum(targets[b, c], bump)
        targets[(b, c) + tuple(idx[2:])] = 1.0
    return logits, targets


def write_case(index, name, logits, targets, kind, weight, args, logged32, logged64, note):
    """One case; exact.npy and grad.npy keep the inputs' layout, class axis where the head has it."""
    d = os.path.join(OUT_DIR, name)
    os.makedirs(d)
    np.save(os.path.join(d, "logits.npy"), logits)
    np.save(os.path.join(d, "targets.npy"), targets)
    w = Decimal(float(weight))
    values = [exact(kind, x, t) for x, t in zip(logits.reshape(-1), targets.reshape(-1))]
    np.save(os.path.join(d, "exact.npy"), np.array([float(l * w) for l, _ in values]).reshape(logits.shape))
    np.save(os.path.join(d, "grad.npy"), np.array([float(g * w) for _, g in values]).reshape(logits.shape))
    t = targets
    class_axis = int(args[args.index("--class-axis") + 1]) if "--class-axis" in args else t.ndim - 1
    index.append({
        "name": name, "note": note, "args": args, "loss_weight": weight,
        "head32": logged32, "head64": logged64,
        "peak": int((t == 1).sum()), "near": int(((t > 0) & (t < 1)).sum()), "background": int((t == 0).sum()),
        "peaks_per_class": [int(v) for v in (np.moveaxis(t, class_axis, -1).reshape(-1, t.shape[class_axis]) == 1)
                            .sum(axis=0)],
        "exact_head": float(sum(l for l, _ in values) * w / max(int((t == 1).sum()), 1)),
    })


def both(fn, logits, targets, weight):
    """The framework's number in float32, and in float64 on float64 copies of the inputs."""
    x32, t32 = torch.from_numpy(logits), torch.from_numpy(targets)
    return fn(x32, t32, weight), fn(x32.double(), t32.double(), weight)


def kind_sums(kind, logits, targets, weight=1.0, alpha=2, gamma=4):
    """The exact loss summed over all elements and over each kind (peak, near, background), times weight."""
    w = Decimal(float(weight))
    sums = {"loss.sum": Decimal(0), "peak.loss_sum": Decimal(0), "near.loss_sum": Decimal(0),
            "background.loss_sum": Decimal(0)}
    for x, t in zip(logits.reshape(-1), targets.reshape(-1)):
        loss = exact(kind, x, t, alpha, gamma)[0] * w
        k = "peak" if t == 1 else "near" if 0 < t < 1 else "background"
        sums["loss.sum"] += loss
        sums[k + ".loss_sum"] += loss
    return sums


def kinds(t):
    return {"elements.peak": int((t == 1).sum()), "elements.near": int(((t > 0) & (t < 1)).sum()),
            "elements.background": int(((t <= 0) | (t > 1)).sum())}


def write_dumps(rng):
    """A folder of CenterHead bundles, each one's logged number, kinds and exact sums, and the aggregate."""
    d = os.path.join(OUT_DIR, "dumps")
    os.makedirs(d)
    made = {
        "iter_1.npz": heatmap_data(rng, (2, 3, 6, 7), [(0, 0, 2, 3), (1, 2, 4, 4), (1, 1, 0, 6)]),
        "iter_2.npz": heatmap_data(rng, (1, 3, 6, 7), [(0, 1, 3, 3)]),
        "iter_10.npz": heatmap_data(rng, (2, 3, 6, 7), [(0, 0, 1, 1), (0, 1, 5, 2), (1, 2, 3, 5), (1, 0, 4, 0)]),
    }
    made["iter_2.npz"][1][made["iter_2.npz"][1] == 1] = np.float32(0.5)  # no peak: the head logs -neg_loss
    dumps = []
    total = {"loss.sum": Decimal(0), "peak.loss_sum": Decimal(0), "near.loss_sum": Decimal(0),
             "background.loss_sum": Decimal(0)}
    counts = {"elements.peak": 0, "elements.near": 0, "elements.background": 0}
    for name in ("iter_1.npz", "iter_2.npz", "iter_10.npz"):
        logits, targets = made[name]
        np.savez(os.path.join(d, name), logits=logits, targets=targets)
        sums = kind_sums("centernet", logits, targets)
        k = kinds(targets)
        for key in total:
            total[key] += sums[key]
        for key in counts:
            counts[key] += k[key]
        figures = {key: float(v) for key, v in sums.items()}
        figures.update(k)
        figures["loss.head"] = float(sums["loss.sum"] / max(k["elements.peak"], 1))
        dumps.append({"file": name, "head32": center_head_log(torch.from_numpy(logits), torch.from_numpy(targets), 1.0),
                      "figures": figures})
    aggregate = {key: float(v) for key, v in total.items()}
    aggregate.update(counts)
    # The aggregate's head: the summed loss over the summed peaks, as if the dumps were one batch.
    aggregate["loss.head"] = float(total["loss.sum"] / max(counts["elements.peak"], 1))
    with open(os.path.join(OUT_DIR, "dumps_expected.json"), "w") as f:
        json.dump({"generator": "tools/oracle/heatmap_oracle.py", "args": ["--loss", "centernet", "--class-axis", "1"],
                   "dumps": dumps, "aggregate": aggregate}, f, indent=1)
        f.write("\n")


def centernet_formula(pred, gt, alpha, gamma):
    """neg_loss_cornernet's lines (pcdet/utils/loss_utils.py) with its exponents 2 and 4 as alpha and gamma."""
    pos_inds = gt.eq(1).float()
    neg_inds = gt.lt(1).float()
    neg_weights = torch.pow(1 - gt, gamma)
    pos_loss = (torch.log(pred) * torch.pow(1 - pred, alpha) * pos_inds).sum()
    neg_loss = (torch.log(1 - pred) * torch.pow(pred, alpha) * neg_weights * neg_inds).sum()
    num_pos = pos_inds.sum()
    return (-neg_loss if num_pos == 0 else -(pos_loss + neg_loss) / num_pos).item()


def centernet_sweep_log(hm, heatmap, alpha, gamma):
    return centernet_formula(CENTER_HEAD.CenterHead.sigmoid(None, hm.clone()), heatmap, alpha, gamma)


def transfusion_sweep_log(dense_heatmap, heatmap, alpha, gamma):
    """TransFusionHead.loss's heatmap line with GaussianFocalLoss(alpha, gamma), hm_weight 1."""
    return (LOSS_UTILS.GaussianFocalLoss(alpha=alpha, gamma=gamma)(
        TRANSFUSION_UTILS.clip_sigmoid(dense_heatmap.clone()), heatmap,
    ).sum() / max(heatmap.eq(1).float().sum().item(), 1)).item()


def write_sweeps():
    gammas = [2.0, 3.0, 4.0]
    alphas = [1.0, 1.5, 2.0]
    sweeps = []
    for case, kind, fn in (("centerhead_cls1", "centernet", centernet_sweep_log),
                           ("transfusion_hm1_0", "gaussian", transfusion_sweep_log)):
        logits = np.load(os.path.join(OUT_DIR, case, "logits.npy"))
        targets = np.load(os.path.join(OUT_DIR, case, "targets.npy"))
        x, t = torch.from_numpy(logits), torch.from_numpy(targets)
        if kind == "centernet":
            assert fn(x, t, 2, 4) == center_head_log(x, t, 1.0), "the formula is neg_loss_cornernet at (4, 2)"
        pairs = []
        for g in gammas:
            for a in alphas:
                sums = kind_sums(kind, logits, targets, 1.0, a, g)
                figures = {key: float(v) for key, v in sums.items()}
                figures["loss.head"] = float(sums["loss.sum"] / max(int((targets == 1).sum()), 1))
                pairs.append({"gamma": g, "alpha": a, "head32": fn(x, t, a, g), "figures": figures})
        sweeps.append({"case": case, "args": ["--loss", kind, "--class-axis", "1"], "gammas": gammas,
                       "alphas": alphas, "pairs": pairs})
    with open(os.path.join(OUT_DIR, "sweep_expected.json"), "w") as f:
        json.dump({"generator": "tools/oracle/heatmap_oracle.py", "sweeps": sweeps}, f, indent=1)
        f.write("\n")


def main():
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)
    rng = np.random.default_rng(24)
    index = []
    # CenterHead: (B, C, H, W), class axis 1.
    logits, targets = heatmap_data(rng, (2, 3, 8, 10), [(0, 0, 2, 3), (0, 2, 6, 7), (1, 1, 4, 4), (1, 0, 0, 9)])
    for w in (1.0, 2.0):
        l32, l64 = both(center_head_log, logits, targets, w)
        write_case(index, "centerhead_cls%d" % w, logits, targets, "centernet", w,
                   ["--loss", "centernet", "--loss-weight", str(w), "--class-axis", "1"], l32, l64,
                   "CenterHead.get_loss, 4 peaks, cls_weight %g" % w)
    nopeak_logits, nopeak = heatmap_data(rng, (1, 2, 6, 6), [(0, 0, 3, 3)])
    nopeak[nopeak == 1] = np.float32(0.75)  # a bump without its peak: num_pos == 0
    for w in (1.0, 2.0):
        l32, l64 = both(center_head_log, nopeak_logits, nopeak, w)
        write_case(index, "centerhead_nopeak_cls%d" % w, nopeak_logits, nopeak, "centernet", w,
                   ["--loss", "centernet", "--loss-weight", str(w), "--class-axis", "1"], l32, l64,
                   "CenterHead.get_loss without a peak (the loss is -neg_loss), cls_weight %g" % w)
    # VoxelNeXt: (N, C) heatmaps, class axis last; peaks placed in a (1, C, N) view.
    vx_logits, vx = heatmap_data(rng, (1, 3, 50), [(0, 0, 10), (0, 2, 40)])
    vx_logits, vx = np.ascontiguousarray(vx_logits[0].T), np.ascontiguousarray(vx[0].T)
    l32, l64 = both(voxelnext_log, vx_logits, vx, 1.0)
    write_case(index, "voxelnext_sparse", vx_logits, vx, "centernet", 1.0, ["--loss", "centernet"], l32, l64,
               "FocalLossSparse on (N, C) as VoxelNeXtHead applies it, cls_weight 1")
    # TransFusion: dense_heatmap (B, C, H, W), hm_weight 1 in the shipped configs; 0.5 to see the weight.
    tf_logits, tf = heatmap_data(rng, (2, 2, 9, 9), [(0, 0, 4, 4), (1, 1, 2, 6), (1, 0, 7, 1)])
    for w in (1.0, 0.5):
        l32, l64 = both(transfusion_log, tf_logits, tf, w)
        write_case(index, "transfusion_hm%s" % str(w).replace(".", "_"), tf_logits, tf, "gaussian", w,
                   ["--loss", "gaussian", "--loss-weight", str(w), "--class-axis", "1"], l32, l64,
                   "TransFusionHead.loss's loss_heatmap, hm_weight %g" % w)
    with open(os.path.join(OUT_DIR, "index.json"), "w") as f:
        json.dump({"generator": "tools/oracle/heatmap_oracle.py", "openpcdet": "8caccce",
                   "torch": torch.__version__, "cases": index}, f, indent=1)
        f.write("\n")
    write_dumps(rng)
    write_sweeps()


if __name__ == "__main__":
    main()
