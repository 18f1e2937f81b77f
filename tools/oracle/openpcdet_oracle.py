#!/usr/bin/python3
"""Fixtures from OpenPCDet's own head code (issue 24): the separate multi-head anchor head,
TransFusion's raw (B, C, P) class logits, and the reference's refusals and broadcasts that the
README states.

Regenerate with:   /usr/bin/python3 tools/oracle/openpcdet_oracle.py [OPENPCDET_CHECKOUT]
(default checkout: /work/openpcdet, commit 8caccce of open-mmlab/OpenPCDet; needs torch and numpy;
deterministic: the same library versions give byte-identical files)

Unlike head_oracle.py, nothing of the framework is re-implemented here: the loss code that runs is
OpenPCDet's, imported from the checkout (added to sys.path, never modified):

  * AnchorHeadMulti.get_cls_layer_loss (pcdet/models/dense_heads/anchor_head_multi.py), called
    on a minimal object holding what the method reads (model_cfg.LOSS_CONFIG, forward_ret_dict,
    num_class, rpn_heads[i].num_class, separate_multihead) and the cls_loss_func that
    AnchorHeadTemplate.build_losses makes; building the whole head would need anchors, target
    assigners and box coders that the classification loss never touches.
  * TransFusionHead.loss (pcdet/models/dense_heads/transfusion_head.py), on the same kind of
    object, whose get_targets returns fixed labels instead of running the Hungarian assigner
    (which needs scipy and the compiled IoU op).
  * PointHeadTemplate.get_cls_layer_loss and SigmoidFocalClassificationLoss.forward
    (pcdet/utils/loss_utils.py) for the README's statements about refusals and broadcasts.

Stubs stand in only for what cannot be imported here: the package __init__ files that import
every detector (pcdet, pcdet.models, pcdet.models.dense_heads), the compiled CUDA ops
(iou3d_nms_cuda, roiaware_pool3d_cuda), and packages absent from Debian's python3 (SharedArray,
scipy, numba, easydict); none of them is called by the code paths above.

Layout: src/test/resources/openpcdet/index.json lists the cases; each case directory holds its
inputs (head0.npy, head1.npy, ... per head; labels.npy; for a multi-head also head.pt, a torch.save
of {"cls_preds": [the heads' tensors], "box_cls_labels": labels} as the head's forward_ret_dict holds them), expected.json (args: focal's options;
the head's logged number from the real code, float32, and the same code run on float64 copies;
per-head figures; a multi-head's means over the elements its heads' loss calls returned, A_h * C_h a
head, and the mean focal factor of each anchor kind) and loss.npy / loss_f64.npy (the per-element loss the real cls_loss_func
returned, times cls_weight as --loss-weight applies it, laid out as focal's --out).
"""

import json
import os
import shutil
import sys
import types

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "openpcdet"))
OPENPCDET = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "/work/openpcdet")

torch.set_num_threads(1)  # reproducible reductions


# ------------------------------------------------------------------------------------ imports

def stub(name, package_dir=None, **attrs):
    m = types.ModuleType(name)
    if package_dir is not None:
        m.__path__ = [package_dir]  # submodules load from the checkout; the __init__ does not run
    for k, v in attrs.items():
        setattr(m, k, v)
    sys.modules[name] = m
    return m


def unavailable(*args, **kwargs):
    raise RuntimeError("a stubbed op was called")


class EasyDict(dict):
    """easydict.EasyDict's behaviour as the heads use it: keys read as attributes."""

    def __init__(self, d=None, **kw):
        super().__init__()
        for k, v in dict(d or {}, **kw).items():
            self[k] = EasyDict(v) if isinstance(v, dict) else v

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError as e:
            raise AttributeError(k) from e


def import_openpcdet():
    sys.path.insert(0, OPENPCDET)
    pcdet = os.path.join(OPENPCDET, "pcdet")
    stub("pcdet", pcdet)
    stub("pcdet.models", os.path.join(pcdet, "models"))
    stub("pcdet.models.dense_heads", os.path.join(pcdet, "models", "dense_heads"))
    stub("pcdet.ops.iou3d_nms.iou3d_nms_cuda")
    stub("pcdet.ops.roiaware_pool3d.roiaware_pool3d_cuda")
    for missing in ("SharedArray", "scipy", "numba", "easydict"):
        try:
            __import__(missing)
        except ImportError:
            stub(missing)
    sys.modules["SharedArray"].__dict__.setdefault("create", unavailable)
    if not hasattr(sys.modules["scipy"], "optimize"):
        sys.modules["scipy"].optimize = stub("scipy.optimize", linear_sum_assignment=unavailable)
        sys.modules["scipy"].spatial = stub("scipy.spatial", Delaunay=unavailable)
    if not hasattr(sys.modules["numba"], "jit"):
        sys.modules["numba"].jit = lambda *a, **k: (lambda f: f)
    if not hasattr(sys.modules["easydict"], "EasyDict"):
        sys.modules["easydict"].EasyDict = EasyDict
    from pcdet.models.dense_heads import anchor_head_multi, anchor_head_template, point_head_template
    from pcdet.models.dense_heads import transfusion_head
    from pcdet.utils import loss_utils
    return anchor_head_multi, anchor_head_template, point_head_template, transfusion_head, loss_utils


MULTI, TEMPLATE, POINT, TRANSFUSION, LOSS_UTILS = import_openpcdet()
ED = sys.modules["easydict"].EasyDict


# ------------------------------------------------------------------------------------ writing

INDEX = []


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True, allow_nan=True)
        f.write("\n")


def case_dir(name):
    d = os.path.join(OUT_DIR, name)
    os.makedirs(d, exist_ok=True)
    INDEX.append(name)
    return d


class Recording(torch.nn.Module):
    """The real cls_loss_func, keeping what each call returned (one call per head)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.calls = []
        self.inputs = []

    def forward(self, *args, **kwargs):
        out = self.inner(*args, **kwargs)
        self.calls.append(out.detach().clone())
        self.inputs.append([a.detach().clone() for a in list(args) + list(kwargs.values())])
        return out


# ------------------------------------------------------------------------------------ multi-head

def multihead_loss(heads, labels, head_classes, separate, pos, neg, cls_weight, dtype):
    """AnchorHeadMulti.get_cls_layer_loss on a minimal self; returns (rpn_loss_cls, per-head losses)."""
    owner = torch.nn.Module()
    # code_weights None: the regression loss would move them to CUDA, and the classification never reads them
    TEMPLATE.AnchorHeadTemplate.build_losses(owner, ED({"LOSS_WEIGHTS": {"code_weights": None}}))
    weights = {"cls_weight": cls_weight, "code_weights": [1.0] * 7}
    if pos is not None:
        weights.update(pos_cls_weight=pos, neg_cls_weight=neg)
    recording = Recording(owner.cls_loss_func)
    me = types.SimpleNamespace(
        model_cfg=ED({"LOSS_CONFIG": {"LOSS_WEIGHTS": weights}}),
        forward_ret_dict={"cls_preds": [torch.from_numpy(h).to(dtype) for h in heads],
                          "box_cls_labels": torch.from_numpy(labels.astype(np.int64))},
        num_class=sum(head_classes) if separate else head_classes[0],
        rpn_heads=[types.SimpleNamespace(num_class=c) for c in head_classes],
        separate_multihead=separate, cls_loss_func=recording)
    loss, tb = MULTI.AnchorHeadMulti.get_cls_layer_loss(me)
    assert abs(tb["rpn_loss_cls"] - loss.item()) == 0
    if dtype == torch.float64:
        return loss, recording.calls, recording.inputs
    return loss, recording.calls


def element_figures(calls, inputs, cls_weight, gamma=2.0):
    """The summary's means over the elements the heads' loss calls returned (A_h * C_h a head), from
    the real calls: loss.mean, and per anchor kind (ignored: every weight 0; positive: a target
    above 0; negative: the rest, docs/semantics.md#anchor-kinds) the mean focal factor
    q^gamma, q = t (1 - p) + (1 - t) p over the input and target each call received."""
    total = sum(c.sum().item() for c in calls) * cls_weight
    elements = sum(c.numel() for c in calls)
    focal = {"positive": 0.0, "negative": 0.0, "ignored": 0.0}
    count = {"positive": 0, "negative": 0, "ignored": 0}
    for (x, t, w) in inputs:
        p = torch.sigmoid(x)
        q = (t * (1 - p) + (1 - t) * p) ** gamma
        ignored = (w == 0)
        positive = ~ignored & (t > 0).any(dim=-1)
        negative = ~ignored & ~positive
        for kind, mask in (("positive", positive), ("negative", negative), ("ignored", ignored)):
            focal[kind] += q[mask].sum().item()
            count[kind] += int(mask.sum().item()) * x.shape[-1]
    return {"elements": elements, "mean_f64": total / elements,
            "focal_mean_f64": {k: focal[k] / count[k] if count[k] else None for k in focal},
            "kind_elements": count}


def multihead_case(name, rng, B, anchors, head_classes, separate, pos=None, neg=None, cls_weight=1.0,
                   empty_sample=None, foreign=0):
    """Heads of A_h anchors and C_h classes; head h's positive anchors carry its own classes (as
    the target assigner gives them), but for `foreign` anchors labelled with another head's class."""
    C = sum(head_classes) if separate else head_classes[0]
    heads = [(rng.standard_normal((B, a, c)) * 2.0 - 2.0).astype(np.float32)
             for a, c in zip(anchors, head_classes)]
    parts = []
    first = 0
    for a, c in zip(anchors, head_classes):
        kind = rng.choice(3, size=(B, a), p=[0.05, 0.85, 0.10])
        own = rng.integers(1, c + 1, size=(B, a)) + (first if separate else 0)
        parts.append(np.where(kind == 0, -1, np.where(kind == 1, 0, own)))
        first += c
    labels = np.concatenate(parts, axis=1).astype(np.int64)
    if foreign:
        cut = anchors[0]
        at = rng.choice(labels.shape[1] - cut, size=foreign, replace=False) + cut
        labels[0, at] = 1  # class 1 belongs to head 0: these anchors sit in later heads
    if empty_sample is not None:
        row = labels[empty_sample]
        row[row > 0] = 0
    loss32, calls32 = multihead_loss(heads, labels, head_classes, separate, pos, neg, cls_weight, torch.float32)
    loss64, calls64, inputs64 = multihead_loss(heads, labels, head_classes, separate, pos, neg, cls_weight,
                                               torch.float64)
    d = case_dir(name)
    args = []
    for h, x in enumerate(heads):
        np.save(os.path.join(d, "head%d.npy" % h), x)
        args += ["--logits", "head%d.npy" % h]
    np.save(os.path.join(d, "labels.npy"), labels)
    # What the head's forward_ret_dict holds, as a breakpoint in get_cls_layer_loss would torch.save it:
    # with SEPARATE_MULTIHEAD (or not) cls_preds is the list of the heads' outputs.
    torch.save({"cls_preds": [torch.from_numpy(x) for x in heads], "box_cls_labels": torch.from_numpy(labels)},
               os.path.join(d, "head.pt"))
    args += ["--labels", "labels.npy", "--num-classes", str(C)]
    if pos is not None:
        args += ["--pos-weight", repr(pos), "--neg-weight", repr(neg)]
    if cls_weight != 1.0:
        args += ["--loss-weight", repr(cls_weight)]
    # focal's --out: the heads' losses side by side in (B, A, C), zero where a head has no column
    out32 = np.zeros((B, sum(anchors), C), dtype=np.float32)
    out64 = np.zeros((B, sum(anchors), C), dtype=np.float64)
    a0 = c0 = 0
    per_head = []
    for h, (a, c) in enumerate(zip(anchors, head_classes)):
        cols = slice(c0, c0 + c) if separate else slice(0, C)
        out32[:, a0:a0 + a, cols] = (calls32[h] * cls_weight).numpy()
        out64[:, a0:a0 + a, cols] = (calls64[h] * cls_weight).numpy()
        per_head.append({"anchors": a, "classes": c, "first_class": c0 if separate else 0,
                         "loss_f64": float(calls64[h].sum().item() / B * cls_weight),
                         "loss_f32": float(calls32[h].sum().item() / B * cls_weight)})
        a0 += a
        c0 += c if separate else 0
    np.save(os.path.join(d, "loss.npy"), out32)
    np.save(os.path.join(d, "loss_f64.npy"), out64)
    positives = (labels > 0).sum(axis=1)
    write_json(os.path.join(d, "expected.json"), {
        "name": name, "kind": "multihead", "separate": separate, "args": args, "shape": list(out32.shape),
        "head_loss_f32": float(loss32.item()), "head_loss_f64": float(loss64.item()), "heads": per_head,
        "means": element_figures(calls64, inputs64, cls_weight),
        "per_sample": [{"positives": int(positives[b]), "negatives": int((labels[b] == 0).sum()),
                        "ignored": int((labels[b] < 0).sum()), "normalizer": float(max(positives[b], 1))}
                       for b in range(B)],
        "logged_as": "rpn_loss_cls"})


# ------------------------------------------------------------------------------------ TransFusion

def transfusion_loss(raw, labels, num_pos, cls_weight, dtype):
    """TransFusionHead.loss on a minimal self whose get_targets returns the given labels."""
    B, C, P = raw.shape
    head = types.SimpleNamespace(
        num_classes=C, loss_cls=Recording(LOSS_UTILS.SigmoidFocalClassificationLoss(gamma=2.0, alpha=0.25)),
        loss_cls_weight=cls_weight, loss_bbox=LOSS_UTILS.L1Loss(), loss_bbox_weight=0.25,
        loss_heatmap=LOSS_UTILS.GaussianFocalLoss(), loss_heatmap_weight=1.0,
        model_cfg=ED({"SEPARATE_HEAD_CFG": {"HEAD_ORDER": ["center"]},
                      "LOSS_CONFIG": {"LOSS_WEIGHTS": {"code_weights": [1.0, 1.0]}}}))
    lab = torch.from_numpy(labels)
    heatmap = torch.zeros((B, C, 4, 4), dtype=dtype)
    head.get_targets = lambda *a: (lab, torch.ones((B, P), dtype=dtype), torch.zeros((B, P, 2), dtype=dtype),
                                   torch.zeros((B, P, 2), dtype=dtype), num_pos, 0.5, heatmap)
    preds = {"heatmap": torch.from_numpy(raw).to(dtype), "dense_heatmap": torch.zeros((B, C, 4, 4), dtype=dtype),
             "center": torch.zeros((B, 2, P), dtype=dtype)}
    _, logged = TRANSFUSION.TransFusionHead.loss(head, None, None, preds)
    return logged["loss_cls"], head.loss_cls.calls[0]


def transfusion_case(name, rng, B, C, P, cls_weight):
    raw = (rng.standard_normal((B, C, P)) * 2.0 - 2.0).astype(np.float32)
    kind = rng.choice(2, size=(B, P), p=[0.8, 0.2])
    labels = np.where(kind == 0, C, rng.integers(0, C, size=(B, P))).astype(np.int64)
    num_pos = int((labels != C).sum())
    lc32, loss32 = transfusion_loss(raw, labels, num_pos, cls_weight, torch.float32)
    lc64, loss64 = transfusion_loss(raw, labels, num_pos, cls_weight, torch.float64)
    d = case_dir(name)
    np.save(os.path.join(d, "head0.npy"), raw)
    np.save(os.path.join(d, "labels.npy"), labels)
    # the element loss is the unweighted sum's term; focal folds 1 / max(num_pos, 1) into the weights
    norm = max(num_pos, 1)
    np.save(os.path.join(d, "loss.npy"), (loss32.numpy().reshape(B, P, C) / np.float32(norm)
                                          * np.float32(cls_weight)).astype(np.float32))
    np.save(os.path.join(d, "loss_f64.npy"), loss64.numpy().reshape(B, P, C) / norm * cls_weight)
    write_json(os.path.join(d, "expected.json"), {
        "name": name, "kind": "transfusion", "args": [
            "--logits", "head0.npy", "--labels", "labels.npy", "--num-classes", str(C), "--class-axis", "1",
            "--background", "last", "--normalize", "batch", "--loss-weight", repr(cls_weight)],
        "shape": [B, P, C], "head_loss_f32": float(lc32), "head_loss_f64": float(lc64), "logged_as": "loss_cls",
        "per_sample": [{"positives": int((labels[b] != C).sum()), "negatives": int((labels[b] == C).sum()),
                        "ignored": 0, "normalizer": float(norm)} for b in range(B)]})


# ------------------------------------------------------------------------------------ README statements

def point_head_c1_refusal(rng):
    """The point head with C = 1 on a label of 2: the real code fails (no class-agnostic remap)."""
    N = 12
    preds = (rng.standard_normal((N, 1)) - 2.0).astype(np.float32)
    labels = np.array([0, 1, 0, -1, 2, 0, 1, 0, 0, 0, 1, 0], dtype=np.int64)
    owner = types.SimpleNamespace(
        forward_ret_dict={"point_cls_labels": torch.from_numpy(labels), "point_cls_preds": torch.from_numpy(preds)},
        num_class=1, cls_loss_func=LOSS_UTILS.SigmoidFocalClassificationLoss(alpha=0.25, gamma=2.0),
        model_cfg=ED({"LOSS_CONFIG": {"LOSS_WEIGHTS": {"point_cls_weight": 1.0}}}))
    try:
        POINT.PointHeadTemplate.get_cls_layer_loss(owner)
        error = None
    except Exception as e:  # the reference's own failure, recorded for the reader
        error = type(e).__name__ + ": " + str(e).splitlines()[0]
    assert error is not None, "the real point head must fail on a label above C = 1"
    d = case_dir("point_head_c1_label_2")
    np.save(os.path.join(d, "head0.npy"), preds)
    np.save(os.path.join(d, "labels.npy"), labels)
    write_json(os.path.join(d, "expected.json"), {
        "name": "point_head_c1_label_2", "kind": "refused", "refused": True,
        "args": ["--logits", "head0.npy", "--labels", "labels.npy", "--num-classes", "1", "--normalize", "batch"],
        "exit": 3, "message_contains": ["[4]", "2"], "reference_error": error})


def weight_growth(rng):
    """SigmoidFocalClassificationLoss.forward with targets (2, 5, 1) and weights (2, 5, 3)."""
    x = (rng.standard_normal((2, 5, 1)) * 2.0).astype(np.float32)
    t = (rng.random((2, 5, 1)) < 0.3).astype(np.float32)
    w = rng.random((2, 5, 3)).astype(np.float32)
    f = LOSS_UTILS.SigmoidFocalClassificationLoss(alpha=0.25, gamma=2.0)
    loss32 = f(torch.from_numpy(x), torch.from_numpy(t), torch.from_numpy(w))
    loss64 = f(torch.from_numpy(x).double(), torch.from_numpy(t).double(), torch.from_numpy(w).double())
    d = case_dir("weights_grow_the_loss")
    for k, v in (("logits", x), ("targets", t), ("weights", w)):
        np.save(os.path.join(d, k + ".npy"), v)
    np.save(os.path.join(d, "loss.npy"), loss32.numpy())
    np.save(os.path.join(d, "loss_f64.npy"), loss64.numpy())
    write_json(os.path.join(d, "expected.json"), {
        "name": "weights_grow_the_loss", "kind": "targets",
        "args": ["--logits", "logits.npy", "--targets", "targets.npy", "--weights", "weights.npy"],
        "shape": list(loss32.shape), "sum_f64": float(loss64.sum().item())})


# ------------------------------------------------------------------------------------ main

def main():
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)
    rng = np.random.default_rng(20261207)
    # nuScenes-like separate heads: pos 1.0 / neg 2.0 as the shipped CBGS configs set them
    multihead_case("separate_2_heads", rng, B=2, anchors=[48, 64], head_classes=[1, 2], separate=True,
                   pos=1.0, neg=2.0)
    # three heads, cls_weight 2, a sample without positives, anchors labelled with another head's class
    multihead_case("separate_3_heads", rng, B=3, anchors=[40, 24, 36], head_classes=[2, 1, 2], separate=True,
                   pos=2.0, neg=0.5, cls_weight=2.0, empty_sample=2, foreign=3)
    # the shared-class form (SEPARATE_MULTIHEAD: False): every head predicts all C classes
    multihead_case("shared_2_heads", rng, B=2, anchors=[30, 42], head_classes=[3, 3], separate=False,
                   pos=1.0, neg=2.0, cls_weight=1.5)
    transfusion_case("transfusion_raw", rng, B=2, C=5, P=60, cls_weight=2.0)
    point_head_c1_refusal(rng)
    weight_growth(rng)
    write_json(os.path.join(OUT_DIR, "index.json"), {"cases": INDEX, "torch": torch.__version__,
                                                      "numpy": np.__version__, "openpcdet": "8caccce"})
    print("wrote", len(INDEX), "cases to", OUT_DIR)


if __name__ == "__main__":
    main()
