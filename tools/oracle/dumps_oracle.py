#!/usr/bin/python3
"""Oracle fixtures for many-dumps `focal eval` (dev.focal.cli.ManyDumps, docs/commands.md#many-dumps):
a folder of dumps as a training run leaves them, their summaries from real PyTorch, and the
aggregate over them.

Regenerate with:   /usr/bin/python3 tools/oracle/dumps_oracle.py
(needs torch and numpy; deterministic. pandas, when present, reads a table focal wrote: see
`--check-table` below.)

Writes src/test/resources/dumps/:

  run/iter_1.npz, run/iter_2.npz, run/iter_10.npz   np.savez bundles (logits, targets, weights),
  run/iter_5.json                                   a JSON bundle (float64 nested lists)
  run/notes.txt, run/weights.npy                    not bundles: a folder's listing skips them
  labels/iter_1.npz, labels/iter_2.npz              labels-mode bundles (cls_preds (B, A*C) as the
                                                    head's flat output, box_cls_labels (B, A)); their
                                                    targets and weights made in torch as
                                                    AnchorHeadTemplate.get_cls_layer_loss makes them
  broken.npz                                        a truncated zip: its row holds the error
  expected.json   per dump (in natural order: iter_1, iter_2, iter_5, iter_10) the summary of
                  tools/oracle/eval_oracle.py's summary() (torch float64 loss), and the
                  aggregate: sums and counts added, means recomputed over all elements; again
                  without iter_2 ("aggregate_finite")

iter_2 holds a NaN logit on a negative anchor, so its loss is NaN there (the aggregate's sums
are then NaN, and its non-finite counts add).

  bin/focal eval src/test/resources/dumps/run --table /tmp/runs.csv
  /usr/bin/python3 tools/oracle/dumps_oracle.py --check-table /tmp/runs.csv
reads the table focal wrote over run/ with pandas.read_csv, unchanged, and checks every figure
against expected.json: exactly for counts, to 1e-12 relative for sums (focal sums with
compensation, torch in float64 order), and that each number's text reads back to itself.
"""

import json
import math
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import eval_oracle as eo  # noqa: E402  (the reference and the summary, one definition)

OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "dumps"))
RUN = os.path.join(OUT_DIR, "run")
FIGURES = ["loss.sum", "loss.mean", "loss.per_batch", "anchors.total", "anchors.positive", "anchors.negative",
           "anchors.ignored", "positive.loss_sum", "positive.share", "negative.loss_sum", "negative.share",
           "nonfinite.logits", "nonfinite.loss"]


def dump(name, logits, targets, weights, kind="npz"):
    loss64, focal64, _ = eo.torch_f64(logits, targets, weights, 2.0, 0.25)
    loss_own, _ = eo.torch_own(logits, targets, weights, 2.0, 0.25)
    s = eo.summary(name, logits, targets, weights, 2.0, 0.25, loss64, focal64, loss_own)
    if kind == "npz":
        np.savez(os.path.join(RUN, name), logits=logits, targets=targets, weights=weights)
    else:
        with open(os.path.join(RUN, name), "w") as f:
            json.dump({"logits": logits.tolist(), "targets": targets.tolist(), "weights": weights.tolist()}, f)
    elements = loss64.size
    return {"file": name, "summary": s, "elements": elements, "batches": logits.shape[0],
            "loss64": loss64}


def labels_dump(name, b, a, c):
    """A labels-mode bundle; targets and weights as the anchor head derives them (float32 in torch)."""
    logits, _, _, labels = eo.anchor_head(b, a, c)
    lab = torch.from_numpy(labels)
    positives = lab > 0
    cared = (lab >= 0).float()
    weights = cared / torch.clamp(positives.sum(1, keepdim=True).float(), min=1.0)
    one_hot = torch.zeros(b, a, c + 1, dtype=torch.float32)
    one_hot.scatter_(-1, (lab * (lab >= 0).long()).unsqueeze(-1), 1.0)
    targets = one_hot[..., 1:].numpy()
    weights = weights.numpy()
    np.savez(os.path.join(OUT_DIR, "labels", name), cls_preds=logits.reshape(b, a * c), box_cls_labels=labels)
    loss64, focal64, _ = eo.torch_f64(logits, targets, weights, 2.0, 0.25)
    loss_own, _ = eo.torch_own(logits, targets, weights, 2.0, 0.25)
    return {"file": name, "figures": flat(eo.summary(name, logits, targets, weights, 2.0, 0.25, loss64, focal64,
                                                      loss_own))}


def aggregate(dumps):
    """Sums and counts add (torch sums of the concatenated float64 losses), means recomputed."""
    all_loss = torch.from_numpy(np.concatenate([d["loss64"].ravel() for d in dumps]))
    total = all_loss.sum().item()
    elements = sum(d["elements"] for d in dumps)
    batches = sum(d["batches"] for d in dumps)
    a = {"dumps": len(dumps), "failed": 0, "loss.sum": total, "loss.mean": total / elements,
         "loss.per_batch": total / batches}
    for k in ("total", "positive", "negative", "ignored"):
        a["anchors." + k] = sum(d["summary"]["anchors"][k] for d in dumps)
    for k in ("positive", "negative"):
        s = sum(d["summary"][k]["loss_sum"] for d in dumps)
        a[k + ".loss_sum"] = s
        a[k + ".share"] = s / total if total != 0 else float("nan")
    for k in ("logits", "loss"):
        a["nonfinite." + k] = sum(d["summary"]["nonfinite"][k] for d in dumps)
    return a


def flat(summary):
    out = {}
    for key in FIGURES:
        group, field = key.split(".")
        out[key] = summary[group][field]
    return out


def generate():
    os.makedirs(RUN, exist_ok=True)
    eo.rng = np.random.default_rng(20261207)
    dumps = []
    for name, (b, a) in (("iter_1.npz", (2, 30)), ("iter_2.npz", (2, 25)), ("iter_10.npz", (3, 20))):
        logits, targets, weights, _ = eo.anchor_head(b, a, 3)
        if name == "iter_2.npz":
            cats, _ = eo.categories(logits.shape, targets, weights)
            neg = np.argwhere(cats["negative"][1])[0]
            logits[tuple(neg)] = np.nan
        dumps.append(dump(name, logits, targets, weights))
    logits, targets, weights, _ = eo.anchor_head(1, 40, 3, dtype=np.float64)
    dumps.append(dump("iter_5.json", logits, targets, weights, kind="json"))
    dumps.sort(key=lambda d: int(d["file"].split("_")[1].split(".")[0]))
    os.makedirs(os.path.join(OUT_DIR, "labels"), exist_ok=True)
    labelled = [labels_dump("iter_1.npz", 2, 30, 3), labels_dump("iter_2.npz", 1, 50, 3)]
    with open(os.path.join(RUN, "notes.txt"), "w") as f:
        f.write("not a bundle\n")
    np.save(os.path.join(RUN, "weights.npy"), np.ones(3, dtype=np.float32))
    np.savez(os.path.join(OUT_DIR, "broken.npz"), logits=np.zeros((1, 2, 3), np.float32))
    with open(os.path.join(OUT_DIR, "broken.npz"), "r+b") as f:
        f.truncate(100)
    expected = {"format": "focal-dumps-oracle/1",
                "generated_with": {"torch": torch.__version__, "numpy": np.__version__,
                                   "script": "tools/oracle/dumps_oracle.py"},
                "dumps": [{"file": d["file"], "figures": flat(d["summary"]), "summary": d["summary"]} for d in dumps],
                "aggregate": aggregate(dumps),
                "aggregate_finite": aggregate([d for d in dumps if d["file"] != "iter_2.npz"]),
                "labels": labelled}
    with open(os.path.join(OUT_DIR, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print("%d dumps in %s" % (len(dumps), RUN))


def check_table(path):
    """The CSV focal wrote over run/, read by pandas as it is, against expected.json."""
    import pandas as pd
    with open(os.path.join(OUT_DIR, "expected.json")) as f:
        expected = json.load(f)
    df = pd.read_csv(path)
    assert list(df["file"].map(os.path.basename)) == [d["file"] for d in expected["dumps"]], list(df["file"])
    assert df["error"].isna().all(), df["error"]
    for i, d in enumerate(expected["dumps"]):
        for key, want in d["figures"].items():
            got = df[key].iloc[i]
            if isinstance(want, int):
                assert got == want, (d["file"], key, got, want)
            elif math.isnan(want):
                assert math.isnan(got), (d["file"], key, got)
            else:
                assert abs(got - want) <= 1e-12 * abs(want), (d["file"], key, got, want)
    with open(path, newline="") as f:
        header = f.readline()
    assert header.endswith("\r\n"), "RFC 4180 line ends"
    print("pandas %s read %s: %d rows, %d columns, every figure as torch's" % (pd.__version__, path, len(df),
                                                                              len(df.columns)))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check-table":
        check_table(sys.argv[2])
    else:
        generate()
