#!/usr/bin/python3
"""Oracle fixtures for dev.focal.loss.FocalMath (per-element sigmoid focal loss and its gradient).

Regenerate with:   /usr/bin/python3 tools/oracle/loss_oracle.py
(needs torch, numpy, mpmath; deterministic: same library versions give byte-identical files)

The formula is re-implemented here op by op in torch, following docs/semantics.md#per-element-loss (OpenPCDet's
SigmoidFocalClassificationLoss); no framework code is copied. The exact values come from mpmath at
mp.dps = 50 using the same formula rewritten without cancellation (1 - sigmoid(x) formed directly),
and the exact gradient from its symbolic derivative (docs/semantics.md#gradient). Both are cross-checked
in this script: against a 90-digit re-evaluation, and the gradient against mpmath.diff (numerical
differentiation at 90 digits) of the 90-digit loss.

Every input (x, t, w, gamma, alpha) is a float32 value, so torch float32, torch float64 and the
exact evaluation all see the same real numbers.

Files written to src/test/resources/loss/ (all JSON, one row per line):

  focal_finite.json   finite logits
    {"format": "focal-oracle/1", "generated_with": {...versions...},
     "columns": ["x", "t", "w", "gamma", "alpha",
                 "loss_exact", "grad_exact", "focal_exact", "grad_cond",
                 "loss_f64", "loss_f32", "grad_f64"],
     "rows": [[...], ...]}
    x..alpha   the inputs, JSON numbers (shortest repr of the double; all are float32 values)
    loss_exact  the mathematically exact loss, its derivative d loss / d x and the focal factor q^gamma
    grad_exact  at those inputs, decimal strings with 25 significant digits (mpmath, 50-digit working
    focal_exact precision, converged: checked at 90 digits); exact zero is "0.0"
    grad_cond   (|A| + |B| + |C|) / |A + B + C| for the gradient's terms A = d(q^gamma)/dx * bce,
                B = q^gamma * (1-t) * p, C = -q^gamma * t * (1-p) (B + C = q^gamma * (p - t)), 3
                significant digits: the factor by which their cancellation amplifies relative errors
                (1 = no cancellation, always for t in {0, 1}; large near the gradient's zero)
    loss_f64   torch float64 loss of the literal formula (JSON number)
    loss_f32   torch float32 loss of the literal formula (JSON number, the float32 value widened)
    grad_f64   torch float64 autograd d(loss.sum())/dx (JSON number; NaN where torch gives NaN)
    The rows are the union of three full-product blocks:
      A  all X_ALL   x all T x all GAMMA x all ALPHA, w = 1
      B  X_PARAMS    x all T x all GAMMA x W in {0.5, 0, 2} x alpha in {0.25, 0.75}
      C  X_PARAMS    x T x GAMMA_SMALL x all W x alpha in {0.25}   (small gamma, w = 0 and 2)
  focal_nonfinite.json   non-finite logits (x = +inf, -inf, NaN)
    same header, "columns": ["x", "t", "w", "gamma", "alpha",
                             "loss_f64", "loss_f32", "grad_f64", "grad_f32"]
    (no exact column: the loss is not a real number there; these rows pin PyTorch's NaN/inf places)

Non-finite numbers are written as Python json's bare tokens NaN, Infinity, -Infinity
(Jackson: enable JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).
"""

import itertools
import json
import os
import sys

import mpmath
import numpy as np
import torch
from mpmath import mp, mpf

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "loss"))

EXACT_DPS = 50
CHECK_DPS = 90
EXACT_DIGITS = 25  # printed significant digits: measures double ulps to ~1e-8 of an ulp

# Logits: zero, tiny, moderate, the float32 saturation region of sigmoid (~17), where float64's
# 1 - sigmoid(x) rounds to 0 (~37), the float32 exp overflow edge (88.7), and far out.
X_POS = [1e-8, 0.3, 1.0, 2.5, 5.0, 17.0, 20.0, 40.0, 88.7, 100.0, 1e4]
X_ALL = [0.0] + X_POS + [-v for v in X_POS]
X_PARAMS = [-88.7, -17.0, -2.5, -1.0, 0.0, 0.3, 5.0, 20.0]
T_ALL = [0.0, 1.0, 0.25, 0.7]
W_ALL = [1.0, 0.5, 0.0, 2.0]
GAMMA_ALL = [0.0, 1.5, 2.0, 5.0, 0.5]
GAMMA_SMALL = [0.0, 0.5]
ALPHA_ALL = [0.0, 0.25, 1.0, 0.75, -0.5]

INF = float("inf")
NAN = float("nan")


def f32(v):
    """The float32 value nearest v, as a Python float (exact widening)."""
    return float(np.float32(v))


# ---------------------------------------------------------------------------------------- torch

def torch_focal(x, t, w, gamma, alpha, dtype):
    """Literal reference formula, op by op; returns (loss, d loss.sum() / d x) as float lists."""
    inp = torch.tensor(x, dtype=dtype, requires_grad=True)
    target = torch.tensor(t, dtype=dtype)
    weights = torch.tensor(w, dtype=dtype)
    pred_sigmoid = torch.sigmoid(inp)
    alpha_weight = target * alpha + (1 - target) * (1 - alpha)
    pt = target * (1.0 - pred_sigmoid) + (1.0 - target) * pred_sigmoid
    focal_weight = alpha_weight * torch.pow(pt, gamma)
    bce = torch.clamp(inp, min=0) - inp * target + torch.log1p(torch.exp(-torch.abs(inp)))
    loss = focal_weight * bce * weights
    loss.sum().backward()
    return [float(v) for v in loss.detach().tolist()], [float(v) for v in inp.grad.tolist()]


def torch_rows(rows, dtype):
    """Evaluate rows (x, t, w, gamma, alpha) grouped by the scalar parameters, as the reference
    passes gamma and alpha (Python floats, not tensors)."""
    loss, grad = [None] * len(rows), [None] * len(rows)
    groups = {}
    for i, r in enumerate(rows):
        groups.setdefault((r[3], r[4]), []).append(i)
    for (gamma, alpha), idx in sorted(groups.items()):
        ls, gs = torch_focal([rows[i][0] for i in idx], [rows[i][1] for i in idx],
                             [rows[i][2] for i in idx], gamma, alpha, dtype)
        for i, lv, gv in zip(idx, ls, gs):
            loss[i], grad[i] = lv, gv
    return loss, grad


# ---------------------------------------------------------------------------------------- exact

def exact_focal(x, t, w, gamma, alpha):
    """Exact loss and d loss / d x at the current mp precision (finite x only)."""
    x, t, w, gamma, alpha = (mpf(v) for v in (x, t, w, gamma, alpha))
    e = mp.exp(-abs(x))
    p = 1 / (1 + e) if x >= 0 else e / (1 + e)   # sigmoid(x)
    pc = e / (1 + e) if x >= 0 else 1 / (1 + e)  # 1 - sigmoid(x), without subtraction
    q = t * pc + (1 - t) * p
    a = t * alpha + (1 - t) * (1 - alpha)
    bce = max(x, 0) - x * t + mp.log1p(e)
    qg = q ** gamma if gamma != 0 else mpf(1)
    loss = a * qg * bce * w
    # dq/dx = (1 - 2t) p (1-p); d bce/dx = p - t; d(q^gamma)/dq = gamma q^(gamma-1)
    dfocal = gamma * q ** (gamma - 1) * (1 - 2 * t) * p * pc if gamma != 0 else mpf(0)
    terms = [dfocal * bce, qg * (1 - t) * p, -qg * t * pc]  # the last two are q^gamma * (p - t)
    grad = a * w * sum(terms)
    # condition number of that sum: how much its cancellation amplifies relative errors in the terms
    cond = sum(abs(v) for v in terms) / abs(sum(terms)) if sum(terms) != 0 else mpf(1)
    return loss, grad, qg, cond


def loss_only(x, t, w, gamma, alpha):
    return exact_focal(x, t, w, gamma, alpha)[0]


def rel_close(a, b, tol):
    if a == b:
        return True
    return abs(a - b) <= tol * max(abs(a), abs(b))


def exact_rows(rows):
    out = []
    for r in rows:
        with mp.workdps(EXACT_DPS):
            loss, grad, focal, cond = exact_focal(*r)
            focal_s = mpmath.nstr(focal, EXACT_DIGITS)
            loss_s = mpmath.nstr(loss, EXACT_DIGITS)
            grad_s = mpmath.nstr(grad, EXACT_DIGITS)
        with mp.workdps(CHECK_DPS):
            loss_c, grad_c, focal_c, _ = exact_focal(*r)
            grad_d = mpmath.diff(lambda v: loss_only(v, *r[1:]), mpf(r[0]))
            # the 50-digit values are converged, and the symbolic derivative is the derivative
            if not (rel_close(loss, loss_c, mpf(10) ** -45) and rel_close(grad, grad_c, mpf(10) ** -45)
                    and rel_close(focal, focal_c, mpf(10) ** -45)):
                sys.exit("exact value not converged at %d digits for %r" % (EXACT_DPS, r))
            if not rel_close(grad_c, grad_d, mpf(10) ** -45):
                sys.exit("symbolic gradient %s != mpmath.diff %s for %r"
                         % (mpmath.nstr(grad_c, 20), mpmath.nstr(grad_d, 20), r))
        out.append((loss_s, grad_s, focal_s, float("%.3g" % cond)))
    return out


# ---------------------------------------------------------------------------------------- output

def finite_inputs():
    blocks = [
        itertools.product(X_ALL, T_ALL, [1.0], GAMMA_ALL, ALPHA_ALL),
        itertools.product(X_PARAMS, T_ALL, [0.5, 0.0, 2.0], GAMMA_ALL, [0.25, 0.75]),
        itertools.product(X_PARAMS, T_ALL, W_ALL, GAMMA_SMALL, [0.25]),
    ]
    rows, seen = [], set()
    for block in blocks:
        for r in block:
            r = tuple(f32(v) for v in r)
            if r not in seen:
                seen.add(r)
                rows.append(r)
    return rows


def nonfinite_inputs():
    return list(itertools.product([INF, -INF, NAN], [0.0, 1.0, 0.25], [0.0, 1.0],
                                  [0.0, 0.5, 2.0], [0.25, 0.0, -0.5]))


def versions():
    return {"torch": torch.__version__, "numpy": np.__version__, "mpmath": mpmath.__version__,
            "exact_dps": EXACT_DPS}


def write(name, columns, rows):
    path = os.path.join(OUT_DIR, name)
    header = json.dumps({"format": "focal-oracle/1", "generated_with": versions(),
                         "columns": columns}, sort_keys=True)
    body = ",\n".join(json.dumps(list(r)) for r in rows)
    with open(path, "w", encoding="utf-8") as f:
        f.write(header[:-1] + ', "rows": [\n' + body + "\n]}\n")
    print("wrote %s (%d rows, %d bytes)" % (path, len(rows), os.path.getsize(path)))


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)

    rows = finite_inputs()
    l64, g64 = torch_rows(rows, torch.float64)
    l32, _ = torch_rows(rows, torch.float32)
    ex = exact_rows(rows)
    write("focal_finite.json",
          ["x", "t", "w", "gamma", "alpha", "loss_exact", "grad_exact", "focal_exact", "grad_cond",
           "loss_f64", "loss_f32", "grad_f64"],
          [list(r) + list(ex[i]) + [l64[i], l32[i], g64[i]] for i, r in enumerate(rows)])

    rows = nonfinite_inputs()
    l64, g64 = torch_rows(rows, torch.float64)
    l32, g32 = torch_rows(rows, torch.float32)
    write("focal_nonfinite.json",
          ["x", "t", "w", "gamma", "alpha", "loss_f64", "loss_f32", "grad_f64", "grad_f32"],
          [list(r) + [l64[i], l32[i], g64[i], g32[i]] for i, r in enumerate(rows)])


if __name__ == "__main__":
    main()
