#!/usr/bin/env bash
# Times `focal eval` on a 1 GiB float32 logits tensor (and float32 targets of the same shape)
# stored as .npy and as .safetensors, whole processes, alternately, to show that a safetensors
# input is read as fast as an .npy (both are memory-mapped; docs/commands.md#safetensors).
#   bench/safetensors_read.sh [RUNS]        (default 5 timed runs of each, after one warm-up)
# Needs ~4.2 GB of free disk in DATA_DIR (default bench/data/st), numpy and GNU time; the data
# is kept. Prints each run's wall time and the medians of wall and CPU time.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
data=${DATA_DIR:-$here/data/st}
python=${PYTHON:-/usr/bin/python3}
runs=${1:-5}
mkdir -p "$data"
if [ ! -f "$data/.complete" ]; then
    "$python" - "$data" <<'PY'
import json, struct, sys
import numpy as np
d = sys.argv[1]
shape = (4, 22369621, 3)            # 268,435,452 float32 elements: 1 GiB
rng = np.random.default_rng(5)
x = np.lib.format.open_memmap(d + "/logits.npy", mode="w+", dtype=np.float32, shape=shape)
t = np.lib.format.open_memmap(d + "/targets.npy", mode="w+", dtype=np.float32, shape=shape)
step = 4_000_000
for b in range(shape[0]):
    for a0 in range(0, shape[1], step):
        n = min(step, shape[1] - a0)
        label = np.where(rng.random(n) < 0.01, rng.integers(1, 4, n), 0)
        onehot = np.eye(4, dtype=np.float32)[label][:, 1:]
        x[b, a0:a0 + n] = (-4.6 + rng.standard_normal((n, 3)) + 4 * onehot).astype(np.float32)
        t[b, a0:a0 + n] = onehot
for name, m in (("logits", x), ("targets", t)):
    m.flush()
    # The layout the safetensors package writes: a one-tensor header padded to 8 bytes.
    h = json.dumps({name: {"dtype": "F32", "shape": list(shape), "data_offsets": [0, m.nbytes]}},
                   separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(d + "/" + name + ".safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in range(shape[0]):
            f.write(m[b].tobytes())
PY
    touch "$data/.complete"
fi
ls -la "$data"
"$here/../bin/focal" --version > /dev/null
# One run: "WALL CPU" in seconds (CPU = user + system, which other load on the machine moves less).
run() {
    /usr/bin/time -f '%e %U %S' -o "$data/.time" "$here/../bin/focal" eval \
        --logits "$data/logits.$1" --targets "$data/targets.$1" > /dev/null
    awk '{printf "%s %.2f\n", $1, $2 + $3}' "$data/.time"
}
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run npy > /dev/null
run safetensors > /dev/null
: > "$data/.npy"
: > "$data/.safetensors"
for _ in $(seq "$runs"); do
    run npy >> "$data/.npy"
    run safetensors >> "$data/.safetensors"
done
for f in npy safetensors; do
    printf '%-12s wall %s  median %s s; cpu median %s s\n' "$f" "$(cut -d' ' -f1 "$data/.$f" | tr '\n' ' ')" \
        "$(cut -d' ' -f1 "$data/.$f" | median)" "$(cut -d' ' -f2 "$data/.$f" | median)"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
