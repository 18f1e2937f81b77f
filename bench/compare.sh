#!/usr/bin/env bash
# bench/compare.sh: end-to-end timing of `focal eval` against a PyTorch and a numpy script
# that compute the same loss op by op. Whole processes are timed, start-up included.
# Run with --help for the details.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/compare.sh [--sizes LIST] [--runs N] [--java-opts "FLAGS"] [--data-dir DIR]
                        [--keep] [--help]

Times whole processes side by side: focal (`bin/focal eval`), bench/peer_torch.py and
bench/peer_numpy.py, each reading the same inputs, evaluating OpenPCDet's sigmoid focal
classification loss (docs/semantics.md#per-element-loss, gamma 2, alpha 0.25, weights (B, A) unsqueezed to
(B, A, 1)), writing the per-element loss to .npy and reporting the loss sum (float64) and the
positive / negative / ignored anchor counts:

  focal  bin/focal eval --logits L.npy --targets T.npy --weights W.npy --out OUT.npy --stats S.json
         (stdout, the summary table, to /dev/null; sum and counts read from S.json)
  torch  python3 bench/peer_torch.py --logits L.npy --targets T.npy --weights W.npy --out OUT.npy
         (torch 1.x CPU, torch.set_num_threads(2), float32 tensors)
  numpy  python3 bench/peer_numpy.py ... (same arguments; float32 arrays, literal formula)

Sizes (--sizes, comma-separated, default 10m,50m,json):
  10m   logits and one-hot targets float32 (4, 833333, 3), weights float32 (4, 833333):
        ~1% positive anchors, ~3% ignored (weight 0), logits at the prior -4.6 + N(0, 1) noise,
        weights 1 / positives per sample (as the anchor head makes them). ~120 MB of .npy.
  50m   the same layout, (4, 4166667, 3): ~600 MB of .npy, plus ~1 GB of outputs in the temp
        directory. Free disk space is checked first; the size is skipped when it is short.
  json  a 1,200-element JSON bundle {"logits": [[[...]]], "targets": ..., "weights": ...},
        shape (1, 400, 3), where start-up dominates. focal runs `bin/focal eval bundle.json`;
        the peers use json.load + torch.tensor / np.array. All three compute in float64 here,
        since focal reads untyped JSON numbers as float64 (as numpy does).

Method, per size: focal is built first (`bin/focal --version`, which triggers the launcher's
first-run build). Each tool runs once as a warm-up (untimed; it also fills the page cache), then
the tools run alternately, focal torch numpy focal torch numpy ..., N times each (--runs,
default 5). Every run is timed as a whole process with a monotonic clock (bench/timed.py:
time.perf_counter_ns around fork/exec/wait; `date +%s%N` if python3 is missing), stdout to
/dev/null (the peers' one summary line to a small file), each tool writing its own output
files in a fresh temp directory (under $TMPDIR, else /tmp). A focal run that rebuilt the jar
(because someone edited the sources meanwhile) is discarded and repeated.

Output: a table of median seconds per tool and the ratios torch/focal and numpy/focal
(> 1: focal is faster), the raw times, and the loss sum and anchor counts each tool reported,
so a reader can see that they agree. The load average is printed at the start and the end:
on a busy machine the numbers mean little.

Data is generated (seeded, with /usr/bin/python3 + numpy) into the cache directory
(--data-dir, default bench/data/, which bench/.gitignore ignores) only when missing.

Options:
  --sizes LIST       which sizes to run, from 10m, 50m, json (default: all three)
  --runs N           timed runs per tool and size (default 5)
  --java-opts FLAGS  JVM flags for focal, passed as JAVA_OPTS (default: JAVA_OPTS as inherited)
  --data-dir DIR     cache directory for the inputs (default: bench/data next to this script)
  --keep             keep the temp directory with the outputs and logs, and say where it is
  -h, --help         this text

Environment:
  FOCAL    the focal launcher to time (default: bin/focal of this repository)
  PYTHON   the Python for the torch peer and the data (default /usr/bin/python3, Debian's torch)
  NUMPY_PYTHON  the Python for the numpy peer (default: python3 on PATH): a current numpy, 2.x,
           as a user installs it today, run with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset
  TMPDIR   where the temp directory goes (default /tmp)

A peer is skipped, with a note, when PYTHON is missing or cannot `import torch` / `import numpy`.
The script can be run from any directory. Exit status: 0 when every tool ran on every size it
was asked for; 1 when a tool failed, a size was skipped or the data could not be generated
(the table still shows what did run); 2 on a usage error.
EOF
}

die() { echo "compare.sh: $*" >&2; exit 1; }
note() { echo "compare.sh: $*" >&2; }

bench_dir=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)
repo_dir=$(dirname "$bench_dir")

sizes_arg="10m,50m,json"
runs=5
java_opts_set=0
java_opts=""
data_dir="$bench_dir/data"
keep=0

while [[ $# -gt 0 ]]; do
    case $1 in
        --sizes) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; sizes_arg=$2; shift 2 ;;
        --sizes=*) sizes_arg=${1#*=}; shift ;;
        --runs) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; runs=$2; shift 2 ;;
        --runs=*) runs=${1#*=}; shift ;;
        --java-opts) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; java_opts=$2; java_opts_set=1; shift 2 ;;
        --java-opts=*) java_opts=${1#*=}; java_opts_set=1; shift ;;
        --data-dir) [[ $# -ge 2 ]] || { usage >&2; exit 2; }; data_dir=$2; shift 2 ;;
        --data-dir=*) data_dir=${1#*=}; shift ;;
        --keep) keep=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "compare.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done

[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --runs must be a positive integer, not '$runs'" >&2; exit 2; }
IFS=, read -r -a sizes <<<"$sizes_arg"
[[ ${#sizes[@]} -gt 0 ]] || { echo "compare.sh: --sizes is empty" >&2; exit 2; }
for s in "${sizes[@]}"; do
    case $s in
        10m|50m|json) ;;
        *) echo "compare.sh: unknown size '$s' (known: 10m, 50m, json)" >&2; exit 2 ;;
    esac
done

FOCAL=${FOCAL:-$repo_dir/bin/focal}
PYTHON=${PYTHON:-/usr/bin/python3}
NUMPY_PYTHON=${NUMPY_PYTHON:-python3}
[[ -x $FOCAL ]] || die "focal launcher not found or not executable: $FOCAL (set FOCAL)"
if [[ $java_opts_set -eq 1 ]]; then
    export JAVA_OPTS="$java_opts"
fi

# ---- which tools can run -----------------------------------------------------------------
have_python=0
have_numpy=0
have_torch=0
if [[ -x $PYTHON ]] || command -v "$PYTHON" >/dev/null 2>&1; then
    have_python=1
    if "$PYTHON" -c 'import numpy, torch' >/dev/null 2>&1; then have_torch=1; fi
fi
if "$NUMPY_PYTHON" -c 'import numpy' >/dev/null 2>&1; then have_numpy=1; fi
tools=(focal)
if [[ $have_torch -eq 1 ]]; then
    tools+=(torch)
elif [[ $have_python -eq 0 ]]; then
    note "skipping the torch peer: $PYTHON not found"
else
    note "skipping the torch peer: $PYTHON cannot import torch (and numpy)"
fi
if [[ $have_numpy -eq 1 ]]; then
    tools+=(numpy)
else
    note "skipping the numpy peer: $NUMPY_PYTHON cannot import numpy"
fi

# ---- sizes ---------------------------------------------------------------------------------
# shape_of SIZE -> "B A C"
shape_of() {
    case $1 in
        10m) echo "4 833333 3" ;;
        50m) echo "4 4166667 3" ;;
        json) echo "1 400 3" ;;
    esac
}
seed_of() {
    case $1 in 10m) echo 10 ;; 50m) echo 50 ;; json) echo 1200 ;; esac
}
elements_of() { local b a c; read -r b a c <<<"$(shape_of "$1")"; echo $((b * a * c)); }

# Bump when gen_data.py changes what it writes, so cached data is regenerated.
data_version=1

# free_kb DIR -> free KiB on the file system holding DIR (its nearest existing ancestor)
free_kb() {
    local d=$1
    while [[ ! -e $d ]]; do d=$(dirname "$d"); done
    df -Pk "$d" | awk 'NR == 2 { print $4 }'
}

# ensure_data SIZE: generate the inputs of SIZE into $data_dir/SIZE unless already complete.
ensure_data() {
    local size=$1 dir=$data_dir/$1 b a c seed stamp want
    read -r b a c <<<"$(shape_of "$size")"
    seed=$(seed_of "$size")
    stamp="version=$data_version shape=$b,$a,$c seed=$seed"
    if [[ -f $dir/.complete && $(cat "$dir/.complete") == "$stamp" ]]; then
        return 0
    fi
    if [[ $have_numpy -eq 0 ]]; then
        note "cannot generate the $size inputs: $PYTHON with numpy is needed"
        return 1
    fi
    if [[ $size != json ]]; then
        want=$(( (b * a * c * 8 + b * a * 4) / 1024 + 65536 ))   # KiB, plus 64 MiB spare
        if [[ $(free_kb "$data_dir") -lt $want ]]; then
            note "skipping $size: generating its inputs needs $((want / 1024)) MiB free under $data_dir, there are $(( $(free_kb "$data_dir") / 1024 ))"
            return 1
        fi
    fi
    note "generating the $size inputs in $dir (seed $seed) ..."
    rm -rf "$dir"
    mkdir -p "$dir"
    if [[ $size == json ]]; then
        "$PYTHON" "$bench_dir/gen_data.py" json "$dir/bundle.json" "$b" "$a" "$c" "$seed" \
            || die "data generation failed for $size"
    else
        "$PYTHON" "$bench_dir/gen_data.py" npy "$dir" "$b" "$a" "$c" "$seed" \
            || die "data generation failed for $size"
    fi
    echo "$stamp" >"$dir/.complete"
}

# ---- timing --------------------------------------------------------------------------------
# time_cmd STDOUT STDERR CMD... : prints the seconds the whole process took; returns its status.
time_cmd() {
    local out=$1 err=$2
    shift 2
    if [[ $have_python -eq 1 ]]; then
        "$PYTHON" "$bench_dir/timed.py" "$out" "$err" "$@"
    else
        local t0 t1 rc=0
        t0=$(date +%s%N)
        "$@" <"/dev/null" >"$out" 2>"$err" || rc=$?
        t1=$(date +%s%N)
        awk -v d=$((t1 - t0)) 'BEGIN { printf "%.6f\n", d / 1e9 }'
        return "$rc"
    fi
}

# cmd_for TOOL SIZE WORKDIR -> fills the array `cmd`
cmd_for() {
    local tool=$1 size=$2 work=$3 dir=$data_dir/$2
    local -a inputs
    if [[ $size == json ]]; then
        inputs=("$dir/bundle.json")
    else
        inputs=(--logits "$dir/logits.npy" --targets "$dir/targets.npy" --weights "$dir/weights.npy")
    fi
    case $tool in
        focal) cmd=("$FOCAL" eval "${inputs[@]}" --out "$work/focal_out.npy" --stats "$work/focal_stats.json") ;;
        torch) cmd=("$PYTHON" "$bench_dir/peer_torch.py" "${inputs[@]}" --out "$work/torch_out.npy") ;;
        numpy) cmd=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$NUMPY_PYTHON" "$bench_dir/peer_numpy.py"
                    "${inputs[@]}" --out "$work/numpy_out.npy") ;;
    esac
}

# run_one TOOL SIZE WORKDIR : one run; prints the seconds; returns non-zero on failure.
run_one() {
    local tool=$1 size=$2 work=$3 out err secs tries=0
    local -a cmd
    cmd_for "$tool" "$size" "$work"
    err=$work/$tool.stderr
    if [[ $tool == focal ]]; then out=/dev/null; else out=$work/$tool.stdout; fi
    while :; do
        if ! secs=$(time_cmd "$out" "$err" "${cmd[@]}"); then
            note "$tool failed on $size: ${cmd[*]}"
            sed 's/^/    /' "$err" | tail -n 5 >&2
            return 1
        fi
        # The launcher rebuilds the jar when the sources changed since the last build (other
        # people may be editing them): that run timed Maven, not focal. Discard it and repeat.
        if [[ $tool == focal ]] && grep -q 'focal: building' "$err"; then
            tries=$((tries + 1))
            note "focal rebuilt its jar during a run (sources changed); that run is discarded"
            [[ $tries -lt 3 ]] || { note "focal keeps rebuilding; giving up on $size"; return 1; }
            continue
        fi
        echo "$secs"
        return 0
    done
}

# median of the arguments
median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        if (NR % 2) printf "%.3f\n", v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
    if [[ $1 == - || $2 == - ]]; then echo "-"; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'; fi
}

# focal_summary STATS.json -> "sum=... positive=... negative=... ignored=..."
focal_summary() {
    local stats=$1
    if [[ $have_python -eq 1 ]]; then
        "$PYTHON" - "$stats" <<'PYEOF'
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
a = s["anchors"]
print(f"sum={s['loss']['sum']!r} mean={s['loss']['mean']!r} positive={a['positive']} "
      f"negative={a['negative']} ignored={a['ignored']}")
PYEOF
    else
        awk '/"sum"[ ]*:/ && !s { gsub(/[ ,]/, ""); split($0, p, ":"); s = p[2] }
             /"positive"[ ]*:[ ]*[0-9]/ && !ps { gsub(/[ ,]/, ""); split($0, p, ":"); ps = p[2] }
             /"negative"[ ]*:[ ]*[0-9]/ && !ng { gsub(/[ ,]/, ""); split($0, p, ":"); ng = p[2] }
             /"ignored"[ ]*:[ ]*[0-9]/ && !ig { gsub(/[ ,]/, ""); split($0, p, ":"); ig = p[2] }
             END { printf "sum=%s positive=%s negative=%s ignored=%s\n", s, ps, ng, ig }' "$stats"
    fi
}

loadavg() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || uptime; }

# ---- main ----------------------------------------------------------------------------------
tmp_root=${TMPDIR:-/tmp}
work_root=$(mktemp -d "$tmp_root/focal-bench.XXXXXX")
if [[ $keep -eq 1 ]]; then
    trap 'note "outputs and logs kept in $work_root"' EXIT
else
    trap 'rm -rf "$work_root"' EXIT
fi
trap 'exit 130' INT TERM

echo "focal bench: $(nproc 2>/dev/null || echo '?') cores, load average $(loadavg) (1, 5, 15 min)"
echo "focal:  $FOCAL${JAVA_OPTS:+  (JAVA_OPTS=$JAVA_OPTS)}"
echo "cpu:    $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ *//')"
echo "python: $PYTHON (torch), $NUMPY_PYTHON (numpy $("$NUMPY_PYTHON" -c 'import numpy; print(numpy.__version__)' 2>/dev/null))  (tools: ${tools[*]}; $runs timed runs each, after 1 warm-up)"

note "building focal if needed: $FOCAL --version"
if ! "$FOCAL" --version >"$work_root/version.txt" 2>"$work_root/version.stderr"; then
    cat "$work_root/version.stderr" >&2
    die "$FOCAL --version failed"
fi
echo "version: $(head -n 1 "$work_root/version.txt"); $(sed -n 2p "$work_root/version.txt")"
jar=$(dirname "$(readlink -f "$FOCAL")")/../target/focal.jar
jar_mtime_start=$(stat -c %Y "$jar" 2>/dev/null || echo none)

declare -A med sumline times
done_sizes=()
status=0
for size in "${sizes[@]}"; do
    if ! ensure_data "$size"; then
        status=1
        continue
    fi
    work=$work_root/$size
    mkdir -p "$work"
    if [[ $size != json ]]; then
        n=$(elements_of "$size")
        want=$(( n * 4 * (${#tools[@]} + 1) / 1024 + 65536 ))     # outputs + one atomic temp file
        if [[ $(free_kb "$work") -lt $want ]]; then
            note "skipping $size: its outputs need $((want / 1024)) MiB free in $tmp_root"
            status=1
            continue
        fi
    fi
    note "$size: warm-up (${tools[*]})"
    declare -A ok=()
    for tool in "${tools[@]}"; do
        if run_one "$tool" "$size" "$work" >/dev/null; then ok[$tool]=1; else ok[$tool]=0; fi
    done
    declare -A list=()
    for ((r = 1; r <= runs; r++)); do
        note "$size: run $r/$runs"
        for tool in "${tools[@]}"; do
            [[ ${ok[$tool]} -eq 1 ]] || continue
            if secs=$(run_one "$tool" "$size" "$work"); then
                list[$tool]="${list[$tool]:-} $secs"
            else
                ok[$tool]=0
            fi
        done
    done
    for tool in "${tools[@]}"; do
        if [[ ${ok[$tool]} -eq 1 ]]; then
            # shellcheck disable=SC2086  # the list is space-separated numbers on purpose
            med[$size,$tool]=$(median ${list[$tool]})
            times[$size,$tool]=${list[$tool]# }
            if [[ $tool == focal ]]; then
                sumline[$size,$tool]=$(focal_summary "$work/focal_stats.json")
            else
                sumline[$size,$tool]=$(tail -n 1 "$work/$tool.stdout")
            fi
        else
            status=1
            med[$size,$tool]=-
            times[$size,$tool]=failed
            sumline[$size,$tool]=failed
        fi
    done
    unset ok list
    done_sizes+=("$size")
    rm -f "$work"/*_out.npy     # the large outputs; stats and logs stay (see --keep)
done

jar_mtime_end=$(stat -c %Y "$jar" 2>/dev/null || echo none)

echo
echo "load average at the end: $(loadavg)"
if [[ $jar_mtime_start != "$jar_mtime_end" ]]; then
    echo "note: focal's jar was rebuilt during the benchmark (sources changed); runs before and after may time different code"
fi
if [[ ${#done_sizes[@]} -eq 0 ]]; then
    die "no size could be run"
fi

get() { local k=$1; echo "${med[$k]:--}"; }
echo
printf '%-6s %12s %10s %10s %10s %12s %12s\n' size elements "focal s" "torch s" "numpy s" torch/focal numpy/focal
for size in "${done_sizes[@]}"; do
    f=$(get "$size,focal"); t=$(get "$size,torch"); n=$(get "$size,numpy")
    printf '%-6s %12s %10s %10s %10s %12s %12s\n' "$size" "$(elements_of "$size")" "$f" "$t" "$n" \
        "$(ratio "$t" "$f")" "$(ratio "$n" "$f")"
done
echo "(median wall seconds per whole process, start-up included; ratio > 1: focal is faster)"

echo
echo "raw times (s, in run order):"
for size in "${done_sizes[@]}"; do
    for tool in "${tools[@]}"; do
        printf '  %-5s %-6s %s\n' "$size" "$tool" "${times[$size,$tool]:-}"
    done
done

echo
echo "what each tool reported (loss sum in float64, anchor counts), last run:"
for size in "${done_sizes[@]}"; do
    for tool in "${tools[@]}"; do
        printf '  %-5s %-6s %s\n' "$size" "$tool" "${sumline[$size,$tool]:-}"
    done
done
if [[ " ${tools[*]} " != *" torch "* || " ${tools[*]} " != *" numpy "* ]]; then
    echo "(skipped peers are absent: see the notes above)"
fi
exit "$status"
