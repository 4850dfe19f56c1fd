#!/usr/bin/env bash
# Cold start of `latchkey serve` (embedded H2, fresh data directory) to the first 200 from
# /health/ready, and the resident memory (VmRSS) of the process at that moment.
# Usage: scripts/bench-startup.sh [RUNS]   (builds the app first if needed via ./latchkey --version)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-10}"
"$root/latchkey" --version >/dev/null   # builds when stale and creates the class-data archive
. "$root/scripts/find-jdk.sh"
jar="$root/latchkey-app/target/latchkey.jar"
cds="$root/latchkey-app/target/latchkey.jsa"
opts=(-Xms32m -Xmx256m -XX:+UseSerialGC -XX:SharedArchiveFile="$cds" -Xlog:cds=off -Xlog:cds+dynamic=off)

work=$(mktemp -d)
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

echo "run,ready_ms,rss_mb"
for i in $(seq 1 "$runs"); do
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
