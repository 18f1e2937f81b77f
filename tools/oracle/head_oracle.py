#!/usr/bin/python3
"""Oracle fixtures for `focal eval --labels` (issue 4: targets and weights derived from head labels),
from real PyTorch.

Regenerate with:   /usr/bin/python3 tools/oracle/head_oracle.py
(needs torch and numpy; deterministic: the same library versions give byte-identical files)

What is re-implemented below, in torch and in this file's own words (no framework code copied):

  * SigmoidFocalClassificationLoss (gamma 2, alpha 0.25; docs/semantics.md#per-element-loss,
    docs/semantics.md#weight-broadcast), op by op.
  * The anchor head's classification loss (OpenPCDet AnchorHeadTemplate.get_cls_layer_loss,
    docs/semantics.md#labels-to-targets), including the multi-head variant whose positive and negative anchors
    get pos_cls_weight / neg_cls_weight, the class-agnostic C = 1 case and cls_weight.
  * The point head's classification loss (PointHeadTemplate.get_cls_layer_loss): 1-D labels,
    a batch-global normaliser, no division by the batch size.
  * TransFusion's classification loss: background = C (last one-hot column dropped), weights
    divided by max(positives in the batch, 1).

Layout: src/test/resources/head/index.json lists the cases; each case directory holds

  cls_preds.npy   the raw head output (anchor heads: (B, H, W, K*C); point head: (N, C);
                  TransFusion: (B, P, C))
  labels.npy      box_cls_labels (B, A) / point_cls_labels (N,) / TransFusion labels (B, P)
  loss.npy        torch's per-element loss in float32, shape (B, A, C) / (N, C), already
                  multiplied by the loss weight (cls_weight / point_cls_weight) as --loss-weight does
  loss_f64.npy    the same computed by torch in float64 on float64 copies of the same inputs
  targets.npy     the one-hot targets torch built (float32)
  weights.npy     the weights torch built (float32, divided in float32 as the heads do)
  expected.json   args (the focal eval options of the case), per_sample counts and normalisers,
                  the head's logged loss (rpn_loss_cls / point_loss_cls / loss_cls) from torch in
                  float32 and float64, and the anchor categories counted with numpy

Error cases ("refused": true) hold only their inputs and the exit code and message fragments the
CLI must give; "reference_error" records what the reference raised on them (checked by running it).

The big case ("big": true) stores no tensors: its inputs come from an integer hash formula that
the Java test reproduces exactly (see big_inputs()); only torch's rpn_loss_cls is stored.
"""

import json
import os
import shutil

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "head"))

torch.set_num_threads(1)  # reproducible reductions

GAMMA = 2.0
ALPHA = 0.25


# ------------------------------------------------------------------------------------ reference

def focal(preds, targets, weights):
    """SigmoidFocalClassificationLoss.forward, op by op, in the dtype of its inputs."""
    p = torch.sigmoid(preds)
    alpha_weight = targets * ALPHA + (1 - targets) * (1 - ALPHA)
    pt = targets * (1.0 - p) + (1.0 - targets) * p
    focal_weight = alpha_weight * torch.pow(pt, GAMMA)
    bce = torch.clamp(preds, min=0) - preds * targets + torch.log1p(torch.exp(-torch.abs(preds)))
    loss = focal_weight * bce
    if weights.dim() == 2 or (weights.dim() == 1 and targets.dim() == 2):
        weights = weights.unsqueeze(-1)
    assert weights.dim() == loss.dim()
    return loss * weights


def anchor_head_loss(cls_preds, box_cls_labels, num_class, cls_weight=1.0, pos_cls_weight=None,
                     neg_cls_weight=None, dtype=torch.float32):
    """The anchor head's classification loss. pos/neg_cls_weight given = the multi-head variant.
    Returns (per-element loss before cls_weight, targets, weights, rpn_loss_cls)."""
    preds = cls_preds.to(dtype)
    labels = box_cls_labels.clone()
    B = int(preds.shape[0])
    care = labels >= 0
    pos = labels > 0
    neg = labels == 0
    if pos_cls_weight is None:
        w = (neg * 1.0 + pos * 1.0).float()
    else:
        w = (neg * neg_cls_weight + pos * pos_cls_weight).float()
    if num_class == 1:
        labels[pos] = 1  # class-agnostic: any class counts as the one class
    per_sample_pos = pos.sum(1, keepdim=True).float()
    w = w / torch.clamp(per_sample_pos, min=1.0)
    tgt_idx = labels * care.type_as(labels)
    one_hot = torch.zeros(*labels.shape, num_class + 1, dtype=preds.dtype)
    one_hot.scatter_(-1, tgt_idx.unsqueeze(-1).long(), 1.0)
    one_hot = one_hot[..., 1:]
    preds = preds.view(B, -1, num_class)
    loss = focal(preds, one_hot, w.to(dtype))
    rpn_loss_cls = loss.sum() / B * cls_weight
    return loss, one_hot, w, rpn_loss_cls


def point_head_loss(point_cls_preds, point_cls_labels, num_class, point_cls_weight=1.0,
                    dtype=torch.float32):
    """The point head's classification loss: (N, C) preds, (N,) labels, batch-global normaliser."""
    preds = point_cls_preds.to(dtype).view(-1, num_class)
    labels = point_cls_labels.view(-1)
    pos = labels > 0
    w = ((labels == 0) * 1.0 + pos * 1.0).float()
    w = w / torch.clamp(pos.sum(dim=0).float(), min=1.0)
    one_hot = preds.new_zeros(*labels.shape, num_class + 1)
    one_hot.scatter_(-1, (labels * (labels >= 0).long()).unsqueeze(-1).long(), 1.0)
    one_hot = one_hot[..., 1:]
    loss = focal(preds, one_hot, w.to(dtype))
    point_loss_cls = loss.sum() * point_cls_weight
    return loss, one_hot, w, point_loss_cls


def transfusion_loss(heatmap_preds, labels, num_class, dtype=torch.float32):
    """TransFusion's classification loss: background = num_class, the last one-hot column dropped,
    normalised by max(positives in the whole batch, 1). Returns loss with the normaliser folded
    into the weights, and the loss_cls computed both ways (divided weights / sum then divide)."""
    preds = heatmap_preds.to(dtype)
    care = labels >= 0
    pos = care & (labels != num_class)
    num_pos = pos.sum().float()
    norm = torch.clamp(num_pos, min=1.0)
    w = care.float() / norm
    one_hot = torch.zeros(*labels.shape, num_class + 1, dtype=dtype)
    # ignored labels (< 0) go to the dropped background column, the analogue of the anchor head's
    # labels * cared (which sends them to its dropped column 0): their target rows are all zero
    one_hot.scatter_(-1, torch.where(care, labels, torch.full_like(labels, num_class)).unsqueeze(-1).long(), 1.0)
    one_hot = one_hot[..., :num_class]
    loss = focal(preds, one_hot, w.to(dtype))
    loss_cls = loss.sum()
    unit = focal(preds, one_hot, care.to(dtype))
    loss_cls_after = unit.sum() / max(int(num_pos.item()), 1)
    return loss, one_hot, w, loss_cls, loss_cls_after


# ------------------------------------------------------------------------------------ writing

INDEX = []


def case_dir(name):
    d = os.path.join(OUT_DIR, name)
    os.makedirs(d, exist_ok=True)
    return d


def f64(t):
    return float(t.item()) if isinstance(t, torch.Tensor) else float(t)


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True, allow_nan=True)
        f.write("\n")


def counts(labels2d, num_class, background):
    """Per sample positives, negatives, ignored by the written definitions (numpy)."""
    bg = 0 if background == "first" else num_class
    out = []
    for row in labels2d:
        row = np.asarray(row, dtype=np.float64)
        ign = int((row < 0).sum())
        neg = int((row == bg).sum())
        out.append({"positives": int(row.size - ign - neg), "negatives": neg, "ignored": ign})
    return out


def save_case(name, kind, args, cls_preds, labels, loss32, loss64, targets, weights, extra,
              per_sample, loss_weight):
    d = case_dir(name)
    np.save(os.path.join(d, "cls_preds.npy"), cls_preds)
    np.save(os.path.join(d, "labels.npy"), labels)
    # loss as --loss-weight gives it: the head's per-element loss times its cls_weight (float32 mul)
    np.save(os.path.join(d, "loss.npy"), (loss32 * loss_weight).numpy().astype(np.float32))
    np.save(os.path.join(d, "loss_f64.npy"), (loss64 * loss_weight).numpy().astype(np.float64))
    np.save(os.path.join(d, "targets.npy"), targets.numpy().astype(np.float32))
    np.save(os.path.join(d, "weights.npy"), weights.numpy().astype(np.float32))
    l64 = (loss64 * loss_weight).numpy()
    per_sample_loss = [float(torch.from_numpy(np.ascontiguousarray(l64[b])).sum().item())
                       for b in range(l64.shape[0])] if kind != "point" else [float(l64.sum())]
    for s, v in zip(per_sample, per_sample_loss):
        s["loss_sum"] = v
    exp = {"name": name, "kind": kind, "args": args, "loss_weight": loss_weight,
           "shape": list(loss32.shape), "per_sample": per_sample,
           "sum_f64": float(torch.from_numpy(l64).sum().item())}
    exp.update(extra)
    write_json(os.path.join(d, "expected.json"), exp)
    INDEX.append(name)


def anchor_case(name, rng, B, H, W, K, C, label_dtype, cls_weight=1.0, pos=None, neg=None,
                normalize="per-sample", probs=(0.05, 0.85, 0.10), empty_sample=None):
    """An anchor-head case: raw (B, H, W, K*C) logits and (B, H*W*K) labels with the given
    probabilities of ignored / background / class."""
    A = H * W * K
    logits = (rng.standard_normal((B, H, W, K * C)) * 2.0 - 2.0).astype(np.float32)
    kind = rng.choice(3, size=(B, A), p=list(probs))
    cls = rng.integers(1, (3 if C == 1 else C) + 1, size=(B, A))  # C = 1: labels 1..3 all count
    labels = np.where(kind == 0, -1, np.where(kind == 1, 0, cls))
    if empty_sample is not None:  # a sample with no positives: normaliser max(0, 1) = 1
        row = labels[empty_sample]
        row[row > 0] = 0
    labels = labels.astype(label_dtype)
    lt = torch.from_numpy(labels.astype(np.int64))
    x = torch.from_numpy(logits)
    if normalize == "per-sample":
        loss32, t32, w32, rpn32 = anchor_head_loss(x, lt, C, cls_weight, pos, neg, torch.float32)
        loss64, t64, w64, rpn64 = anchor_head_loss(x, lt, C, cls_weight, pos, neg, torch.float64)
    else:
        assert normalize == "none" and pos is None
        loss32, t32, w32, rpn32 = unnormalised_anchor_loss(x, lt, C, cls_weight, torch.float32)
        loss64, t64, w64, rpn64 = unnormalised_anchor_loss(x, lt, C, cls_weight, torch.float64)
    assert torch.equal(t32.double(), t64) and torch.equal(w32, w64)
    ps = counts(labels.astype(np.int64) if C != 1 else labels, C, "first")
    pos_counts = (lt > 0).sum(1).float()
    for b, s in enumerate(ps):
        s["normalizer"] = float(torch.clamp(pos_counts[b], min=1.0).item()) if normalize == "per-sample" else 1.0
    args = ["--num-classes", str(C), "--normalize", normalize]
    if cls_weight != 1.0:
        args += ["--loss-weight", repr(cls_weight)]
    if pos is not None:
        args += ["--pos-weight", repr(pos), "--neg-weight", repr(neg)]
    anchors = {"positive": int((labels > 0).sum()), "negative": int((labels == 0).sum()),
               "ignored": int((labels < 0).sum())}
    extra = {"rpn_loss_cls_f32": f64(rpn32), "rpn_loss_cls_f64": f64(rpn64), "anchors": anchors,
             "label_dtype": str(labels.dtype)}
    save_case(name, "anchor", args, logits, labels, loss32, loss64, t32, w32, extra, ps, cls_weight)


def unnormalised_anchor_loss(cls_preds, labels, C, cls_weight, dtype):
    """--normalize none: the anchor head's targets with weights 1 for cared anchors, undivided."""
    B = int(cls_preds.shape[0])
    care = labels >= 0
    w = ((labels == 0) * 1.0 + (labels > 0) * 1.0).float()
    lab = labels.clone()
    if C == 1:
        lab[labels > 0] = 1
    one_hot = torch.zeros(*labels.shape, C + 1, dtype=dtype)
    one_hot.scatter_(-1, (lab * care.long()).unsqueeze(-1), 1.0)
    one_hot = one_hot[..., 1:]
    loss = focal(cls_preds.to(dtype).view(B, -1, C), one_hot, w.to(dtype))
    return loss, one_hot, w, loss.sum() / B * cls_weight


def point_case(name, rng, N, C, point_cls_weight=1.0):
    logits = (rng.standard_normal((N, C)) * 2.0 - 1.5).astype(np.float32)
    kind = rng.choice(3, size=N, p=[0.1, 0.6, 0.3])
    labels = np.where(kind == 0, -1, np.where(kind == 1, 0, rng.integers(1, C + 1, size=N))).astype(np.int64)
    x = torch.from_numpy(logits)
    lt = torch.from_numpy(labels)
    loss32, t32, w32, pl32 = point_head_loss(x, lt, C, point_cls_weight, torch.float32)
    loss64, t64, w64, pl64 = point_head_loss(x, lt, C, point_cls_weight, torch.float64)
    assert torch.equal(w32, w64)
    ps = counts(labels[None, :], C, "first")
    ps[0]["normalizer"] = float(max(int((labels > 0).sum()), 1))
    args = ["--num-classes", str(C), "--normalize", "batch"]
    if point_cls_weight != 1.0:
        args += ["--loss-weight", repr(point_cls_weight)]
    anchors = {"positive": int((labels > 0).sum()), "negative": int((labels == 0).sum()),
               "ignored": int((labels < 0).sum())}
    extra = {"point_loss_cls_f32": f64(pl32), "point_loss_cls_f64": f64(pl64), "anchors": anchors,
             "label_dtype": str(labels.dtype)}
    save_case(name, "point", args, logits, labels, loss32, loss64, t32, w32, extra, ps, point_cls_weight)


def transfusion_case(name, rng, B, P, C):
    logits = (rng.standard_normal((B, P, C)) * 2.0 - 2.0).astype(np.float32)
    kind = rng.choice(3, size=(B, P), p=[0.05, 0.75, 0.20])
    labels = np.where(kind == 0, -1, np.where(kind == 1, C, rng.integers(0, C, size=(B, P)))).astype(np.int64)
    x = torch.from_numpy(logits)
    lt = torch.from_numpy(labels)
    loss32, t32, w32, lc32, lca32 = transfusion_loss(x, lt, C, torch.float32)
    loss64, t64, w64, lc64, lca64 = transfusion_loss(x, lt, C, torch.float64)
    assert torch.equal(w32, w64)
    ps = counts(labels, C, "last")
    npos = sum(s["positives"] for s in ps)
    for s in ps:
        s["normalizer"] = float(max(npos, 1))
    anchors = {"positive": npos, "negative": int((labels == C).sum()), "ignored": int((labels < 0).sum())}
    extra = {"loss_cls_f32": f64(lc32), "loss_cls_f64": f64(lc64),
             "loss_cls_sum_then_divide_f32": f64(lca32), "loss_cls_sum_then_divide_f64": f64(lca64),
             "anchors": anchors, "label_dtype": str(labels.dtype)}
    save_case(name, "transfusion", ["--num-classes", str(C), "--background", "last", "--normalize", "batch"],
              logits, labels, loss32, loss64, t32, w32, extra, ps, 1.0)


# ------------------------------------------------------------------------------------ errors

def error_case(name, args, cls_preds, labels, exit_code, fragments, run_reference, note):
    d = case_dir(name)
    np.save(os.path.join(d, "cls_preds.npy"), cls_preds)
    np.save(os.path.join(d, "labels.npy"), labels)
    try:
        run_reference()
        reference_error = None
    except Exception as e:  # the reference's own failure, recorded for the reader
        reference_error = type(e).__name__ + ": " + str(e).splitlines()[0]
    write_json(os.path.join(d, "expected.json"),
               {"name": name, "refused": True, "args": args, "exit": exit_code, "message_contains": fragments,
                "reference_error": reference_error, "note": note})
    INDEX.append(name)
    return reference_error


def error_cases(rng):
    C = 3
    logits = (rng.standard_normal((2, 4, 4, 6)) - 2.0).astype(np.float32)  # A = 4*4*2 = 32
    base = rng.choice([-1, 0, 0, 0, 1, 2, 3], size=(2, 32)).astype(np.int64)

    lab = base.copy()
    lab[1, 17] = 5  # the first label above C ...
    lab[1, 20] = 4  # ... and a later one
    err = error_case("err_label_above_c", ["--num-classes", "3"], logits, lab, 3, ["[1, 17]", "5"],
                     lambda: anchor_head_loss(torch.from_numpy(logits), torch.from_numpy(lab), C),
                     "label 5 > C = 3: the reference's scatter fails")
    assert err is not None, "the reference must refuse labels above C"

    tf_logits = (rng.standard_normal((2, 10, 4)) - 2.0).astype(np.float32)
    tf_lab = rng.choice([-1, 0, 1, 2, 3, 4, 4, 4], size=(2, 10)).astype(np.int64)
    tf_lab[0, 7] = 5  # C + 1 with the background last
    err = error_case("err_background_last_c_plus_1", ["--num-classes", "4", "--background", "last",
                                                      "--normalize", "batch"],
                     tf_logits, tf_lab, 3, ["[0, 7]", "5"],
                     lambda: transfusion_loss(torch.from_numpy(tf_logits), torch.from_numpy(tf_lab), 4),
                     "label 5 = C + 1 with the background last: the reference's scatter fails")
    assert err is not None

    flab = base.astype(np.float32)
    flab[0, 3] = 1.5
    error_case("err_float_label_not_integer", ["--num-classes", "3"], logits, flab, 3, ["[0, 3]", "1.5"],
               lambda: anchor_head_loss(torch.from_numpy(logits), torch.from_numpy(flab).long(), C),
               "a float label that is not an integer: the reference would truncate it silently;"
               " the issue asks for a refusal")

    mlab = base[:, :30].copy()  # logits make 32 anchors per sample, labels have 30
    err = error_case("err_anchor_count", ["--num-classes", "3"], logits, mlab, 3, ["32", "30"],
                     lambda: anchor_head_loss(torch.from_numpy(logits), torch.from_numpy(mlab), C),
                     "logits (2, 4, 4, 6) make 32 anchors per sample with C = 3; labels (2, 30)")
    assert err is not None

    ulab = np.where(base < 0, 0, base).astype(np.uint64)
    ulab[0, 5] = np.uint64(1) << np.uint64(63)  # far above C; a signed 64-bit read makes it negative
    err = error_case("err_uint64_label_above_c", ["--num-classes", "3"], logits, ulab, 3, ["[0, 5]"],
                     lambda: anchor_head_loss(torch.from_numpy(logits), torch.from_numpy(ulab), C),
                     "uint64 label 2**63 > C = 3 (torch cannot even load uint64 arrays); it must be refused"
                     " like any label above C, not taken for a negative (ignored) label")
    assert err is not None

    # logits of batch 4 with labels of batch 2 and the same element count: viewed as (B, -1, C)
    # with the logits' own batch size (as the head does), they make 16 anchors per sample, not 32.
    blog = (rng.standard_normal((4, 2, 4, 6)) - 2.0).astype(np.float32)
    err = error_case("err_batch_mismatch", ["--num-classes", "3"], blog, base, 3, ["16", "32"],
                     lambda: anchor_head_loss(torch.from_numpy(blog), torch.from_numpy(base), C),
                     "logits (4, 2, 4, 6) viewed as (B, -1, C) = (4, 16, 3); labels (2, 32): the anchor"
                     " counts differ (16 vs 32) although the element counts agree")
    assert err is not None

    # flat (B*A, C) logits with (B, A) labels: the head views them as (B*A, -1, C) = (64, 1, 3)
    flog = (rng.standard_normal((64, 3)) - 2.0).astype(np.float32)
    err = error_case("err_flat_logits_with_2d_labels", ["--num-classes", "3"], flog, base, 3, ["32"],
                     lambda: anchor_head_loss(torch.from_numpy(flog), torch.from_numpy(base), C),
                     "logits (64, 3) viewed as (B, -1, C) = (64, 1, 3): 1 anchor per sample; labels (2, 32)")
    assert err is not None


# ------------------------------------------------------------------------------------ big case

BIG_SHAPE = (2, 200, 176, 18)  # C = 3, K = 6: A = 200 * 176 * 6 = 211200 anchors per sample
BIG_C = 3


def fmix32(h):
    """MurmurHash3's 32-bit finaliser on uint32 arrays (wrapping arithmetic; Java: int ops, >>>)."""
    h = h.astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def big_inputs():
    """Deterministic inputs from integer hashes of the flat index i (C order):
         logit[i] = -4.59375 + (fmix32(i * 2654435761 mod 2^32) >> 8) % 1024 / 128   (exact in float32)
         g = fmix32(j ^ 0x5BD1E995) for the flat label index j;  r = (g >> 8) % 1000
         label[j] = -1 if r < 30,  1 + (g >> 20) % 3 if r < 40,  else 0"""
    n = int(np.prod(BIG_SHAPE))
    i = np.arange(n, dtype=np.uint64)
    h = fmix32(((i * np.uint64(2654435761)) & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    logits = (-4.59375 + ((h >> np.uint32(8)) % np.uint32(1024)).astype(np.float64) / 128.0)
    assert (logits.astype(np.float32).astype(np.float64) == logits).all()
    logits = logits.astype(np.float32).reshape(BIG_SHAPE)
    A = BIG_SHAPE[1] * BIG_SHAPE[2] * BIG_SHAPE[3] // BIG_C
    j = np.arange(BIG_SHAPE[0] * A, dtype=np.uint32)
    g = fmix32(j ^ np.uint32(0x5BD1E995))
    r = (g >> np.uint32(8)) % np.uint32(1000)
    cls = 1 + ((g >> np.uint32(20)) % np.uint32(3)).astype(np.int64)
    labels = np.where(r < 30, -1, np.where(r < 40, cls, 0)).astype(np.int64).reshape(BIG_SHAPE[0], A)
    return logits, labels


def big_case():
    logits, labels = big_inputs()
    x = torch.from_numpy(logits)
    lt = torch.from_numpy(labels)
    loss32, t32, w32, rpn32 = anchor_head_loss(x, lt, BIG_C, 1.0, None, None, torch.float32)
    loss64, t64, w64, rpn64 = anchor_head_loss(x, lt, BIG_C, 1.0, None, None, torch.float64)
    ps = counts(labels, BIG_C, "first")
    for s in ps:
        s["normalizer"] = float(max(s["positives"], 1))
    d = case_dir("big_anchor_head")
    # a few values the Java generator must reproduce, to catch a divergent formula early
    probe = [0, 1, 2, 12345, 999999, int(np.prod(BIG_SHAPE)) - 1]
    flat = labels.ravel()
    lprobe = [0, 211199, 211200, flat.size - 1] + [int(np.flatnonzero(flat == v)[0]) for v in (-1, 1, 2, 3)]
    write_json(os.path.join(d, "expected.json"), {
        "name": "big_anchor_head", "big": True, "shape": list(BIG_SHAPE), "args": ["--num-classes", "3"],
        "rpn_loss_cls_f32": f64(rpn32), "rpn_loss_cls_f64": f64(rpn64), "per_sample": ps,
        "logit_probe": {str(k): float(logits.ravel()[k]) for k in probe},
        "label_probe": {str(k): int(labels.ravel()[k]) for k in lprobe},
        "label_sum": int(labels.sum()),
        "logit_sum_f64": float(logits.astype(np.float64).sum()),
    })
    INDEX.append("big_anchor_head")
    return f64(rpn32), f64(rpn64)


# ------------------------------------------------------------------------------------ main

def main():
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)
    rng = np.random.default_rng(20240604)
    # anchor head, C = 3, K = 6, cls_weight 2.0, int64 labels
    anchor_case("anchor_c3", rng, B=2, H=8, W=6, K=6, C=3, label_dtype=np.int64, cls_weight=2.0)
    # class-agnostic anchor head: C = 1, labels in {-1, 0, 1, 2, 3}, cls_weight 1.5, int32 labels
    anchor_case("anchor_c1_agnostic", rng, B=2, H=8, W=6, K=2, C=1, label_dtype=np.int32, cls_weight=1.5)
    # multi-head weights pos 2.0 / neg 0.5, float32 labels, B = 3 with a sample without positives
    anchor_case("anchor_multihead_f32_labels", rng, B=3, H=4, W=5, K=3, C=3, label_dtype=np.float32,
                pos=2.0, neg=0.5, empty_sample=2)
    # anchor head with a sample without positives (normaliser clamps to 1), uint8 would be the same
    anchor_case("anchor_c3_empty_sample", rng, B=2, H=4, W=4, K=2, C=3, label_dtype=np.int32, empty_sample=0)
    # --normalize none
    anchor_case("anchor_normalize_none", rng, B=2, H=4, W=4, K=2, C=3, label_dtype=np.int64, normalize="none")
    # point head: N = 60, C = 3, batch normaliser
    point_case("point_head", rng, N=60, C=3)
    # TransFusion: B = 2, P = 40, C = 4, background last, batch normaliser
    transfusion_case("transfusion", rng, B=2, P=40, C=4)
    error_cases(rng)
    big = big_case()
    write_json(os.path.join(OUT_DIR, "index.json"), {"cases": INDEX, "torch": torch.__version__,
                                                      "numpy": np.__version__})
    print("wrote", len(INDEX), "cases to", OUT_DIR, "; big rpn_loss_cls f32/f64:", big)


if __name__ == "__main__":
    main()
