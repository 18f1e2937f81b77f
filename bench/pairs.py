#!/usr/bin/env python3
"""Alternated A/B timing of two commands: the measurement behind each JIT flag focal keeps.

Usage: pairs.py N 'COMMAND A' 'COMMAND B'

Runs A once and B once untimed (page cache, archives), then N pairs A B A B ..., each a whole
process timed with a monotonic clock (stdout and stderr to /dev/null). Prints the medians of A
and of B, and the median over the pairs of B/A - 1 (negative: B is faster), so a drift of the
machine during the run cancels out of each pair. A command that fails stops the run.
The commands are split by shlex, not run by a shell.
"""
import shlex
import statistics
import subprocess
import sys
import time


def timed(cmd):
    t0 = time.perf_counter_ns()
    rc = subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    t1 = time.perf_counter_ns()
    if rc != 0:
        sys.exit(f"pairs.py: exit {rc} from {shlex.join(cmd)}")
    return (t1 - t0) / 1e9


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    n, a, b = int(sys.argv[1]), shlex.split(sys.argv[2]), shlex.split(sys.argv[3])
    timed(a)
    timed(b)
    ta, tb = [], []
    for _ in range(n):
        ta.append(timed(a))
        tb.append(timed(b))
    change = statistics.median(y / x - 1 for x, y in zip(ta, tb))
    print(f"A {statistics.median(ta):.3f} s  B {statistics.median(tb):.3f} s  "
          f"B/A-1 {change * 100:+.1f}% (median of {n} pairs)")


if __name__ == "__main__":
    main()
