#!/usr/bin/python3
"""Oracle fixtures for gamma x alpha sweeps of `focal eval` (docs/commands.md#sweeps): the
figures real PyTorch computes for every (gamma, alpha) pair of a sweep, on the dumps that
tools/oracle/dumps_oracle.py wrote (run it first).

Regenerate with:   /usr/bin/python3 tools/oracle/sweep_oracle.py
(needs torch and numpy; deterministic.)

Writes src/test/resources/sweep/expected.json:

  gammas, alphas    the swept values: --gamma 0,0.5,1,2,3 --alpha 0.25:0.75:0.25
  dumps             per dump of src/test/resources/dumps/run (natural order), per pair (gamma
                    major) the headline figures of tools/oracle/eval_oracle.py's summary()
                    (torch float64 loss and q^gamma), and the whole summary

iter_2 holds a NaN logit, so each of its pairs has one NaN loss element.
"""

import json
import os
import sys
import zipfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import eval_oracle as eo  # noqa: E402  (the reference and the summary, one definition)
import dumps_oracle as do  # noqa: E402  (the headline figures, one definition)

RUN = os.path.join(do.OUT_DIR, "run")
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "sweep"))
GAMMAS = [0.0, 0.5, 1.0, 2.0, 3.0]
ALPHAS = [0.25, 0.5, 0.75]
DUMPS = ["iter_1.npz", "iter_2.npz", "iter_5.json", "iter_10.npz"]


def read(name):
    path = os.path.join(RUN, name)
    if name.endswith(".json"):
        with open(path) as f:
            b = json.load(f)
        return tuple(np.array(b[k], dtype=np.float64) for k in ("logits", "targets", "weights"))
    assert zipfile.is_zipfile(path), path
    with np.load(path) as b:
        return b["logits"], b["targets"], b["weights"]


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    dumps = []
    for name in DUMPS:
        logits, targets, weights = read(name)
        pairs = []
        for g in GAMMAS:
            for a in ALPHAS:
                loss64, focal64, _ = eo.torch_f64(logits, targets, weights, g, a)
                loss_own, _ = eo.torch_own(logits, targets, weights, g, a)
                s = eo.summary(name, logits, targets, weights, g, a, loss64, focal64, loss_own)
                figures = do.flat(s)
                figures["positive.focal_mean"] = s["positive"]["focal_mean"]
                pairs.append({"gamma": g, "alpha": a, "figures": figures, "summary": s})
        dumps.append({"file": name, "pairs": pairs})
    expected = {"format": "focal-sweep-oracle/1",
                "generated_with": {"torch": torch.__version__, "numpy": np.__version__,
                                   "script": "tools/oracle/sweep_oracle.py"},
                "gammas": GAMMAS, "alphas": ALPHAS, "dumps": dumps}
    with open(os.path.join(OUT_DIR, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print("%d dumps x %d pairs in %s" % (len(dumps), len(GAMMAS) * len(ALPHAS), OUT_DIR))


if __name__ == "__main__":
    main()
