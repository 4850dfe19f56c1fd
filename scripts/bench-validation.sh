#!/usr/bin/env bash
# Builds latchkey-bench/target/benchmarks.jar and runs BearerValidationBenchmark briefly (1 fork,
# 2 warmup iterations of 2 s, 3 measurements of 2 s): BearerValidator.validate of a cached and of
# an uncached (fresh, distinct) RS256 and ES256 token, keys from a JWKS on loopback fetched once.
# Prints the results with the command, date, machine, JDK and load average, ready for the
# "## Inbound validation (issue 4)" section of docs/benchmarks.md.
# Extra arguments go to JMH, e.g. scripts/bench-validation.sh -p algorithm=ES256
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh

# Tests are not needed to run benchmarks (and are not compiled, to keep the build short).
# SKIP_BUILD=1 uses the jar already built.
if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -B -ntp -q -pl latchkey-bench -am package -Dmaven.test.skip=true
fi

results=latchkey-bench/target/validation-benchmark.txt
command=(java -jar latchkey-bench/target/benchmarks.jar BearerValidationBenchmark -f 1 -wi 2 -w 2s -i 3 -r 2s "$@")
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
"${command[@]}" -rf text -rff "$results"

jdk=$(java -version 2>&1 | head -n 1)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo
echo "Command: scripts/bench-validation.sh (runs: ${command[*]})"
echo "Date:    $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Machine: $(nproc) cores${cpu:+ ($cpu)}, $(uname -sr), JDK: $jdk"
echo "Load average (1, 5, 15 min) before the run: $load_before"
echo
cat "$results"
