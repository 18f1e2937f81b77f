#!/usr/bin/env bash
# bench/heatmap.sh [PAIRS]: the heatmap focal losses against the sigmoid focal loss on the same
# 10M float32 elements, whole processes, alternated (bench/pairs.py). The input is a (4, 500, 500, 10)
# class-last heatmap: logits around the heads' prior, Gaussian bumps with a peak each.
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-11}
dir=${TMPDIR:-/tmp}/focal-heatmap-bench
mkdir -p "$dir"
if [ ! -e "$dir/targets.npy" ]; then
    /usr/bin/python3 - "$dir" <<'PY'
import sys
import numpy as np
d = sys.argv[1]
rng = np.random.default_rng(6)
shape = (4, 500, 500, 10)
np.save(d + "/logits.npy", rng.normal(-2.19, 2.0, size=shape).astype(np.float32))
t = np.zeros(shape, dtype=np.float32)
yy, xx = np.mgrid[-6:7, -6:7]
bump = np.exp(-(yy ** 2 + xx ** 2) / 8.0).astype(np.float32)
for _ in range(400):
    b, c = rng.integers(4), rng.integers(10)
    y, x = rng.integers(6, 494, size=2)
    t[b, y - 6:y + 7, x - 6:x + 7, c] = np.maximum(t[b, y - 6:y + 7, x - 6:x + 7, c], bump)
np.save(d + "/targets.npy", t)
PY
fi
bin/focal --version >/dev/null  # builds the jar when it is missing or stale
in="--logits $dir/logits.npy --targets $dir/targets.npy --quiet"
for loss in centernet gaussian; do
    echo "sigmoid-focal (A) vs $loss (B):"
    python3 bench/pairs.py "$pairs" "bin/focal eval $in" "bin/focal eval $in --loss $loss"
done
