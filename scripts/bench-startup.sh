#!/usr/bin/env bash
# Cold start of `latchkey serve` (embedded H2, fresh data directory) to the first 200 from
# /health/ready, and the resident memory (VmRSS) of the process at that moment.
# Usage: scripts/bench-startup.sh [RUNS]   (builds the app first if it is stale)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-10}"
"$root/latchkey" --version >/dev/null   # builds when stale
. "$root/scripts/find-jdk.sh"
jar="$root/latchkey-app/target/latchkey.jar"
work=$(mktemp -d)
# As ./latchkey does: a class-data sharing archive, written by the first (training) run of serve.
opts=(-Xms32m -Xmx256m -XX:+UseSerialGC -XX:SharedArchiveFile="$work/serve.jsa" -XX:+AutoCreateSharedArchive
      -Xlog:cds=off -Xlog:cds+dynamic=off)
[ "$(latchkey_java_major "$JAVA_HOME/bin/java")" -ge 23 ] && opts+=(--sun-misc-unsafe-memory-access=allow)

trap 'rm -rf "$work"' EXIT
java -jar "$jar" keys generate --keyset "$work/keyset.json" >/dev/null
port=18080
cat >"$work/latchkey.yaml" <<YAML
server: { host: 127.0.0.1, port: $port, publicUrl: "http://127.0.0.1:$port" }
database: { url: "jdbc:h2:file:$work/data/latchkey" }
keys: { keyset: "file:$work/keyset.json" }
tenants:
  acme:
    issuers: [ { issuer: "https://idp.example.com/realms/acme", audiences: [latchkey] } ]
YAML

echo "run,ready_ms,rss_mb   (run 0 trains the class-data archive and is not a cold start figure)"
for i in $(seq 0 "$runs"); do
  rm -rf "$work/data"
  start=$(date +%s%N)
  java "${opts[@]}" -jar "$jar" serve --config "$work/latchkey.yaml" >"$work/out.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready"; then break; fi
    sleep 0.005
  done
  ready=$(( ($(date +%s%N) - start) / 1000000 ))
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
  echo "$i,$ready,$rss"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done
