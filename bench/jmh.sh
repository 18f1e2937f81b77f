#!/usr/bin/env bash
# Builds and runs the JMH benchmarks (bench/jmh): installs focal into the local Maven
# repository, packages the benchmark jar, runs it. Extra arguments go to JMH: a name picks the
# benchmarks by regular expression (KernelBenchmark, the whole fused pass, also matches
# LossKernelBenchmark, the loss kernel alone), e.g.
#   bench/jmh.sh LossKernelBenchmark -p threads=2 -p kernel=vector
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B install -Dmaven.test.skip=true
mvn -q -B -f bench/jmh/pom.xml package
exec java --add-modules jdk.incubator.vector -jar bench/jmh/target/benchmarks.jar "$@"
