#!/usr/bin/env python3
"""Run one command and print its wall time in seconds, read from a monotonic clock.

Usage: timed.py STDOUT_FILE STDERR_FILE COMMAND [ARG...]

The clock (time.perf_counter_ns, CLOCK_MONOTONIC on Linux) is read just before the child is
started and just after it has been reaped, so the interval is the whole child process
(fork/exec, runtime start-up, work, exit) and none of this wrapper's own start-up.
The child's stdin is /dev/null; its stdout and stderr go to the given files (/dev/null is
fine). Exits with the child's exit code (128 + N when killed by signal N).
"""
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    out_path, err_path, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter_ns()
        rc = subprocess.call(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        t1 = time.perf_counter_ns()
    print(f"{(t1 - t0) / 1e9:.6f}")
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    sys.exit(main())
