#!/usr/bin/python3
"""Oracle fixtures for dev.focal.stats: `focal inspect`'s per-array figures (TensorSummary) and
the summary's bookkeeping (LossAccumulator), both worked out by numpy from their definitions.

Regenerate with:   /usr/bin/python3 tools/oracle/stats_oracle.py
(needs torch and numpy; deterministic: the same library versions give byte-identical files)

Writes src/test/resources/stats/:

  tensor_summary.json   {"format": "focal-stats-oracle/1", "generated_with", "cases": [{
     "name", "dtype"            numpy's dtype name
     "values"                   the array: floats as float.hex (or "nan", "inf", "-inf"),
                                integers as decimal strings (uint64 above 2^63 too)
     "count", "nan", "posinf", "neginf"
     "min", "max"               np.nanmin / np.nanmax as float64, float.hex; null when numpy
                                has no value for them (no element: it raises; only NaN: it
                                warns and returns nan), which focal reports as NaN
                                (docs/commands.md#focal-inspect-file)
     "min_integer", "max_integer"  integer arrays: the exact extremes, decimal strings
     "mean"                     a[np.isfinite(a)].astype(np.float64).mean(), float.hex; null
                                when no value is finite}]}

  accumulator.json      {"format", "generated_with", "cases": [{
     "name", "classes", "anchors", "samples", "top_k"
     "element_kinds"            false: kinds of anchors (docs/semantics.md#anchor-kinds);
                                true: a heatmap loss's kinds of elements
                                (docs/semantics.md#heatmap-element-kinds)
     "x", "t", "w", "loss", "focal"   flat, anchor-major (element a * classes + c), float.hex or
                                "nan", "inf", "-inf"; loss and q^gamma from the reference in
                                torch float64 (eval_oracle.torch_f64, gamma 2, alpha 0.25)
     "evaluated"                null, or per anchor the classes a separate multi-head evaluates
     "kinds": per kind (positive, negative, ignored): "count" (anchors, or elements),
              "elements" (the loss elements: count * classes, count, or the evaluated classes),
              "loss_sum" (math.fsum), "focal_mean" (fsum of q^gamma / elements of the kind),
              "non_finite" (losses that are NaN or infinite), "first_non_finite" (flat index, -1)
     "nan", "first_nan", "infinite", "first_infinite", "non_finite_logits"
     "total"                    math.fsum of every loss
     "class_positives", "class_loss"   per class: positive anchors with that class's target
                                above 0 (a heatmap: elements whose target is 1), fsum of the loss
     "sample_loss", "sample_counts"    per sample (samples of anchors / samples anchors)
     "top"                      [[flat index, loss]] of the top_k largest losses, NaN first,
                                the lower index first on ties
     "target_min", "target_max" np.nanmin / np.nanmax of t; "logits_zeros_and_ones" whether
                                every logit is 0 or 1 and both occur}]}

A sum of losses is exact in math.fsum and within a few ulps in focal, which adds in lanes and
blocks (docs/accuracy.md); the tests compare sums to 1e-12 relative, counts and indices exactly.
"""

import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import eval_oracle as eo  # noqa: E402  (the reference loss and q^gamma, one definition)

OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "stats"))
NAN = float("nan")
INF = float("inf")


def hexf(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v.hex()


# ------------------------------------------------------------------------------- TensorSummary

def summary_case(name, a):
    floats = a.dtype.kind == "f"
    finite = a[np.isfinite(a)] if floats else a
    case = {"name": name, "dtype": a.dtype.name,
            "values": [hexf(v) for v in a.tolist()] if floats else [str(int(v)) for v in a.tolist()],
            "count": int(a.size),
            "nan": int(np.isnan(a).sum()) if floats else 0,
            "posinf": int(np.isposinf(a).sum()) if floats else 0,
            "neginf": int(np.isneginf(a).sum()) if floats else 0}
    has_number = a.size > 0 and not (floats and np.isnan(a).all())
    case["min"] = hexf(np.float64(np.nanmin(a))) if has_number else None
    case["max"] = hexf(np.float64(np.nanmax(a))) if has_number else None
    if not floats:
        case["min_integer"] = str(int(a.min())) if a.size else None
        case["max_integer"] = str(int(a.max())) if a.size else None
    case["mean"] = hexf(finite.astype(np.float64).mean()) if finite.size else None
    return case


def summary_cases():
    f32 = np.float32
    return [
        summary_case("float32_with_every_non_finite",
                     np.array([0.1, -2.5, NAN, INF, 3.25, -INF, 1e-3], dtype=f32)),
        summary_case("float64_finite_extremes", np.array([2, NAN, -0.5, 8], dtype=np.float64)),
        summary_case("float64_only_nan", np.array([NAN, NAN], dtype=np.float64)),
        summary_case("float64_nan_and_inf", np.array([NAN, INF], dtype=np.float64)),
        summary_case("float32_empty", np.array([], dtype=f32)),
        summary_case("float16_rounded", np.array([0.1, 65504, -65504, 1e-7], dtype=np.float16)),
        summary_case("uint64_empty", np.array([], dtype=np.uint64)),
        summary_case("int64_extremes", np.array([5, -2**63, 7, -3], dtype=np.int64)),
        summary_case("int64_descending", np.array([9, 4, -1, -6], dtype=np.int64)),
        summary_case("int32_ascending", np.array([-7, 0, 3, 2**31 - 1], dtype=np.int32)),
        summary_case("uint64_across_2_63", np.array([3, 2**64 - 1, 2**63 + 1, 7], dtype=np.uint64)),
        summary_case("uint64_above_2_63", np.array([2**64 - 1, 2**63 + 1], dtype=np.uint64)),
        summary_case("uint64_zero_and_odd_high", np.array([2**63 + 3, 0, 2**64 - 3], dtype=np.uint64)),
        summary_case("uint8", np.array([200, 3, 255, 0], dtype=np.uint8)),
    ]


# ----------------------------------------------------------------------------- LossAccumulator

def kinds_of(t, w, element_kinds):
    """Per element (anchor-major, shape (anchors, classes)), its kind slot: 0, 1, 2."""
    if element_kinds:
        return np.where(t == 1, 0, np.where((t > 0) & (t < 1), 1, 2))
    ignored = (w == 0).all(axis=1)
    positive = (t > 0).any(axis=1)
    anchor = np.where(ignored, 2, np.where(positive, 0, 1))
    return np.repeat(anchor[:, None], t.shape[1], axis=1)


def fsum(values):
    """math.fsum, but NaN and infinities as IEEE addition gives them (fsum raises on inf - inf)."""
    values = [float(v) for v in values]
    if any(math.isnan(v) for v in values) or (INF in values and -INF in values):
        return NAN
    if INF in values or -INF in values:
        return INF if INF in values else -INF
    return math.fsum(values)


def first(mask):
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else -1


def accumulator_case(name, x, t, w, samples, top_k, element_kinds, evaluated=None):
    anchors, classes = x.shape
    # One batch of anchors, weights per element: the reference's (B, A, C) layout.
    loss, focal, _ = eo.torch_f64(x[None], t[None], w[None], 2.0, 0.25)
    loss, focal = loss[0], focal[0]
    kind = kinds_of(t, w, element_kinds)
    flat_loss = loss.reshape(-1)
    flat_kind = kind.reshape(-1)
    bad = ~np.isfinite(flat_loss)
    kinds = []
    for k in range(3):
        in_kind = flat_kind == k
        count = int(in_kind.sum()) if element_kinds else int(in_kind.sum()) // classes
        # A separate multi-head's anchors have only their head's classes as elements.
        elements = int(in_kind.sum()) if evaluated is None else int(np.asarray(evaluated)[kind[:, 0] == k].sum())
        kinds.append({"count": count, "elements": elements,
                      "loss_sum": hexf(fsum(flat_loss[in_kind])),
                      "focal_mean": hexf(fsum(focal.reshape(-1)[in_kind]) / elements) if elements else "nan",
                      "non_finite": int((bad & in_kind).sum()),
                      "first_non_finite": first(bad & in_kind)})
    if element_kinds:
        class_positives = [int((t[:, c] == 1).sum()) for c in range(classes)]
    else:
        class_positives = [int(((kind[:, c] == 0) & (t[:, c] > 0)).sum()) for c in range(classes)]
    per_sample = anchors // samples if samples else 0
    sample_loss = [hexf(fsum(loss[s * per_sample:(s + 1) * per_sample].reshape(-1))) for s in range(samples)]
    sample_counts = []
    for s in range(samples):
        part = kind[s * per_sample:(s + 1) * per_sample]
        sample_counts.append([int((part == k).sum()) // (1 if element_kinds else classes) for k in range(3)])
    # NaN first, then the larger loss, then the lower index.
    order = sorted(range(flat_loss.size),
                   key=lambda i: (0 if math.isnan(flat_loss[i]) else 1,
                                  0.0 if math.isnan(flat_loss[i]) else -flat_loss[i], i))
    finite_t = t[~np.isnan(t)]
    return {"name": name, "classes": classes, "anchors": anchors, "samples": samples, "top_k": top_k,
            "element_kinds": element_kinds, "evaluated": evaluated,
            "x": [hexf(v) for v in x.reshape(-1)], "t": [hexf(v) for v in t.reshape(-1)],
            "w": [hexf(v) for v in w.reshape(-1)], "loss": [hexf(v) for v in flat_loss],
            "focal": [hexf(v) for v in focal.reshape(-1)],
            "kinds": kinds,
            "nan": int(np.isnan(flat_loss).sum()), "first_nan": first(np.isnan(flat_loss)),
            "infinite": int(np.isinf(flat_loss).sum()), "first_infinite": first(np.isinf(flat_loss)),
            "non_finite_logits": int((~np.isfinite(x)).sum()),
            "total": hexf(fsum(flat_loss)),
            "class_positives": class_positives,
            "class_loss": [hexf(fsum(loss[:, c])) for c in range(classes)],
            "sample_loss": sample_loss, "sample_counts": sample_counts,
            "top": [[i, hexf(flat_loss[i])] for i in order[:top_k]],
            "target_min": hexf(np.nanmin(finite_t)) if finite_t.size else "inf",
            "target_max": hexf(np.nanmax(finite_t)) if finite_t.size else "-inf",
            "logits_zeros_and_ones": bool(np.isin(x, [0.0, 1.0]).all() and (x == 0).any() and (x == 1).any())}


def accumulator_cases():
    rng = np.random.default_rng(20261207)
    cases = []

    # Anchors of three classes in four samples of six: positives, negatives, ignored anchors
    # (every weight 0), a NaN and a -inf target, and non-finite logits whose losses are NaN,
    # +inf or -inf, the first of each kind in a sample of its own.
    a, c = 24, 3
    x = rng.normal(-1.0, 2.0, size=(a, c))
    t = np.zeros((a, c))
    w = np.ones((a, c))
    for anchor, cls in [(1, 0), (4, 2), (7, 1), (7, 2), (13, 0), (20, 1), (22, 2)]:
        t[anchor, cls] = 1.0
    t[9, 1] = 0.5
    w[[2, 11, 17, 18]] = 0.0
    w[5, 0] = 0.0             # one weight 0 of three: not ignored
    t[10, 0] = NAN            # a NaN target beside a 1: positive
    t[10, 2] = 1.0
    t[15, 1] = -INF           # -inf beside zeros: negative
    x[8, 1] = NAN             # NaN loss, a negative anchor (sample 1)
    x[14, 0] = INF            # t = 0: inf * 0 in the cross-entropy, NaN, a negative anchor
    x[4, 2] = -INF            # t = 1: +inf loss, a positive anchor (sample 0)
    t[19, 0] = -1.0           # t = -1: -inf loss, a negative anchor (sample 3)
    x[19, 0] = -INF
    x[17, 2] = NAN            # an ignored anchor: NaN loss (NaN times weight 0)
    x[21, 1] = 400.0          # t = 0: a large finite loss, tops the ranking
    x[23, 0] = 400.0          # ties with it
    cases.append(accumulator_case("anchors_three_classes", x, t, w, 4, 9, False))
    # The same without --top: the non-finite losses alone must call for the rare cases' pass.
    cases.append(accumulator_case("anchors_three_classes_no_top", x, t, w, 4, 0, False))
    # Nor samples: taken whole, the block is one part whose three kinds each hold a non-finite
    # loss, where one finite kind cannot be what calls for the rare cases' pass.
    cases.append(accumulator_case("anchors_three_classes_one_part", x, t, w, 0, 0, False))

    # The same layout, every value finite: sums by kind, class and sample that are numbers, a
    # ranking of finite losses.
    a, c = 18, 3
    x = rng.normal(-1.5, 2.5, size=(a, c))
    t = (rng.random((a, c)) < 0.15).astype(np.float64)
    w = np.ones((a, c))
    w[[3, 12]] = 0.0
    w[7, 1] = 0.0
    cases.append(accumulator_case("anchors_finite", x, t, w, 3, 4, False))
    # The same as a separate multi-head's: in each sample 4 anchors of a head of 2 classes, then 2
    # of a head of 1; the means divide by the classes evaluated (docs/semantics.md#multi-head-anchor-heads).
    cases.append(accumulator_case("anchors_finite_multi_head", x, t, w, 3, 4, False, ([2] * 4 + [1] * 2) * 3))

    # One class, no samples, no --top, finite: the figures without the rare cases' pass.
    x = rng.normal(0.0, 3.0, size=(11, 1))
    t = (rng.random((11, 1)) < 0.3).astype(np.float64)
    w = rng.random((11, 1)) + 0.5
    w[3] = 0.0
    cases.append(accumulator_case("one_class_finite", x, t, w, 0, 0, False))

    # Logits that are targets (every value 0 or 1), the top larger than the elements.
    x = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    t = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    w = np.ones_like(x)
    cases.append(accumulator_case("logits_zeros_and_ones", x, t, w, 5, 20, False))
    # Zeros only, ones only, and 0s and 1s after a first anchor that holds another value: none is
    # "every logit 0 or 1, both occurring", in whatever ranges the anchors are merged.
    cases.append(accumulator_case("logits_zeros_only", np.zeros_like(x), t, w, 5, 3, False))
    cases.append(accumulator_case("logits_ones_only", np.ones_like(x), t, w, 5, 3, False))
    x = x.copy()
    x[0, 0] = 0.5
    cases.append(accumulator_case("logits_zeros_and_ones_but_first", x, t, w, 5, 3, False))

    # A heatmap loss's element kinds: peaks (1), near (strictly between 0 and 1) and background
    # (0, and outside [0, 1] or NaN), counted per element and per class, two samples.
    a, c = 12, 2
    x = rng.normal(-2.19, 2.0, size=(a, c))
    t = np.zeros((a, c))
    t[[0, 3, 7], 0] = 1.0
    t[[5, 11], 1] = 1.0
    t[[1, 2, 6], 0] = [0.5, 0.25, 0.9]
    t[[4, 10], 1] = [0.125, 0.75]
    t[8, 0] = 1.5
    t[9, 1] = -0.5
    t[2, 1] = NAN
    x[6, 1] = NAN
    x[10, 0] = INF
    w = np.ones((a, c))
    cases.append(accumulator_case("heatmap_elements", x, t, w, 2, 4, True))
    # The same, every loss finite: the background's sum is a number that the total must hold.
    x = x.copy()
    x[6, 1] = -1.0
    x[10, 0] = 3.0
    t = t.copy()
    t[2, 1] = 0.0
    cases.append(accumulator_case("heatmap_elements_finite", x, t, w, 2, 4, True))
    return cases


def write(name, cases):
    doc = {"format": "focal-stats-oracle/1",
           "generated_with": {"torch": torch.__version__, "numpy": np.__version__,
                              "script": "tools/oracle/stats_oracle.py"},
           "cases": cases}
    with open(os.path.join(OUT_DIR, name), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    write("tensor_summary.json", summary_cases())
    write("accumulator.json", accumulator_cases())
    print("wrote %s" % OUT_DIR)


if __name__ == "__main__":
    main()
