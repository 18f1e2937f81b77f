#!/usr/bin/env bash
# The proof of docs/accuracy.md#the-proof: builds the classes and runs dev.focal.loss.RoundingProof
# (test sources, not a test), e.g.
#   tools/rounding/prove.sh exhaustive 2 /tmp/rp-ex
#   tools/rounding/prove.sh sample 2 /tmp/rp-sample
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q test-compile
exec java --add-modules jdk.incubator.vector -Xmx3g -cp target/classes:target/test-classes \
    dev.focal.loss.RoundingProof "$@"
