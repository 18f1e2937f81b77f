#!/usr/bin/env bash
# Read speed of torch.save files against .npy (issue 18): the same 1 GiB float32 tensor
# (2^28 elements, torch.rand) as x.npy (np.save), x.pt (torch.save, zip) and x_legacy.pt
# (the legacy format), each evaluated by `focal eval --logits F --targets F` on one core,
# alternating, RUNS times (default 3). Prints wall, user and sys seconds per run.
#
#   bench/torch_read.sh [DIR] [RUNS]      DIR (default /tmp/torchbench) holds the 3 GiB of inputs
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd -P)
dir=${1:-/tmp/torchbench}
runs=${2:-3}
mkdir -p "$dir"
if [ ! -e "$dir/x_legacy.pt" ]; then
    /usr/bin/python3 - "$dir" <<'PY'
import sys
import numpy as np
import torch
d = sys.argv[1]
torch.manual_seed(0)
t = torch.rand(1 << 28)
torch.save({"x": t}, d + "/x.pt")
torch.save({"x": t}, d + "/x_legacy.pt", _use_new_zipfile_serialization=False)
np.save(d + "/x.npy", t.numpy())
PY
fi
cat "$dir"/x.npy "$dir"/x.pt "$dir"/x_legacy.pt > /dev/null  # into the page cache
for run in $(seq "$runs"); do
    for f in x.npy x.pt:x x_legacy.pt:x; do
        /usr/bin/time -f "$run $f wall=%e user=%U sys=%S" taskset -c 0 "$root/bin/focal" eval \
            --logits "$dir/$f" --targets "$dir/$f" --threads 1 --quiet --json > /dev/null
    done
done
