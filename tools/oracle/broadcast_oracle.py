#!/usr/bin/python3
"""Oracle fixture for dev.focal.loss.WeightBroadcast (docs/semantics.md#weight-broadcast): which
weight shapes the reference accepts beside targets of a shape, the loss's shape then, and which
weight each loss element is multiplied by.

Regenerate with:   /usr/bin/python3 tools/oracle/broadcast_oracle.py
(needs torch; deterministic)

The reference's lines (OpenPCDet's SigmoidFocalClassificationLoss.forward), run by torch 1.13:

    if weights.shape.__len__() == 2 or \\
            (weights.shape.__len__() == 1 and target.shape.__len__() == 2):
        weights = weights.unsqueeze(-1)
    assert weights.shape.__len__() == loss.shape.__len__()
    loss = loss * weights

Written to src/test/resources/loss/broadcast.json: {"cases": [...]}, each case
    targets, weights   the shapes
    refused            null, or "ndim" (the assertion fails) or "broadcast" (loss * weights raises)
    loss               the shape of loss * weights (accepted cases)
    index              the weights' flat index (C order, before the trailing axis) that each loss
                       element is multiplied by, the loss in C order
    moved              for each axis a of the loss, "a": index with the loss's axis a moved last
                       (torch.movedim(a, -1)), as focal sees the loss under --class-axis
"""

import json
import os

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "loss", "broadcast.json"))

CASES = [
    ((), ()), ((), (1,)), ((5,), ()), ((5,), (5,)), ((5,), (1,)), ((5,), (3,)), ((5,), (5, 1)),
    ((4, 3), (4,)), ((4, 3), (1,)), ((4, 3), (3,)), ((4, 3), (4, 3)), ((4, 3), (4, 1)), ((4, 1), (4, 3)),
    ((4, 3), (2, 4, 3)), ((2, 4, 3), (2, 4)), ((2, 4, 3), (1, 4)), ((2, 4, 3), (2, 1)), ((2, 4, 3), (2, 4, 3)),
    ((2, 4, 3), (2, 4, 1)), ((2, 4, 3), (1, 1, 3)), ((2, 4, 3), (2, 1, 3)), ((2, 1, 3), (2, 4, 3)),
    ((2, 4, 1), (2, 4, 3)), ((2, 4, 3), (2, 3)), ((2, 4, 3), (4,)), ((2, 4, 3), (2, 4, 2)), ((2, 4, 3), (3, 4)),
    ((2, 4, 3), ()), ((2, 3, 2, 3), (2, 3, 2, 1)), ((2, 3, 2, 3), (1, 3, 1, 3)), ((2, 3, 2, 3), (2, 3, 2)),
    ((2, 3, 2, 3), (2, 3)), ((1, 3, 1, 2), (2, 3, 2, 2)), ((3, 4, 3), (1, 4, 3)),
]


def reference(tshape, wshape):
    target = torch.zeros(tshape)
    loss = torch.zeros(tshape)
    weights = torch.arange(torch.Size(wshape).numel(), dtype=torch.float64).reshape(wshape)
    if weights.shape.__len__() == 2 or (weights.shape.__len__() == 1 and target.shape.__len__() == 2):
        weights = weights.unsqueeze(-1)
    try:
        assert weights.shape.__len__() == loss.shape.__len__()
    except AssertionError:
        return {"refused": "ndim"}
    try:
        product = loss.double() * weights
    except RuntimeError:
        return {"refused": "broadcast"}
    index = (product + weights).expand(product.shape) if product.dim() else product + weights
    moved = {}
    for a in range(index.dim()):
        moved[str(a)] = [int(v) for v in index.movedim(a, -1).reshape(-1).tolist()]
    return {"refused": None, "loss": list(product.shape), "index": [int(v) for v in index.reshape(-1).tolist()],
            "moved": moved}


def main():
    cases = []
    for tshape, wshape in CASES:
        case = {"targets": list(tshape), "weights": list(wshape)}
        case.update(reference(tshape, wshape))
        cases.append(case)
    with open(OUT, "w") as f:
        f.write(json.dumps({"format": "focal-broadcast/1", "torch": torch.__version__, "cases": cases},
                           sort_keys=True) + "\n")
    print("wrote %s (%d cases)" % (OUT, len(cases)))


if __name__ == "__main__":
    main()
