#!/usr/bin/env bash
# Builds latchkey-bench/target/benchmarks.jar and runs StoreBenchmark briefly (1 fork, 2 warmup
# iterations of 2 s, 3 measurements of 2 s) on H2 and PostgreSQL, then prints the results with
# the command, date, machine and JDK, ready for the "## Store (JMH)" section of docs/benchmarks.md.
# Needs PostgreSQL on 127.0.0.1:5432 with trust auth (override with LATCHKEY_TEST_PG_URL).
# Extra arguments go to JMH, e.g. scripts/bench-store.sh -p database=h2
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/find-jdk.sh

./mvnw -B -ntp -q -pl latchkey-bench -am package -DskipTests

results=latchkey-bench/target/store-benchmark.txt
command=(java -jar latchkey-bench/target/benchmarks.jar StoreBenchmark -f 1 -wi 2 -w 2s -i 3 -r 2s "$@")
"${command[@]}" -rf text -rff "$results"

jdk=$(java -version 2>&1 | head -n 1)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo
echo "Command: scripts/bench-store.sh (runs: ${command[*]})"
echo "Date:    $(date -u +%Y-%m-%d)"
echo "Machine: $(nproc) cores${cpu:+ ($cpu)}, $(uname -sr), JDK: $jdk"
echo
cat "$results"
