#!/usr/bin/python3
"""Many dumps in one `focal eval` against one `focal eval` per dump (docs/commands.md#many-dumps).

Usage: bench/dumps.py [--runs N] [--sets small,1m] [--data-dir DIR]

Sets (seeded np.savez bundles of logits, targets and weights, laid out as bench/gen_data.py
lays them: ~1% positive anchors, ~3% ignored, the prior logit plus noise):
  small  40 dumps of (1, 400, 3): 1,200 elements each, where start-up is the whole cost
  1m     20 dumps of (4, 83334, 3): 1,000,008 elements each, ~12 MB per bundle

For each set: one call `focal eval DIR --table OUT.csv --quiet` (the folder's bundles, in
natural order) against a loop of calls `focal eval FILE --quiet`, one per dump, run one after
another. Each runs once untimed (page cache, class-data archive), then the two alternate, N
times each (default 5), each timed as a whole with a monotonic clock (the loop as one interval
of all its processes). Prints the medians, the ratio loop/one-call (> 1: the one call is faster)
and the load average. The loss sums of both agree: the script checks the table's loss.sum of
each dump against the loop's --json summaries in the first round.

Data goes to bench/data/dumps-SET (bench/.gitignore ignores bench/data), made only when
missing. Environment: FOCAL (default bin/focal of this repository).
"""
import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)
from gen_data import sample  # noqa: E402  (the layout of bench/compare.sh's inputs)

SETS = {"small": (40, 1, 400, 3), "1m": (20, 4, 83334, 3)}


def ensure(name, data_dir):
    n, b, a, c = SETS[name]
    d = os.path.join(data_dir, "dumps-" + name)
    stamp = os.path.join(d, ".complete")
    want = "n=%d shape=%d,%d,%d seed=21" % (n, b, a, c)
    if os.path.exists(stamp) and open(stamp).read() == want:
        return d
    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(21)
    for i in range(n):
        parts = [sample(rng, a, c) for _ in range(b)]
        np.savez(os.path.join(d, "iter_%d.npz" % (i * 100)), logits=np.stack([p[0] for p in parts]),
                 targets=np.stack([p[1] for p in parts]), weights=np.stack([p[2] for p in parts]))
    with open(stamp, "w") as f:
        f.write(want)
    return d


def run(cmd, out=subprocess.DEVNULL):
    rc = subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.DEVNULL)
    if rc != 0:
        sys.exit("dumps.py: exit %d from %s" % (rc, " ".join(cmd)))


def timed(fn):
    t0 = time.perf_counter_ns()
    fn()
    return (time.perf_counter_ns() - t0) / 1e9


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--sets", default="small,1m")
    p.add_argument("--data-dir", default=os.path.join(BENCH, "data"))
    args = p.parse_args()
    focal = os.environ.get("FOCAL", os.path.join(os.path.dirname(BENCH), "bin", "focal"))
    run([focal, "--version"])
    print("load average at start: %.2f %.2f %.2f" % os.getloadavg())
    for name in args.sets.split(","):
        d = ensure(name, args.data_dir)
        files = sorted((f for f in os.listdir(d) if f.endswith(".npz")), key=lambda f: int(f[5:-4]))
        table = os.path.join(d, "..", "dumps-%s.csv" % name)
        one = lambda: run([focal, "eval", d, "--table", table, "--quiet"])
        loop = lambda: [run([focal, "eval", os.path.join(d, f), "--quiet"]) for f in files]
        one()
        sums = []
        for f in files:
            r = subprocess.run([focal, "eval", os.path.join(d, f), "--json"], capture_output=True, check=True)
            sums.append(json.loads(r.stdout)["loss"]["sum"])
        with open(table, newline="") as t:
            rows = list(csv.DictReader(t))
        assert [float(r["loss.sum"]) for r in rows] == sums, "the table and the single runs disagree"
        t_one, t_loop = [], []
        for _ in range(args.runs):
            t_one.append(timed(one))
            t_loop.append(timed(loop))
        m_one, m_loop = statistics.median(t_one), statistics.median(t_loop)
        n, b, a, c = SETS[name]
        print("%-5s %2d dumps of %s: one call %.3f s, %d calls %.3f s, ratio %.2f" % (
            name, n, "x".join(map(str, (b, a, c))), m_one, n, m_loop, m_loop / m_one))
        print("      one call: %s" % " ".join("%.3f" % t for t in t_one))
        print("      calls:    %s" % " ".join("%.3f" % t for t in t_loop))
    print("load average at end: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
