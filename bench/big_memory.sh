#!/usr/bin/env bash
# Evaluates a 2.3 GB logits file under a 256 MiB heap, to show that inputs are mapped and the
# loss is streamed to its file rather than held on the heap. Needs ~8 GB of free disk in
# DATA_DIR (default bench/data/big), numpy for the data, and GNU time for the peak RSS.
#   bench/big_memory.sh [--keep]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
data=${DATA_DIR:-$here/data/big}
python=${PYTHON:-/usr/bin/python3}
mkdir -p "$data"
if [ ! -f "$data/.complete" ]; then
    "$python" - "$data" <<'PY'
import sys, numpy as np
d = sys.argv[1]
B, A, C = 4, 48_000_000, 3          # 576M elements: 2.3 GB of float32 logits
rng = np.random.default_rng(3)
shape = (B, A, C)
x = np.lib.format.open_memmap(d + "/logits.npy", mode="w+", dtype=np.float32, shape=shape)
t = np.lib.format.open_memmap(d + "/targets.npy", mode="w+", dtype=np.float32, shape=shape)
w = np.lib.format.open_memmap(d + "/weights.npy", mode="w+", dtype=np.float32, shape=(B, A))
step = 4_000_000
for b in range(B):
    for a0 in range(0, A, step):
        n = min(step, A - a0)
        label = np.where(rng.random(n) < 0.01, rng.integers(1, C + 1, n), 0)
        onehot = np.eye(C + 1, dtype=np.float32)[label][:, 1:]
        x[b, a0:a0 + n] = (-4.6 + rng.standard_normal((n, C)) + 4 * onehot).astype(np.float32)
        t[b, a0:a0 + n] = onehot
        w[b, a0:a0 + n] = np.where(rng.random(n) < 0.03, 0, 1.0 / 480_000).astype(np.float32)
for m in (x, t, w):
    m.flush()
PY
    touch "$data/.complete"
fi
ls -la "$data"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo ">>> JAVA_OPTS=-Xmx256m bin/focal eval ... --out loss.npy --stats stats.json"
JAVA_OPTS=-Xmx256m /usr/bin/time -f "wall %e s, peak RSS %M KB (mapped file pages count as RSS; the heap is capped at 256 MiB)" \
    "$here/../bin/focal" eval --logits "$data/logits.npy" --targets "$data/targets.npy" \
    --weights "$data/weights.npy" --out "$out/loss.npy" --stats "$out/stats.json" > /dev/null
ls -la "$out"
grep -A3 '"loss"' "$out/stats.json"
