#!/usr/bin/python3
"""Oracle fixtures for `focal compare` (dev.focal.compare.TensorComparison): tensor pairs at the
edges of torch.testing.assert_close's closeness rule, and what assert_close did with each.

Regenerate with:   /usr/bin/python3 tools/oracle/compare_oracle.py
(needs torch and numpy; deterministic: the same library versions give byte-identical files)

docs/semantics.md#comparison-tolerances: close iff |actual - expected| <= atol + rtol * |expected| element-wise,
infinities must match exactly, NaN equals NaN only with equal_nan, default (rtol, atol) by dtype,
the larger of the two dtypes'. Every verdict below is torch's: each pair is handed to
torch.testing.assert_close(actual, expected, rtol=, atol=, equal_nan=, check_dtype=False) and the
outcome recorded (check_dtype=False because focal compares differing float dtypes; torch then
promotes both to torch.promote_types and compares in float64, its default tolerances being the
larger of the two dtypes' -- the same rule as docs/semantics.md#default-tolerances, checked below with default_tolerances).

Files written to src/test/resources/compare/:

  pairs/<case>.expected.npy, pairs/<case>.actual.npy   np.save of each pair (one pair is saved
                                                        in Fortran order, as numpy writes it)
  bundle.npz, bundle.json    members "expected" and "actual" of the case BUNDLE_CASE, for
                             comparisons across formats (JSON: the typed form, dtype kept)
  expected.json   {"format": "focal-compare-oracle/1", "generated_with": {...},
                   "cases": [{
     "name", "description",
     "expected", "actual"      file names under pairs/
     "rtol", "atol"            given to assert_close, or null for its defaults
     "equal_nan"
     "torch": {
       "passed"                assert_close returned (true) or raised AssertionError (false)
       "rtol", "atol"          the tolerances torch used (its defaults when none were given)
       "message"               the first line of torch's message, null when it passed
       "attribute"             "shape" when torch refused on an attribute, else null
       "total"                 number of elements (null on a shape mismatch)
       "mismatched"            from "Mismatched elements: M / N"; for 0-d tensors torch prints no
                               count, 0 or 1 is then recorded from torch.isclose
       "atol_only"             finite pairs close at (rtol, atol) but not at (rtol, 0): those that
                               pass only because of atol (0 when either tolerance is 0)
       "max_abs_diff", "max_rel_diff"
                               {"value", "index"} from "Greatest absolute/relative difference: V at
                               index (i, j)"; null when torch passed; torch takes them over the
                               mismatched elements only, NaN propagating (value NaN then)
     },
     "min_rtol", "min_atol"    the smallest double rtol (at the used atol) and atol (at the used
                               rtol) with which isclose's rule, d finite and d <= atol + |rtol*e|
                               in torch float64 arithmetic, holds for every pair whose values are
                               both finite (d = |actual - expected|, exact for integer pairs):
                               bisection over doubles, so it holds at the value and fails at the
                               next smaller double. null when a NaN or infinity mismatch makes
                               every tolerance fail; Infinity when no finite value works (an
                               expected 0 differing by more than atol, or d overflowing).
     "focal_differs"           null, or why focal's verdict is not torch's (see below)
  }]}

Where focal deliberately differs from torch 1.13, the case says so in "focal_differs" and the
"focal" object holds focal's verdict: torch's isclose on int64 with a nonzero tolerance works in
float32 (rtol * int64 tensor is float32), which rounds the difference, and torch compares an
integer with a float32 tensor in float32 (torch.promote_types); focal compares integers exactly
and integers against floats in double.

Non-finite numbers are Python json's bare NaN, Infinity, -Infinity
(Jackson: enable JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).
"""

import json
import os
import re
import shutil

import numpy as np
import torch
from torch.testing._comparison import default_tolerances

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "src", "test", "resources", "compare"))
PAIRS = os.path.join(OUT_DIR, "pairs")
BUNDLE_CASE = "f32_above_3d"

torch.set_num_threads(1)

NAN = float("nan")
INF = float("inf")

# Expected values for the boundary cases: zero, both signs, tiny, large, fractional.
BOUNDARY_VALUES = [0.0, 1.0, -1.0, 0.5, 3.14159, -2.75, 1e-3, 100.0, -12345.678, 1e-6, 7.0, -0.0625]


# ------------------------------------------------------------------------------- boundaries

def allowed(e, rtol, atol):
    """torch.isclose's allowed error, as it forms it in float64: atol + |rtol * expected|."""
    return np.float64(atol) + np.abs(np.float64(rtol) * np.float64(e))


def within(a, e, rtol, atol):
    d = np.abs(np.float64(a) - np.float64(e))
    return bool(np.isfinite(d) and d <= allowed(e, rtol, atol))


def farthest_close(e, dtype, rtol, atol, direction):
    """The value of `dtype` farthest from e in `direction` (+1 up, -1 down) that is still close."""
    toward = np.array(direction * INF, dtype=dtype)
    a = np.array(np.float64(e) + direction * allowed(e, rtol, atol), dtype=dtype)
    while not within(a, e, rtol, atol):
        a = np.nextafter(a, -toward)
    while True:
        nxt = np.nextafter(a, toward)
        if not within(nxt, e, rtol, atol):
            return a
        a = nxt


def boundary_pair(exp_dtype, act_dtype, rtol, atol, shape, over=(), values=BOUNDARY_VALUES, seed=0):
    """Expected values and actuals at exactly the tolerance, alternating above and below; the flat
    indices in `over` are moved one ulp of the actual dtype beyond it."""
    n = int(np.prod(shape))
    rng = np.random.default_rng(seed)
    base = list(values) + list(rng.uniform(-50, 50, size=max(0, n - len(values))))
    expected = np.array(base[:n], dtype=exp_dtype)
    actual = np.empty(n, dtype=act_dtype)
    for i, e in enumerate(expected):
        direction = 1 if i % 2 == 0 else -1
        a = farthest_close(e, act_dtype, rtol, atol, direction)
        if i in over:
            a = np.nextafter(a, np.array(direction * INF, dtype=act_dtype))
            assert not within(a, e, rtol, atol)
        actual[i] = a
    return expected.reshape(shape), actual.reshape(shape)


# ------------------------------------------------------------------------------- torch's verdict

def as_tensor(x):
    # np.ascontiguousarray would turn a 0-d array into shape (1,).
    return torch.from_numpy(np.array(x, order="C", copy=True))


def parse_diff(message, kind):
    m = re.search(r"Greatest %s difference: (\S+) at index \(([^)]*)\)" % kind, message)
    if m is None:
        m = re.search(r"^%s difference: (\S+)" % kind.title(), message, re.M)
        return None if m is None else {"value": float(m.group(1)), "index": []}
    index = [int(s) for s in m.group(2).split(",") if s.strip()]
    return {"value": float(m.group(1)), "index": index}


def torch_verdict(expected, actual, rtol, atol, equal_nan):
    te, ta = as_tensor(expected), as_tensor(actual)
    used = (rtol, atol) if rtol is not None else default_tolerances(ta, te)
    out = {"passed": True, "rtol": used[0], "atol": used[1], "message": None, "attribute": None,
           "total": int(te.numel()) if te.shape == ta.shape else None,
           "mismatched": 0 if te.shape == ta.shape else None, "max_abs_diff": None, "max_rel_diff": None}
    if te.shape == ta.shape and used[0] > 0 and used[1] > 0:
        # Elements torch passes only because of atol: close at (rtol, atol), not at (rtol, 0).
        e64, a64 = te.to(torch.float64), ta.to(torch.float64)
        finite = torch.isfinite(e64) & torch.isfinite(a64)
        with_atol = torch.isclose(a64, e64, rtol=used[0], atol=used[1])
        without = torch.isclose(a64, e64, rtol=used[0], atol=0.0)
        out["atol_only"] = int((finite & with_atol & ~without).sum())
    else:
        out["atol_only"] = 0 if te.shape == ta.shape else None
    try:
        torch.testing.assert_close(ta, te, rtol=rtol, atol=atol, equal_nan=equal_nan, check_dtype=False)
        return out
    except AssertionError as err:
        message = str(err)
    out["passed"] = False
    out["message"] = message.splitlines()[0]
    attr = re.search(r"The values for attribute '(\w+)' do not match", message)
    if attr:
        out["attribute"] = attr.group(1)
        return out
    m = re.search(r"Mismatched elements: (\d+) / (\d+)", message)
    if m:
        out["mismatched"] = int(m.group(1))
        assert int(m.group(2)) == out["total"]
    else:
        # Scalars: torch prints no count.
        close = torch.isclose(ta.to(torch.float64), te.to(torch.float64), rtol=used[0], atol=used[1],
                              equal_nan=equal_nan)
        out["mismatched"] = int((~close).sum())
    out["max_abs_diff"] = parse_diff(message, "absolute")
    out["max_rel_diff"] = parse_diff(message, "relative")
    return out


# ------------------------------------------------------------------------------- smallest tolerances

def smallest(passes):
    """The smallest double x >= 0 with passes(x), passes being monotone in x; inf when none is.
    Bisection over the bit patterns (ordered like the values for x >= 0): a wide run of doubles
    can round to the same allowed error, so no formula pins the smallest one."""
    if passes(0.0):
        return 0.0
    top = np.finfo(np.float64).max
    if not passes(top):
        return INF
    lo, hi = 0, int(np.float64(top).view(np.int64))
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if passes(float(np.int64(mid).view(np.float64))):
            hi = mid
        else:
            lo = mid
    return float(np.int64(hi).view(np.float64))


def finite_differences(expected, actual):
    """|actual - expected| and expected in float64 over the pairs whose values are both finite.
    Integer pairs subtract exactly (Python ints), then round once, as focal does."""
    if expected.dtype.kind in "biu" and actual.dtype.kind in "biu":
        d = [float(abs(int(a) - int(e))) for e, a in zip(expected.ravel().tolist(), actual.ravel().tolist())]
        return torch.tensor(d, dtype=torch.float64), torch.from_numpy(expected.astype(np.float64).ravel())
    e = as_tensor(expected).to(torch.float64).flatten()
    a = as_tensor(actual).to(torch.float64).flatten()
    finite = torch.isfinite(e) & torch.isfinite(a)
    return (a[finite] - e[finite]).abs(), e[finite]


def min_tolerances(expected, actual, rtol, atol, equal_nan, torch_out):
    """Smallest rtol at atol and atol at rtol over the pairs whose values are both finite, by
    isclose's rule in float64: d finite and d <= atol + |rtol * e|."""
    if torch_out["attribute"] is not None:
        return None, None
    e = as_tensor(expected).to(torch.float64).flatten()
    a = as_tensor(actual).to(torch.float64).flatten()
    nonfinite = ~(torch.isfinite(e) & torch.isfinite(a))
    if not bool(torch.isclose(a[nonfinite], e[nonfinite], rtol=rtol, atol=atol, equal_nan=equal_nan).all()):
        return None, None
    d, e = finite_differences(expected, actual)

    def passes(r, t):
        return bool((torch.isfinite(d) & (d <= t + (r * e).abs())).all())

    return smallest(lambda r: passes(r, atol)), smallest(lambda t: passes(rtol, t))


# ------------------------------------------------------------------------------- the cases

def cases():
    f16, f32, f64 = np.float16, np.float32, np.float64
    d32 = default_tolerances(torch.float32)
    d64 = default_tolerances(torch.float64)
    d16 = default_tolerances(torch.float16)
    # docs/semantics.md#default-tolerances: mixed dtypes take the larger of each tolerance; torch 1.13 agrees.
    assert default_tolerances(torch.float32, torch.float64) == d32
    assert default_tolerances(torch.float16, torch.float32) == d16
    assert default_tolerances(torch.int64, torch.float32) == d32
    assert default_tolerances(torch.int64, torch.int32) == (0.0, 0.0)
    out = []

    def add(name, description, expected, actual, rtol=None, atol=None, equal_nan=False, differs=None,
            fortran_actual=False):
        out.append(dict(name=name, description=description, expected_array=expected, actual_array=actual,
                        rtol=rtol, atol=atol, equal_nan=equal_nan, differs=differs,
                        fortran_actual=fortran_actual))

    # Boundaries: every element at exactly atol + rtol*|e| (close), then some one ulp beyond.
    grid = [("f32", f32, f32, d32), ("f64", f64, f64, d64), ("f16", f16, f16, d16),
            ("f32_f64", f32, f64, d32), ("f64_f32", f64, f32, d32),
            ("f16_f32", f16, f32, d16), ("f32_f16", f32, f16, d16)]
    for tag, de, da, (rtol, atol) in grid:
        e, a = boundary_pair(de, da, rtol, atol, (3, 4))
        add(tag + "_at_tolerance", "%s expected, %s actual: every element exactly at the default tolerance"
            % (np.dtype(de).name, np.dtype(da).name), e, a)
        e, a = boundary_pair(de, da, rtol, atol, (3, 4), over=(0, 7, 8))
        add(tag + "_one_ulp_over", "as %s_at_tolerance, elements 0 (expected 0), 7 and 8 (the largest)"
            " one ulp of the actual dtype beyond it" % tag, e, a)

    rtol, atol = 1e-3, 1e-4
    e, a = boundary_pair(f32, f32, rtol, atol, (2, 6))
    add("f32_explicit_at_tolerance", "float32, rtol=1e-3 atol=1e-4 given, every element at the tolerance",
        e, a, rtol=rtol, atol=atol)
    e, a = boundary_pair(f32, f32, rtol, atol, (2, 6), over=(3, 5, 11))
    add("f32_explicit_one_ulp_over", "as f32_explicit_at_tolerance, three elements one ulp beyond",
        e, a, rtol=rtol, atol=atol)
    e, a = boundary_pair(f32, f32, 1.3e-6, 1e-5, (2, 6))
    add("f32_explicit_zero", "float32 pairs at the default tolerance, compared with rtol=0 atol=0 (equality)",
        e, a, rtol=0.0, atol=0.0)

    e, a = boundary_pair(f32, f32, 1.3e-6, 1e-5, (4, 50, 6), over=(7, 333, 1001), seed=5)
    add(BUNDLE_CASE, "float32 (4, 50, 6) at the default tolerance, three elements one ulp beyond", e, a)
    add("f32_above_3d_fortran", "as %s, the actual saved in Fortran order" % BUNDLE_CASE, e, a,
        fortran_actual=True)

    nan_e = np.array([1.0, NAN, 3.0, NAN], dtype=f32)
    nan_a = np.array([1.0, NAN, 3.0, NAN], dtype=f32)
    add("nan_vs_nan", "NaN against NaN without equal_nan", nan_e, nan_a)
    add("nan_vs_nan_equal_nan", "NaN against NaN with equal_nan", nan_e, nan_a, equal_nan=True)
    add("nan_vs_number", "NaN against numbers both ways, with equal_nan",
        np.array([1.0, NAN, 3.0, 4.0], dtype=f32), np.array([1.0, 2.0, NAN, 4.0], dtype=f32), equal_nan=True)
    add("nan_and_finite_mismatch", "a NaN mismatch and a finite one: torch's greatest differences are NaN",
        np.array([[1.0, 2.0], [3.0, 4.0]], dtype=f64), np.array([[1.0, NAN], [3.5, 4.0]], dtype=f64))
    add("inf_vs_inf", "matching infinities of both signs", np.array([INF, -INF, 1.0], dtype=f32),
        np.array([INF, -INF, 1.0], dtype=f32))
    add("inf_vs_neg_inf", "inf against -inf", np.array([1.0, INF], dtype=f32), np.array([1.0, -INF], dtype=f32))
    big = float(np.finfo(np.float32).max)
    add("inf_vs_large_finite", "inf against float32's largest value, both ways, with huge tolerances",
        np.array([INF, big, 2.0], dtype=f32), np.array([big, INF, 2.0], dtype=f32), rtol=1e30, atol=1e30)
    add("finite_difference_overflows", "1e308 against -1e308: the difference overflows to inf",
        np.array([1e308, 0.0], dtype=f64), np.array([-1e308, 0.0], dtype=f64), rtol=1e300, atol=1e300)
    add("zero_expected", "expected zeros: within atol, and beyond it (relative difference inf)",
        np.array([0.0, 0.0, -0.0, 5.0], dtype=f32), np.array([5e-6, 2e-5, 0.0, 5.0], dtype=f32))
    add("signed_zero", "-0.0 against 0.0 with rtol=0 atol=0", np.array([0.0, -0.0], dtype=f64),
        np.array([-0.0, 0.0], dtype=f64), rtol=0.0, atol=0.0)

    add("shape_2x3_3x2", "shapes (2, 3) and (3, 2)", np.zeros((2, 3), f32), np.zeros((3, 2), f32))
    add("shape_6_2x3", "shapes (6,) and (2, 3)", np.zeros(6, f32), np.zeros((2, 3), f32))
    add("shape_scalar_1", "shapes () and (1,)", np.array(1.0, f32), np.ones(1, f32))
    add("scalar_close", "0-d float64, close", np.array(2.0, f64), np.array(2.0 + 1e-8, f64))
    add("scalar_not_close", "0-d float64, not close", np.array(2.0, f64), np.array(2.5, f64))
    add("empty", "empty (0, 3) float32 arrays", np.zeros((0, 3), f32), np.zeros((0, 3), f32))

    add("int64_equal", "int64, equal, with values beyond 2^53", np.array([1, -5, 2**62, -2**63], np.int64),
        np.array([1, -5, 2**62, -2**63], np.int64))
    add("int64_off_by_one", "int64 2^62 against 2^62 + 1: default tolerances are 0 for integers",
        np.array([1, 2**62, 3], np.int64), np.array([1, 2**62 + 1, 3], np.int64))
    add("int32_int64", "int32 against int64", np.array([[1, 2], [3, 4]], np.int32),
        np.array([[1, 2], [3, 5]], np.int64))
    add("bool", "bool against bool", np.array([True, False, True]), np.array([True, True, True]))
    add("int64_explicit", "int64 with rtol=0.2, atol=0", np.array([10, 100, 20], np.int64),
        np.array([12, 150, 24], np.int64), rtol=0.2, atol=0.0)
    add("int64_float32_rounding", "int64 2^24+1 against 2^24 with atol=0.5",
        np.array([2**24], np.int64), np.array([2**24 + 1], np.int64), rtol=0.0, atol=0.5,
        differs="torch 1.13 forms int64 closeness in float32 when a tolerance is nonzero, so 2^24+1 and 2^24"
                " pass atol=0.5; focal compares integers exactly: the difference 1 exceeds 0.5")
    add("int64_vs_float32", "int64 against float32: float32's default tolerances",
        np.array([1, 2, 3000000], np.int64), np.array([1.0, 2.00002, 3000004.0], f32))
    add("int64_vs_float32_promotion", "int64 2^24+1 against float32 2^24 with rtol=0 atol=0",
        np.array([2**24 + 1], np.int64), np.array([2.0**24], f32), rtol=0.0, atol=0.0,
        differs="torch 1.13 promotes int64 and float32 to float32 (torch.promote_types) before comparing, which"
                " rounds 2^24+1 to 2^24; focal compares in double, where they differ by 1")
    return out


def main():
    if os.path.isdir(PAIRS):
        shutil.rmtree(PAIRS)
    os.makedirs(PAIRS)
    records = []
    by_name = {}
    for c in cases():
        name = c["name"]
        exp_file, act_file = name + ".expected.npy", name + ".actual.npy"
        np.save(os.path.join(PAIRS, exp_file), c["expected_array"])
        actual = np.asfortranarray(c["actual_array"]) if c["fortran_actual"] else c["actual_array"]
        np.save(os.path.join(PAIRS, act_file), actual)
        verdict = torch_verdict(c["expected_array"], c["actual_array"], c["rtol"], c["atol"], c["equal_nan"])
        min_r, min_a = min_tolerances(c["expected_array"], c["actual_array"], verdict["rtol"], verdict["atol"],
                                      c["equal_nan"], verdict)
        rec = {"name": name, "description": c["description"], "expected": exp_file, "actual": act_file,
               "rtol": c["rtol"], "atol": c["atol"], "equal_nan": c["equal_nan"], "torch": verdict,
               "min_rtol": min_r, "min_atol": min_a, "focal_differs": c["differs"]}
        if c["differs"]:
            rec["focal"] = {"passed": False, "mismatched": 1}
        records.append(rec)
        by_name[name] = c

    # Sanity of the construction: torch agrees with the intended verdicts.
    for r in records:
        n = r["name"]
        if n.endswith("_at_tolerance"):
            assert r["torch"]["passed"], n
        if n.endswith("_one_ulp_over"):
            assert not r["torch"]["passed"] and r["torch"]["mismatched"] == 3, (n, r["torch"])

    c = by_name[BUNDLE_CASE]
    np.savez(os.path.join(OUT_DIR, "bundle.npz"), expected=c["expected_array"], actual=c["actual_array"])
    with open(os.path.join(OUT_DIR, "bundle.json"), "w") as f:
        json.dump({k: {"dtype": str(v.dtype), "shape": list(v.shape), "data": v.tolist()}
                   for k, v in (("expected", c["expected_array"]), ("actual", c["actual_array"]))}, f)

    doc = {"format": "focal-compare-oracle/1",
           "generated_with": {"torch": torch.__version__, "numpy": np.__version__,
                              "script": "tools/oracle/compare_oracle.py"},
           "bundle_case": BUNDLE_CASE,
           "cases": records}
    with open(os.path.join(OUT_DIR, "expected.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote %d cases to %s" % (len(records), OUT_DIR))


if __name__ == "__main__":
    main()
