#!/usr/bin/env bash
# Fuzzes one of focal's readers with Jazzer for a while:
#
#   tools/fuzz.sh TARGET MINUTES        TARGET: npy, npz, json, safetensors, pickle, torchzip or legacy
#
# The fuzz tests (src/test/java/dev/focal/fuzz) run their seeds in the normal suite; here the
# one named runs in Jazzer's fuzzing mode (JAZZER_FUZZ=1). It builds and runs in a copy of the
# project (FUZZ_WORKDIR, default ${TMPDIR:-/tmp}/focal-fuzz-TARGET), so it neither disturbs nor
# is disturbed by builds in the checkout; the corpus it grows there is kept for the next run.
# The seeds of src/test/resources/fuzz/TARGET start the corpus.
#
# Environment: FUZZ_XMX  heap of the fuzzed JVM (default 512m; a modest heap makes memory
#                         blow-ups show up as OutOfMemoryError findings)
#              FUZZ_CPUS pin to these CPUs with taskset (e.g. 1), so benchmarks nearby are left alone
#              FUZZ_TIMEOUT seconds one input may take before it is a hang (default 20)
#              MVN_ARGS  extra Maven arguments (e.g. -o)
#
# The property checked (FuzzHarness): every input gives tensors, or a FocalException with exit
# code 3 and a one-line message naming the file. A finding stops the run with a failed test and
# a crash-* (or timeout-*) file, kept in FUZZ_WORKDIR/findings/TARGET; make it a regression test:
# add the file to src/test/resources/fuzz/TARGET (and to src/test/resources/bad/ with its expected
# message in BadInputTest), then fix the reader.
set -euo pipefail

usage() {
    echo "usage: tools/fuzz.sh npy|npz|json|safetensors|pickle|torchzip|legacy MINUTES" >&2
    exit 2
}
[ $# -eq 2 ] || usage
target=$1
minutes=$2
case $target in
    npy) class=NpyFuzzTest; method=fuzzNpy ;;
    npz) class=NpzFuzzTest; method=fuzzNpz ;;
    json) class=JsonFuzzTest; method=fuzzJson ;;
    safetensors) class=SafetensorsFuzzTest; method=fuzzSafetensors ;;
    pickle) class=PickleFuzzTest; method=fuzzPickle ;;
    torchzip) class=TorchZipFuzzTest; method=fuzzTorchZip ;;
    legacy) class=TorchLegacyFuzzTest; method=fuzzTorchLegacy ;;
    *) usage ;;
esac
case $minutes in
    ''|*[!0-9]*) usage ;;
esac

root=$(cd "$(dirname "$0")/.." && pwd -P)
work=${FUZZ_WORKDIR:-${TMPDIR:-/tmp}/focal-fuzz-$target}
mkdir -p "$work"
if [ "$(cd "$work" && pwd -P)" = "$root" ]; then
    echo "fuzz.sh: FUZZ_WORKDIR must be a directory of its own, not the project" >&2
    exit 2
fi
# What the build needs, fresh (not bench data or samples); the work directory's corpus and
# findings stay. tar exits 1 when a file changes while it is read, as a build in the checkout
# may make one do: that is no reason to stop.
rm -rf "$work/src"
{ tar -C "$root" -cf - pom.xml src || [ $? -eq 1 ]; } | tar -C "$work" -xf -
corpus=$work/.cifuzz-corpus/dev.focal.fuzz.$class/$method
mkdir -p "$corpus"
cp "$root/src/test/resources/fuzz/$target"/* "$corpus"/

pin=()
if [ -n "${FUZZ_CPUS:-}" ]; then
    pin=(taskset -c "$FUZZ_CPUS")
fi
log=$work/fuzz-$target.log
echo "fuzz.sh: fuzzing $target ($class#$method) for $minutes min in $work; log: $log" >&2
start=$(date +%s)
set +e
(
    cd "$work"
    # shellcheck disable=SC2086
    JAZZER_FUZZ=1 JAVA_TOOL_OPTIONS="-Xmx${FUZZ_XMX:-512m}" "${pin[@]}" mvn -B ${MVN_ARGS:-} test \
        -Dtest="$class#$method" -Dsurefire.failIfNoSpecifiedTests=false \
        -Djazzer.max_duration="${minutes}m" \
        -Djazzer.internal.arg.0=fuzz.sh -Djazzer.internal.arg.1=-timeout="${FUZZ_TIMEOUT:-20}" \
        -Djazzer.internal.arg.2=-print_final_stats=1
) 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
end=$(date +%s)

echo "fuzz.sh: $target ran $(( (end - start) / 60 )) min $(( (end - start) % 60 )) s (Maven included); exit $status" >&2
grep -E '^stat::number_of_executed_units|^stat::average_exec_per_sec|^Done [0-9]+ runs' "$log" >&2 || true
# Jazzer writes a finding (crash-*, timeout-*) into the fuzz test's Inputs resource directory of
# the copy, or into the copy's root: keep them where the next run's fresh sources do not go.
shopt -s nullglob
mkdir -p "$work/findings/$target"
for f in "$work"/crash-* "$work"/timeout-* "$work"/oom-* "$work"/src/test/resources/dev/focal/fuzz/*Inputs/*/*; do
    mv "$f" "$work/findings/$target/"
done
findings=("$work/findings/$target"/*)
if [ ${#findings[@]} -gt 0 ]; then
    echo "fuzz.sh: findings (this run's and earlier ones) in $work/findings/$target:" >&2
    printf '  %s\n' "${findings[@]}" >&2
fi
exit "$status"
