#!/usr/bin/python3
"""Oracle fixtures for `focal eval` (dev.focal.cli.EvalCommand): whole tensors, their summaries,
weight-shape refusals, bundles and the gradient, all from real PyTorch.

Regenerate with:   /usr/bin/python3 tools/oracle/eval_oracle.py
(needs torch and numpy; deterministic: the same library versions give byte-identical files)

The reference (OpenPCDet's SigmoidFocalClassificationLoss; docs/semantics.md#per-element-loss,
docs/semantics.md#weight-broadcast and docs/semantics.md#gradient) is
re-implemented below op by op in torch; no framework code is copied. Everything a test compares
against comes out of torch (loss, gradient, sums) or out of numpy applied to the written
definitions (anchor categories, counts); nothing is computed by focal.

Layout: src/test/resources/eval/index.json lists the cases; each case is a directory
src/test/resources/eval/<case>/ holding

  logits.npy, targets.npy, weights.npy (if any)   the inputs, as np.save writes them, or
  bundle.npz / bundle.json                        for the bundle cases (inputs.bundle names it)
  loss.npy       torch's per-element loss computed in the inputs' own dtypes (the dtype torch's
                 type promotion gives: float64 if any input is float64, else float32)
  loss_f64.npy   torch's per-element loss on float64 copies of the inputs
  grad_f64.npy   torch autograd d loss.sum() / d logits, on float64 copies of the inputs
  expected.json  see `summary()` below; non-finite numbers as Python json's bare NaN / Infinity

A case may read the logits and targets of an earlier case (its expected.json's inputs name them as
../CASE/logits.npy) and hold only its weights; expected.json's "loss_weight", when present, is
focal's --loss-weight (docs/semantics.md#loss-weight), by which torch's loss was multiplied.

Cases whose expected.json says "refused": true have only their inputs: the reference raised
(checked by running it here and catching the exception, recorded in "reference_error").
The large case ("per_element": false) has no per-element outputs (size): only the summary.
"""

import json
import math
import os
import shutil

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "eval"))

torch.set_num_threads(1)  # reproducible reductions


# ------------------------------------------------------------------------------------ reference

def reference(input, target, weights, gamma, alpha):
    """The reference forward, op by op (docs/semantics.md#per-element-loss, docs/semantics.md#weight-broadcast)."""
    pred_sigmoid = torch.sigmoid(input)
    alpha_weight = target * alpha + (1 - target) * (1 - alpha)
    pt = target * (1.0 - pred_sigmoid) + (1.0 - target) * pred_sigmoid
    focal_weight = alpha_weight * torch.pow(pt, gamma)
    bce = torch.clamp(input, min=0) - input * target + torch.log1p(torch.exp(-torch.abs(input)))
    loss = focal_weight * bce
    if weights.shape.__len__() == 2 or (weights.shape.__len__() == 1 and target.shape.__len__() == 2):
        weights = weights.unsqueeze(-1)
    assert weights.shape.__len__() == loss.shape.__len__()
    return loss * weights


def focal_factor(input, target, gamma):
    """q^gamma as the reference forms it (the summary's focal_mean is its mean)."""
    pred_sigmoid = torch.sigmoid(input)
    pt = target * (1.0 - pred_sigmoid) + (1.0 - target) * pred_sigmoid
    return torch.pow(pt, gamma)


def ones_like_weights(logits):
    """The CLI's default weights ("all ones"): a tensor of ones the reference accepts unchanged."""
    return np.ones(logits.shape, dtype=logits.dtype)


def to_f64(a):
    return np.asarray(a).astype(np.float64)


def num(v):
    """A JSON number (float), NaN and infinities as Python json writes them."""
    return float(v)


def expanded_weights(weights, loss_ndim):
    """The weights after the reference's rule, as numpy (only for accepted shapes)."""
    w = weights
    if w.ndim == 2 or (w.ndim == 1 and loss_ndim == 2):
        w = w[..., None]
    return w


# ------------------------------------------------------------------------------------ summary

def categories(shape, targets, weights):
    """Anchor categories by the written definitions (numpy): an anchor is an index over all axes
    but the last (a 1-D input has one class per element); ignored = all its weights are 0,
    positive = not ignored and some target > 0, negative = the rest. Returns per-element masks."""
    t = to_f64(targets)
    if weights is None:
        wb = np.ones(shape)
    else:
        wb = np.broadcast_to(to_f64(expanded_weights(weights, len(shape))), shape)
    if len(shape) <= 1:
        ignored_a = wb == 0
        positive_a = ~ignored_a & (t > 0)
        elem = lambda m: m
    else:
        ignored_a = (wb == 0).all(axis=-1)
        positive_a = ~ignored_a & (t > 0).any(axis=-1)
        elem = lambda m: np.broadcast_to(m[..., None], shape)
    negative_a = ~ignored_a & ~positive_a
    return {"positive": (positive_a, elem(positive_a)), "negative": (negative_a, elem(negative_a)),
            "ignored": (ignored_a, elem(ignored_a))}, wb


def summary(case, logits, targets, weights, gamma, alpha, loss64, focal64, loss_own):
    shape = logits.shape
    cats, wb = categories(shape, targets, weights)
    t = to_f64(targets)
    x = to_f64(logits)
    l64 = torch.from_numpy(loss64)
    total = l64.sum().item()
    # cross-check torch's sum against a correctly rounded one
    if math.isfinite(total):
        exact = math.fsum(loss64.ravel().tolist())
        assert abs(total - exact) <= 1e-14 * abs(exact), (case, total, exact)
    count = loss64.size
    # torch.mean of an empty tensor is NaN, as is 0 / 0
    mean = total / count if count else float("nan")
    per_batch = total if len(shape) == 0 else (total / shape[0] if shape[0] else float("nan"))
    out = {
        "shape": list(shape),
        "dtype": str(loss_own.dtype),
        "weights": "default" if weights is None else "given",
        "loss": {"sum": num(total), "mean": num(mean), "per_batch": num(per_batch)},
        "anchors": {"total": int(sum(int(c[0].sum()) for c in cats.values()))},
    }
    for k, (amask, emask) in cats.items():
        out["anchors"][k] = int(amask.sum())
    for k, (amask, emask) in cats.items():
        n = int(amask.sum())
        s = torch.from_numpy(loss64[emask]).sum().item()
        ne = int(emask.sum())
        out[k] = {
            "anchors": n,
            "loss_sum": num(s),
            "loss_mean": num(s / n) if n else float("nan"),
            "share": num(s / total) if total != 0 else float("nan"),
            "focal_mean": num(torch.from_numpy(focal64[emask]).sum().item() / ne) if ne else float("nan"),
        }
    ignored_e = cats["ignored"][1]
    if len(shape) <= 1:
        classes = 1
        per_class = [(~ignored_e & (t > 0)).sum()]
        class_loss = [l64.sum().item()]
    else:
        classes = shape[-1]
        pos = ~ignored_e & (t > 0)
        per_class = [pos[..., c].sum() for c in range(classes)]
        class_loss = [torch.from_numpy(np.ascontiguousarray(loss64[..., c])).sum().item() for c in range(classes)]
    out["anchors"]["classes"] = int(classes)
    out["per_class"] = [{"class": c, "positives": int(per_class[c]), "loss_sum": num(class_loss[c])}
                        for c in range(classes)]
    bad = ~np.isfinite(loss64)
    bad_own = ~np.isfinite(loss_own)
    assert (bad == bad_own).all(), case  # the own-dtype and float64 losses agree on where NaN/inf are
    nf = {"logits": int((~np.isfinite(x)).sum()), "loss": int(bad.sum())}
    for k, (amask, emask) in cats.items():
        nf["in_" + k] = int((bad & emask).sum())
    for k, (amask, emask) in cats.items():
        hits = np.flatnonzero((bad & emask).ravel())
        if hits.size:
            nf["first_in_" + k] = [int(i) for i in np.unravel_index(hits[0], shape)]
    out["nonfinite"] = nf
    # --top 3: the three largest losses (torch float64), only where they are unambiguous
    flat = loss64.ravel()
    if np.isfinite(flat).all() and flat.size > 3:
        order = np.argsort(-flat, kind="stable")
        if flat[order[2]] > flat[order[3]] * (1 + 1e-9):
            top = []
            for i in order[:3]:
                idx = [int(v) for v in np.unravel_index(i, shape)]
                top.append({"index": idx, "class": idx[-1] if len(shape) >= 2 else 0,
                            "logit": num(x.ravel()[i]), "target": num(t.ravel()[i]),
                            "weight": num(wb.ravel()[i]), "loss": num(flat[i])})
            out["top"] = top
    return out


# ------------------------------------------------------------------------------------ cases

CASES = []


def case_dir(name):
    d = os.path.join(OUT_DIR, name)
    os.makedirs(d, exist_ok=True)
    return d


def save_inputs(d, logits, targets, weights, store=lambda a: a):
    """np.save of the inputs; `store` can change their layout (Fortran order, byte order) but
    never their values."""
    for name, a in (("logits", logits), ("targets", targets), ("weights", weights)):
        if a is not None:
            stored = store(a)
            assert np.array_equal(np.asarray(stored), a, equal_nan=True) and stored.shape == a.shape
            np.save(os.path.join(d, name + ".npy"), stored)


def write_expected(d, meta):
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=False)
        f.write("\n")


def torch_own(logits, targets, weights, gamma, alpha, loss_weight=1.0):
    """The reference on the inputs in their own dtypes. Returns (loss, note); bool targets make
    the reference raise (`1 - target` is not defined for bool tensors), so those are converted to
    the logits' dtype first, as focal documents it converts integer and bool targets."""
    w = torch.from_numpy(weights if weights is not None else ones_like_weights(logits))
    x = torch.from_numpy(logits)
    try:
        return (reference(x, torch.from_numpy(targets), w, gamma, alpha) * loss_weight).numpy(), None
    except (RuntimeError, TypeError) as e:
        if targets.dtype != np.bool_:
            raise
        loss = (reference(x, torch.from_numpy(targets.astype(logits.dtype)), w, gamma, alpha) * loss_weight).numpy()
        return loss, "the reference raises on bool targets (%s); torch evaluated them converted to %s" % (
            str(e).splitlines()[0], logits.dtype)


def torch_f64(logits, targets, weights, gamma, alpha, loss_weight=1.0):
    """Loss, q^gamma and autograd gradient on float64 copies of the inputs."""
    x = torch.from_numpy(to_f64(logits)).requires_grad_(True)
    t = torch.from_numpy(to_f64(targets))
    w = torch.from_numpy(to_f64(weights) if weights is not None else np.ones(logits.shape))
    loss = reference(x, t, w, gamma, alpha) * loss_weight
    loss.sum().backward()
    focal = focal_factor(x.detach(), t, gamma)
    return loss.detach().numpy(), focal.numpy(), x.grad.numpy()


def accepted(name, logits, targets, weights, gamma=2.0, alpha=0.25, description="", bundle=None,
             per_element=True, top=False, store=lambda a: a, loss_weight=1.0, inputs_from=None):
    """An accepted case. `loss_weight` multiplies the reference's loss per element (focal's
    --loss-weight, docs/semantics.md#loss-weight); `inputs_from` names an earlier case whose input
    files this one reads (it saves none of its own)."""
    d = case_dir(name)
    loss_own, note = torch_own(logits, targets, weights, gamma, alpha, loss_weight)
    loss64, focal64, grad64 = torch_f64(logits, targets, weights, gamma, alpha, loss_weight)
    assert loss_own.shape == logits.shape and loss64.shape == logits.shape, name
    natural = np.float64 if any(a is not None and a.dtype == np.float64 for a in (logits, targets, weights)) \
        else np.float32
    assert loss_own.dtype == natural, (name, loss_own.dtype)
    if inputs_from is not None:
        assert weights is not None, name  # the case's own input is its weights
        prefix = "../" + inputs_from + "/"
        np.save(os.path.join(d, "weights.npy"), weights)
        inputs = {"logits": prefix + "logits.npy", "targets": prefix + "targets.npy", "weights": "weights.npy"}
    elif bundle is None:
        save_inputs(d, logits, targets, weights, store)
        inputs = {"logits": "logits.npy", "targets": "targets.npy",
                  "weights": "weights.npy" if weights is not None else None}
    else:
        inputs = {"bundle": bundle}
    if per_element:
        np.save(os.path.join(d, "loss.npy"), loss_own)
        np.save(os.path.join(d, "loss_f64.npy"), loss64)
        np.save(os.path.join(d, "grad_f64.npy"), grad64)
    meta = {"case": name, "description": description, "gamma": gamma, "alpha": alpha,
            "inputs": inputs, "input_dtypes": {"logits": str(logits.dtype), "targets": str(targets.dtype),
                                               "weights": None if weights is None else str(weights.dtype)},
            "refused": False, "per_element": per_element}
    if loss_weight != 1.0:
        meta["loss_weight"] = loss_weight
    if note:
        meta["reference_note"] = note
    meta.update(summary(name, logits, targets, weights, gamma, alpha, loss64, focal64, loss_own))
    if not top:
        meta.pop("top", None)
    write_expected(d, meta)
    CASES.append(name)
    return meta


def refused(name, logits, targets, weights, description, gamma=2.0, alpha=0.25, expect=AssertionError):
    """A weight shape the reference refuses: run it (own dtypes and float64) and keep the error."""
    d = case_dir(name)
    errors = []
    for conv in (lambda a: a, to_f64):
        try:
            reference(torch.from_numpy(conv(logits)), torch.from_numpy(conv(targets)),
                      torch.from_numpy(np.asarray(conv(weights))), gamma, alpha)
        except expect as e:
            errors.append("%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
            continue
        raise SystemExit("%s: the reference accepted weights %s for targets %s"
                         % (name, weights.shape, targets.shape))
    save_inputs(d, logits, targets, weights)
    meta = {"case": name, "description": description, "gamma": gamma, "alpha": alpha,
            "inputs": {"logits": "logits.npy", "targets": "targets.npy", "weights": "weights.npy"},
            "refused": True, "refused_by": "weights", "reference_error": errors[0],
            "shape": list(logits.shape), "weights_shape": list(np.shape(weights))}
    write_expected(d, meta)
    CASES.append(name)


rng = np.random.default_rng(20240603)
PRIOR = -math.log((1 - 0.01) / 0.01)


def anchor_head(B, A, C, pos_frac=0.05, ign_frac=0.1, dtype=np.float32):
    """Logits, one-hot targets, (B, A) weights and labels, as OpenPCDet's anchor head builds them."""
    labels = np.zeros((B, A), dtype=np.int64)
    for b in range(B):
        u = rng.random(A)
        labels[b][u < ign_frac] = -1
        npos = max(1, int(round(A * pos_frac)))
        pos = rng.choice(A, size=npos, replace=False)
        labels[b][pos] = rng.integers(1, C + 1, size=npos)
    logits = PRIOR + 1.5 * rng.standard_normal((B, A, C))
    for b in range(B):
        for a in np.nonzero(labels[b] > 0)[0]:
            logits[b, a, labels[b, a] - 1] += rng.uniform(1.0, 7.0)
    positive = labels > 0
    cared = labels >= 0
    weights = cared.astype(np.float64) / np.clip(positive.sum(1, keepdims=True), 1, None)
    targets = np.eye(C + 1)[labels * cared][..., 1:]
    return logits.astype(dtype), targets.astype(dtype), weights.astype(dtype), labels


def point_head(N, C, dtype=np.float32):
    labels = rng.integers(0, C + 1, size=N)
    labels[rng.random(N) < 0.6] = 0
    labels[rng.random(N) < 0.1] = -1
    logits = PRIOR + 2.0 * rng.standard_normal((N, C))
    for i in np.nonzero(labels > 0)[0]:
        logits[i, labels[i] - 1] += rng.uniform(1.0, 6.0)
    positive = labels > 0
    weights = (labels >= 0).astype(np.float64) / max(positive.sum(), 1)
    targets = np.eye(C + 1)[labels * (labels >= 0)][..., 1:]
    return logits.astype(dtype), targets.astype(dtype), weights.astype(dtype)


# Special logits: far out (1e4), the float32 exp overflow edge (88.7), float32 sigmoid saturation
# (17), zero and tiny (1e-8), and some ordinary values including OpenPCDet's prior bias.
SPECIAL_X = [1e4, -1e4, 88.7, -88.7, 17.0, -17.0, 0.0, 1e-8, -1e-8, 0.5, -0.5, 2.3, -2.3, PRIOR, 5.0]
GRID_T = [0.0, 1.0, 0.3]
GAMMAS = [0.0, 1.5, 2.0, 5.0]
ALPHAS = [0.0, 0.25, 1.0]


def grid(dtype):
    """(15, 3): row i has logit SPECIAL_X[i] in every class, targets (0, 1, 0.3); point-head weights."""
    n = len(SPECIAL_X)
    logits = np.repeat(np.array(SPECIAL_X)[:, None], 3, axis=1).astype(dtype)
    targets = np.tile(np.array(GRID_T), (n, 1)).astype(dtype)
    weights = np.array([[1.0, 0.5, 2.0][i % 3] for i in range(n)]).astype(dtype)
    return logits, targets, weights


def main():
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)

    # ---- anchor head (B, A, C) with (B, A) weights: ignored anchors, ~5 % positives
    lg, tg, wt, labels = anchor_head(2, 50, 3)
    accepted("anchor_head", lg, tg, wt, description="anchor head (2, 50, 3), weights (2, 50) with per-sample"
             " normaliser, ~5% positives, ~10% ignored; weights get a trailing axis", top=True)
    # ---- other accepted 3-D weight shapes (ordinary broadcasting)
    w_full = (wt[..., None] * rng.uniform(0.5, 2.0, size=(2, 50, 3))).astype(np.float32)
    w_full[0, 3, :] = 0  # an anchor ignored through its full weights
    partly = np.flatnonzero(wt[1] > 0)[0]
    w_full[1, partly, 0] = 0  # a zero weight in an anchor that others keep: not ignored
    accepted("weights_full", lg, tg, w_full, description="weights (2, 50, 3), as is", top=True)
    accepted("weights_b_a_1", lg, tg, wt[..., None].copy(), description="weights (2, 50, 1), broadcast over classes")
    accepted("weights_1_1_c", lg, tg, np.array([[[0.5, 1.0, 2.0]]], dtype=np.float32),
             description="weights (1, 1, 3), per-class weights broadcast over batch and anchors")
    accepted("weights_1_1_c_zero", lg, tg, np.array([[[0.0, 0.0, 0.0]]], dtype=np.float32),
             description="weights (1, 1, 3) all zero: every anchor ignored")
    accepted("weights_1_a", lg, tg, wt[:1].copy(),
             description="2-D weights (1, 50): trailing axis, then broadcast over the batch")
    accepted("weights_b_1", lg, tg, np.array([[0.5], [2.0]], dtype=np.float32),
             description="2-D weights (2, 1): trailing axis, then broadcast over anchors and classes")
    # ---- point head (N, C) with (N,) weights
    pl, pt_, pw = point_head(40, 3)
    accepted("point_head", pl, pt_, pw, description="point head (40, 3), weights (40,) get a trailing axis",
             gamma=2.0, alpha=0.25, top=True)
    # ---- 1-D (N,) with (N,)
    vl = (rng.standard_normal(30) * 3).astype(np.float32)
    vt = (rng.random(30) < 0.3).astype(np.float32)
    vw = rng.uniform(0, 2, size=30).astype(np.float32)
    vw[[4, 9]] = 0
    accepted("vector", vl, vt, vw, description="1-D (30,) with weights (30,), elementwise; one class", top=True)
    accepted("vector_w1", vl, vt, np.array([0.5], dtype=np.float32), description="1-D (30,) with weights (1,)")
    # ---- 0-d everything: the weights' ndim (0) equals the loss's, so the reference accepts them
    accepted("scalar", np.array(-1.5, dtype=np.float32), np.array(1.0, dtype=np.float32),
             np.array(0.5, dtype=np.float32), description="0-d logits, targets and weights: the reference's"
             " assertion 0 == 0 holds (docs/semantics.md#weight-broadcast refuses 0-d weights only beside targets of ndim >= 1)")
    accepted("scalar_no_weights", np.array(2.5, dtype=np.float64), np.array(0.0, dtype=np.float64), None,
             description="0-d logits and targets, no weights")
    # ---- 4-D accepted
    l4 = (PRIOR + 2 * rng.standard_normal((2, 4, 5, 3))).astype(np.float32)
    t4 = (rng.random((2, 4, 5, 3)) < 0.1).astype(np.float32)
    w4 = rng.uniform(0.1, 1.0, size=(2, 4, 5, 1)).astype(np.float32)
    w4[1, 2, 3, 0] = 0
    accepted("four_d", l4, t4, w4, description="4-D (2, 4, 5, 3) with 4-D weights (2, 4, 5, 1)")

    # ---- refused weight shapes (docs/semantics.md#weight-broadcast)
    refused("refused_3d_w1", lg, tg, np.ones(3, dtype=np.float32),
            "3-D targets with 1-D weights (3,): no trailing axis, ndim 1 != 3")
    refused("refused_3d_w1_anchors", lg, tg, np.ones(100, dtype=np.float32),
            "3-D targets with 1-D weights (100,) = B*A: ndim 1 != 3")
    refused("refused_2d_wNC", pl, pt_, np.ones((40, 3), dtype=np.float32),
            "2-D targets with (N, C) weights: trailing axis makes them 3-D")
    refused("refused_2d_wN1", pl, pt_, np.ones((40, 1), dtype=np.float32),
            "2-D targets with (N, 1) weights: trailing axis makes them 3-D")
    refused("refused_0d", lg, tg, np.array(1.0, dtype=np.float32), "0-d weights with 3-D targets")
    refused("refused_0d_vector", vl, vt, np.array(0.5, dtype=np.float32), "0-d weights with 1-D targets")
    refused("refused_4d_w3", l4, t4, np.ones((2, 4, 5), dtype=np.float32), "4-D targets with 3-D weights (2, 4, 5)")
    refused("refused_4d_w2", l4, t4, np.ones((2, 4), dtype=np.float32),
            "4-D targets with 2-D weights (2, 4): trailing axis makes them 3-D, not 4-D")
    refused("refused_1d_w2", vl, vt, np.ones((30, 1), dtype=np.float32),
            "1-D targets with 2-D weights (30, 1): trailing axis makes them 3-D")
    refused("refused_3d_w4", lg, tg, np.ones((2, 50, 3, 1), dtype=np.float32), "3-D targets with 4-D weights")
    refused("refused_3d_w2_AC", lg, tg, np.ones((50, 3), dtype=np.float32),
            "3-D targets with 2-D weights (A, C) = (50, 3): the trailing axis makes (50, 3, 1), which does"
            " not broadcast to (2, 50, 3)", expect=RuntimeError)
    refused("refused_broadcast", lg, tg, np.ones((2, 50, 2), dtype=np.float32),
            "3-D weights (2, 50, 2) that do not broadcast to (2, 50, 3)", expect=RuntimeError)

    # ---- logits / targets shape mismatch: the reference broadcasts silently, focal refuses
    d = case_dir("shape_mismatch")
    mt = tg[..., :1].copy()
    silently = reference(torch.from_numpy(lg), torch.from_numpy(mt), torch.from_numpy(wt), 2.0, 0.25)
    save_inputs(d, lg, mt, wt)
    write_expected(d, {"case": "shape_mismatch", "gamma": 2.0, "alpha": 0.25,
                       "description": "logits (2, 50, 3), targets (2, 50, 1): the reference broadcasts them"
                                      " silently to %s; focal must refuse" % (tuple(silently.shape),),
                       "inputs": {"logits": "logits.npy", "targets": "targets.npy", "weights": "weights.npy"},
                       "refused": True, "refused_by": "shape_mismatch",
                       "shape": list(lg.shape), "targets_shape": list(mt.shape),
                       "reference_result_shape": list(silently.shape)})
    CASES.append("shape_mismatch")

    # ---- gamma x alpha grid on special logits, float32 and float64 inputs
    for dtype, tag in ((np.float32, "f32"), (np.float64, "f64")):
        gl, gt, gw = grid(dtype)
        for g in GAMMAS:
            for a in ALPHAS:
                accepted("grid_%s_g%s_a%s" % (tag, g, a), gl, gt, gw, gamma=g, alpha=a,
                         description="logits %s x targets (0, 1, 0.3), %s, gamma %s, alpha %s"
                                     % (SPECIAL_X, tag, g, a))

        # gamma < 1: autograd's d q^gamma / dq = gamma q^(gamma-1) is inf where q is exactly 0
        # (x = +-1e4 on the confident side), giving NaN gradients where the true one underflows
        accepted("grid_%s_g0.5_a0.25" % tag, gl, gt, gw, gamma=0.5, alpha=0.25,
                 description="the grid at gamma 0.5 (degenerate: autograd NaN where q == 0)")

    # ---- soft targets
    sl = (rng.standard_normal((2, 30, 3)) * 4).astype(np.float64)
    st = rng.random((2, 30, 3))
    st[:, ::4, :] = 0  # some negative anchors
    sw = rng.uniform(0, 1, size=(2, 30))
    sw[1, 7] = 0
    accepted("soft_targets", sl, st, sw, gamma=1.5, alpha=0.25, top=True,
             description="soft targets in [0, 1), float64, gamma 1.5")
    accepted("soft_targets_f32", sl.astype(np.float32), st.astype(np.float32), sw.astype(np.float32),
             gamma=2.0, alpha=0.25, description="soft targets in [0, 1), float32")

    # ---- dtypes
    lab = labels  # int64 (2, 50)
    onehot_i64 = np.eye(4, dtype=np.int64)[lab * (lab >= 0)][..., 1:]
    accepted("int_targets_weights", lg, onehot_i64, (lab >= 0).astype(np.int64),
             description="float32 logits, int64 targets and int64 (2, 50) weights: float32 result")
    accepted("bool_targets_weights", lg, onehot_i64.astype(np.bool_), (lab >= 0),
             description="float32 logits, bool targets and bool weights (the reference raises on bool"
                         " targets; torch evaluated them converted)")
    accepted("uint8_targets_f64_logits", lg.astype(np.float64), onehot_i64.astype(np.uint8), wt,
             description="float64 logits, uint8 targets, float32 weights: float64 result")
    accepted("mixed_f32_logits_f64_targets", lg, tg.astype(np.float64), wt,
             description="float32 logits with float64 targets: torch promotes to float64")
    accepted("mixed_f64_weights", lg, tg, wt.astype(np.float64),
             description="float32 logits and targets with float64 weights: torch promotes to float64")

    # ---- layouts: Fortran order and big-endian .npy files (same values)
    accepted("fortran_order", lg, tg, w_full, store=np.asfortranarray,
             description="the weights_full inputs saved in Fortran order (np.asfortranarray)")
    accepted("big_endian", lg, tg, wt, store=lambda a: a.astype(a.dtype.newbyteorder(">")),
             description="the anchor_head inputs saved big-endian ('>f4')")
    # ---- zero-size inputs
    accepted("zero_size", np.zeros((2, 0, 3), np.float32), np.zeros((2, 0, 3), np.float32),
             np.zeros((2, 0), np.float32), description="(2, 0, 3) with weights (2, 0): no anchors, sum 0, mean NaN")
    accepted("zero_size_vector", np.zeros(0, np.float64), np.zeros(0, np.float64), None,
             description="(0,) without weights: sum 0, mean and per_batch NaN (0 / 0)")
    # ---- targets outside [0, 1] and alpha outside [0, 1]: evaluated as written (q may be negative)
    ol_ = (rng.standard_normal((2, 8, 3)) * 3).astype(np.float32)
    ot_ = rng.choice(np.array([-0.5, 0.0, 1.0, 1.5, 2.0], dtype=np.float32), size=(2, 8, 3))
    ow_ = rng.uniform(0.5, 1.5, size=(2, 8)).astype(np.float32)
    accepted("targets_out_of_range", ol_, ot_, ow_, gamma=2.0, alpha=1.5,
             description="targets in {-0.5, 0, 1, 1.5, 2}, alpha 1.5, gamma 2")
    accepted("targets_out_of_range_g1.5", ol_.astype(np.float64), ot_.astype(np.float64), ow_.astype(np.float64),
             gamma=1.5, alpha=-0.5, description="targets in {-0.5, 0, 1, 1.5, 2}, alpha -0.5, gamma 1.5:"
             " negative q gives NaN from pow")

    # ---- non-finite logits
    nl, nt, nw, nlab = anchor_head(2, 10, 3, pos_frac=0.2, ign_frac=0.0)
    nw[0, 2] = 0  # ignored anchor with a NaN logit
    nl[0, 2, 1] = np.nan
    pos = np.argwhere(nlab > 0)
    b, a = pos[0]
    c = nlab[b, a] - 1
    nl[b, a, c] = np.inf                 # positive, t = 1: inf - inf = NaN
    nl[b, a, (c + 1) % 3] = -np.inf      # positive anchor, t = 0: -(-inf * 0) = NaN
    b, a = pos[-1]
    c = nlab[b, a] - 1
    nl[b, a, c] = -np.inf                # t = 1: loss = +inf
    neg = np.argwhere(nlab == 0)
    nl[tuple(neg[0])][0] = np.inf         # negative, t = 0: inf - inf * 0 = NaN
    nl[tuple(neg[1])][1] = -np.inf        # negative, t = 0: NaN
    nl[tuple(neg[2])][2] = np.nan         # negative: NaN
    accepted("nonfinite", nl, nt, nw, description="NaN and +-inf logits in positive, negative and ignored anchors")
    accepted("nonfinite_f64", nl.astype(np.float64), nt.astype(np.float64), nw.astype(np.float64),
             gamma=0.0, alpha=1.0, description="the same non-finite logits, float64, gamma 0, alpha 1")
    il, it, iw, _ = anchor_head(2, 20, 3, pos_frac=0.1, ign_frac=0.2)
    ign = np.argwhere(iw == 0)
    il[tuple(ign[1])][2] = np.nan
    accepted("nan_on_ignored", il, it, iw, description="one NaN logit on an ignored anchor: the reference's"
             " total is NaN (0 * NaN)")

    # ---- no weights
    ol, ot, _, _ = anchor_head(2, 20, 3, pos_frac=0.1, ign_frac=0.0)
    accepted("no_weights", ol, ot, None, description="no weights: all ones, nothing ignored", top=True)
    accepted("no_weights_vector_f64", vl.astype(np.float64), vt.astype(np.float64), None, gamma=5.0, alpha=1.0,
             description="1-D float64, no weights, gamma 5, alpha 1")

    # ---- bundles
    bl, bt, bw, _ = anchor_head(2, 40, 3)
    meta = accepted("bundle_npz", bl, bt, bw, bundle="bundle.npz",
                    description="np.savez bundle with keys logits, targets, weights")
    np.savez(os.path.join(OUT_DIR, "bundle_npz", "bundle.npz"), logits=bl, targets=bt, weights=bw)
    accepted("bundle_npz_alias", bl, bt, bw, bundle="bundle.npz",
             description="np.savez bundle with the alias keys cls_preds, one_hot_targets, cls_weights")
    np.savez(os.path.join(OUT_DIR, "bundle_npz_alias", "bundle.npz"), cls_preds=bl, one_hot_targets=bt,
             cls_weights=bw)
    accepted("bundle_npz_compressed", bl, bt, None, bundle="bundle.npz",
             description="np.savez_compressed bundle (deflated members) with logits and targets only")
    np.savez_compressed(os.path.join(OUT_DIR, "bundle_npz_compressed", "bundle.npz"), logits=bl, targets=bt)
    jl = np.round(PRIOR + 2 * rng.standard_normal((2, 6, 3)), 4).tolist()
    jlab = rng.integers(-1, 4, size=(2, 6))
    jt = np.eye(4, dtype=np.int64)[jlab * (jlab >= 0)][..., 1:].tolist()
    jw = ((jlab >= 0) / np.clip((jlab > 0).sum(1, keepdims=True), 1, None)).tolist()
    bundle = {"logits": jl, "targets": jt, "weights": jw}
    # numpy's inference for these Python lists is what the tensors are: float64, int64, float64
    accepted("bundle_json", np.array(jl), np.array(jt), np.array(jw), bundle="bundle.json",
             description="JSON bundle (json.dump of nested lists): float64 logits, int64 targets, float64 weights")
    with open(os.path.join(OUT_DIR, "bundle_json", "bundle.json"), "w") as f:
        json.dump(bundle, f)
    accepted("bundle_json_no_weights", np.array(jl), np.array(jt), None, bundle="bundle.json",
             description="JSON bundle without weights")
    with open(os.path.join(OUT_DIR, "bundle_json_no_weights", "bundle.json"), "w") as f:
        json.dump({"logits": jl, "targets": jt}, f)

    # ---- large: more than one range of 65536 elements (thread determinism); summary only
    ll, lt, lw, _ = anchor_head(2, 12000, 3, pos_frac=0.01, ign_frac=0.03)
    accepted("large", ll, lt.astype(np.uint8), lw, per_element=False,
             description="(2, 12000, 3) float32 logits, uint8 targets, (2, 12000) weights: 72000 elements")
    # ---- the large inputs with weights (1, 12000, 1): a broadcast read from the middle of each range
    accepted("large_weights_1_a_1", ll, lt.astype(np.uint8),
             rng.uniform(0.25, 2.0, size=(1, 12000, 1)).astype(np.float32), per_element=False, inputs_from="large",
             description="the large case's logits and targets with weights (1, 12000, 1), broadcast over the batch"
                         " and the classes")

    # ---- a loss weight, on weights per element over more than one block of anchors
    kl, kt, kw, _ = anchor_head(2, 700, 3, pos_frac=0.05, ign_frac=0.05)
    kw_full = (kw[..., None] * rng.uniform(0.5, 2.0, size=(2, 700, 3))).astype(np.float32)
    kw_full[0, np.flatnonzero(kw[0] > 0)[:5], 0] = 0  # anchors that keep their other classes' weights
    accepted("loss_weight", kl, kt, kw_full, loss_weight=2.5, top=True,
             description="(2, 700, 3) with weights (2, 700, 3), --loss-weight 2.5: the loss and the gradient"
                         " times 2.5 per element")

    # ---- more classes than a block holds anchors of four
    ml = (PRIOR + 2 * rng.standard_normal((2, 6, 1100))).astype(np.float32)
    mt = np.zeros((2, 6, 1100), dtype=np.uint8)
    mt[0, 1, 17] = mt[1, 4, 1099] = 1
    accepted("many_classes", ml, mt, None, per_element=False,
             description="(2, 6, 1100): 1100 classes, uint8 targets, no weights")

    with open(os.path.join(OUT_DIR, "index.json"), "w") as f:
        json.dump({"format": "focal-eval-oracle/1",
                   "generated_with": {"torch": torch.__version__, "numpy": np.__version__,
                                      "script": "tools/oracle/eval_oracle.py"},
                   "cases": CASES}, f, indent=1)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(r, n)) for r, _, fs in os.walk(OUT_DIR) for n in fs)
    print("%d cases, %d bytes in %s" % (len(CASES), total, OUT_DIR))


if __name__ == "__main__":
    main()
