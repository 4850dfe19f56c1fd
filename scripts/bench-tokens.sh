#!/usr/bin/env bash
# Figures of issue 6 for GET /v1/tokens/{resource} with a fresh stored grant (docs/benchmarks.md,
# "Downstream tokens (issue 6)"), all in one run on this machine:
#   - JMH TokenManagerBenchmark: TokenManager.token(...) in process on H2 and PostgreSQL, latency
#     distribution (SampleTime: p50/p99/p99.9) and calls per second;
#   - for each database: GRANTS grants (dev.latchkey.bench.TokenServerHarness seed: user 0 connects
#     over HTTP, the others are seeded through the application's EncryptedTokenStore, in a JVM of
#     its own), then a Latchkey on that database (TokenServerHarness serve: Application.start in a
#     JVM with ./latchkey's options, logging at WARN, so without the access log), and, after a
#     warm-up of at least 30 s, wrk -t2 -c50 -d20s --latency against /health/live (no auth, the
#     HTTP stack's floor; first database only) and GET /v1/tokens/github with:
#       one user's bearer token, every request;
#       distinct users' bearer tokens, one per request in turn (USER_TOKENS users; fewer than the
#       validator's token cache of 10 000, so after warm-up each is a cache hit, as for a chat
#       backend forwarding its users' tokens);
#       one service principal (chat-backend, scope tokens:read) acting for a different user on
#       every request (X-Latchkey-User), walking all GRANTS grants;
#   - memory: the server's heap and VmRSS after every grant was requested once more (the service
#     walking all GRANTS users in 10-second wrk runs), as found and after a full GC, and rows and
#     bytes of token_sets as the database counts them. Latchkey keeps no copy of token sets in memory: every GET reads
#     the canonical row and decrypts it, so RSS does not grow with the number of grants stored.
# The identity provider (mock-oauth2-server, dev.latchkey.bench.TokenBenchIdp) runs in a JVM of its
# own, so the Latchkey process whose memory is read holds none of it.
# Usage: scripts/bench-tokens.sh
#   env: GRANTS=100000 grants per database, USER_TOKENS=5000 distinct user bearer tokens,
#        DURATION=20s per measured wrk run, WARMUP=30 seconds of load before measuring (split over
#        the three request kinds), DATABASES="h2 postgresql", SKIP_BUILD=1 to use the jar already
#        built, SKIP_JMH=1 to skip JMH, JMH_ARGS to replace the JMH options (default
#        "-f 1 -wi 1 -w 60s -i 6 -r 10s": see below), PORT=18190, NMT=1 to print the server's native memory
#        summary (adds -XX:NativeMemoryTracking=summary, which itself costs a few MB).
#   smoke test of the script only: GRANTS=10000 USER_TOKENS=1000 DURATION=5s WARMUP=6
#        JMH_ARGS="-f 1 -wi 1 -w 2s -i 1 -r 2s" scripts/bench-tokens.sh
# Needs PostgreSQL on 127.0.0.1:5432 with trust auth (override with LATCHKEY_TEST_PG_URL and
# LATCHKEY_TEST_PG_USER) and wrk (installed from Debian with apt-get when missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/find-jdk.sh
grants="${GRANTS:-100000}"
user_tokens="${USER_TOKENS:-5000}"
duration="${DURATION:-20s}"
warm="${WARMUP:-30}"
databases="${DATABASES:-h2 postgresql}"
port="${PORT:-18190}"
# Each grant's use is written at most once a minute (ThrottledGrantUsage): warm up for a minute,
# then measure a whole minute, so the measurement holds the steady share of those writes.
jmh_args="${JMH_ARGS:--f 1 -wi 1 -w 60s -i 6 -r 10s}"
[ "$user_tokens" -gt "$grants" ] && user_tokens="$grants"
[ "$user_tokens" -ge 2 ] || { echo "USER_TOKENS and GRANTS must be at least 2 (wrk -t2 splits the users)" >&2; exit 1; }

if ! command -v wrk >/dev/null; then
  echo "wrk is missing: installing it from Debian (apt-get install -y wrk)"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y wrk >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y wrk >/dev/null; }
fi
for tool in wrk curl jcmd; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }
done

if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -B -ntp -q -pl latchkey-bench -am package -Dmaven.test.skip=true
fi
bench="$root/latchkey-bench/target/benchmarks.jar"
load() { echo "load average before $1: $(cut -d' ' -f1-3 /proc/loadavg)"; }
section() { echo; echo "=== $* ==="; }
summary=()

if [ -z "${SKIP_JMH:-}" ]; then
  section "JMH TokenManagerBenchmark (in process, 10 000 grants round-robin, one thread)"
  load "JMH"
  jmh_results=$(mktemp)
  # shellcheck disable=SC2086
  java -jar "$bench" TokenManagerBenchmark $jmh_args -rf text -rff "$jmh_results"
  echo; echo "JMH command: java -jar latchkey-bench/target/benchmarks.jar TokenManagerBenchmark $jmh_args"
  cat "$jmh_results"; rm -f "$jmh_results"
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
wait_for() { # file, pid, what
  for _ in $(seq 1 3000); do
    [ -f "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited before it was ready:" >&2; return 1; }
    sleep 0.2
  done
  echo "$3 not ready after 10 minutes:" >&2; return 1
}

# Tink's protobuf runtime still uses sun.misc.Unsafe; JDK 23+ warns about it unless allowed.
unsafe=()
[ "$(latchkey_java_major "$JAVA_HOME/bin/java")" -ge 23 ] && unsafe=(--sun-misc-unsafe-memory-access=allow)
# The server as ./latchkey runs it: small explicit heap, serial GC. NMT=1 adds native memory
# tracking (summary).
jvm=(-Xms32m -Xmx256m -XX:+UseSerialGC "${unsafe[@]}")
[ -n "${NMT:-}" ] && jvm+=(-XX:NativeMemoryTracking=summary)

section "identity provider: minting $user_tokens user tokens and one service token"
java -Xmx512m "${unsafe[@]}" -cp "$bench" dev.latchkey.bench.TokenBenchIdp "$work" "$user_tokens" >"$work/idp.log" 2>&1 &
idp_pid=$!
pids+=("$idp_pid")
wait_for "$work/idp.properties" "$idp_pid" "the identity provider" || { cat "$work/idp.log"; exit 1; }
cat "$work/idp.log"
service_token=$(cat "$work/service-token.txt")
one_token=$(head -n 1 "$work/user-tokens.txt")

# auth.lua FILE: each thread sends the bearer tokens of its own slice of FILE (wrk -t2: two
# slices), one per request, and counts how often it went through its slice.
cat >"$work/auth.lua" <<'LUA'
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  local all = {}
  for line in io.lines(args[1]) do all[#all + 1] = line end
  local per = math.floor(#all / 2)   -- every run uses wrk -t2
  values = {}
  for i = id * per + 1, (id + 1) * per do values[#values + 1] = "Bearer " .. all[i] end
  count, next_index, wraps = #values, 0, 0
end
function request()
  next_index = next_index + 1
  if next_index > #values then next_index = 1; wraps = wraps + 1 end
  return wrk.format("GET", nil, { Authorization = values[next_index] })
end
function done(summary, latency, requests)
  local w, c = nil, 0
  for _, t in ipairs(threads) do
    c = c + t:get("count")
    if w == nil or t:get("wraps") < w then w = t:get("wraps") end
  end
  io.write(string.format("distinct values sent in turn: %d; each sent at least %d time(s)\n", c, w))
end
LUA
# acting.lua FILE TOKEN [OFFSET]: one service bearer token; each request names the next user of the
# thread's slice of FILE in X-Latchkey-User, starting OFFSET users into the slice.
cat >"$work/acting.lua" <<'LUA'
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  local all = {}
  for line in io.lines(args[1]) do all[#all + 1] = line end
  local per = math.floor(#all / 2)   -- every run uses wrk -t2
  values = {}
  for i = id * per + 1, (id + 1) * per do values[#values + 1] = all[i] end
  bearer = "Bearer " .. args[2]
  count, next_index, wraps, sent = #values, tonumber(args[3] or "0") % #values, 0, 0
end
function request()
  next_index = next_index + 1
  sent = sent + 1
  if next_index > #values then next_index = 1; wraps = wraps + 1 end
  return wrk.format("GET", nil, { Authorization = bearer, ["X-Latchkey-User"] = values[next_index] })
end
function done(summary, latency, requests)
  local w, c, s = nil, 0, nil
  for _, t in ipairs(threads) do
    c = c + t:get("count")
    if w == nil or t:get("wraps") < w then w = t:get("wraps") end
    if s == nil or t:get("sent") < s then s = t:get("sent") end
  end
  io.write(string.format("distinct values sent in turn: %d; each sent at least %d time(s)\n", c, w))
  io.write(string.format("fewest requests sent by a thread: %d\n", s))
end
LUA

measure() { # database, name, wrk arguments...
  local database="$1" name="$2" out
  shift 2
  section "$database: $name"
  load "$name"
  local before
  before=$(cut -d' ' -f1 /proc/loadavg)
  out=$(wrk -t2 -c50 -d"$duration" --latency "$@")
  echo "$out"
  local rps p50 p99 bad errors
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  bad=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' <<<"$out")
  errors=$(sed -n 's/^ *Socket errors: //p' <<<"$out")
  summary+=("$(printf '%-11s | %-55s | %8s | %10s | %8s | %8s | %s%s' "$database" "$name" "$before" "$rps" "$p50" "$p99" \
    "${bad:-0}" "${errors:+; socket errors: $errors}")")
}

memory() { # pid, label
  echo "$2:"
  jcmd "$1" GC.heap_info | grep -E 'total|Metaspace' | sed 's/^/  /'
  echo "  VmRSS: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$1/status")"
}

url="http://127.0.0.1:$port/v1/tokens/github"
first_database="yes"
for database in $databases; do
  section "$database: seeding $grants grants (a JVM of its own, which then holds the database)"
  load "seeding"
  java -Xmx1g "${unsafe[@]}" -cp "$bench" dev.latchkey.bench.TokenServerHarness seed "$work" "$database" "$grants" "$port" \
    >"$work/seed-$database.log" 2>&1 &
  seed_pid=$!
  pids+=("$seed_pid")
  wait_for "$work/$database/seeded" "$seed_pid" "seeding $database" || { cat "$work/seed-$database.log"; exit 1; }
  cat "$work/seed-$database.log"

  section "$database: starting Latchkey on the seeded database"
  java "${jvm[@]}" -cp "$bench" dev.latchkey.bench.TokenServerHarness serve "$work" "$database" "$port" \
    >"$work/server-$database.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_for "$work/$database/ready" "$server_pid" "Latchkey on $database" || { cat "$work/server-$database.log"; exit 1; }
  cat "$work/server-$database.log"
  memory "$server_pid" "at ready, before load"

  section "$database: warm-up (not measured), $warm s in all"
  load "warm-up"
  third=$(( (warm + 2) / 3 ))
  wrk -t2 -c50 -d${third}s -s "$work/auth.lua" "$url" -- "$work/user-tokens.txt" >/dev/null
  wrk -t2 -c50 -d${third}s -s "$work/acting.lua" "$url" -- "$work/$database/users.txt" "$service_token" >/dev/null
  wrk -t2 -c50 -d${third}s -H "Authorization: Bearer $one_token" "$url" >/dev/null

  if [ -n "$first_database" ]; then
    measure "$database" "/health/live, no auth (the HTTP stack's floor)" "http://127.0.0.1:$port/health/live"
    first_database=""
  fi
  measure "$database" "one user's bearer token" -H "Authorization: Bearer $one_token" "$url"
  measure "$database" "distinct users' bearer tokens ($user_tokens users)" \
    -s "$work/auth.lua" "$url" -- "$work/user-tokens.txt"
  measure "$database" "service acting for distinct users ($grants grants)" \
    -s "$work/acting.lua" "$url" -- "$work/$database/users.txt" "$service_token"

  section "$database: every one of the $grants grants requested once more (not measured), then memory"
  # In 10-second wrk runs, each starting where the slowest thread of the last one stopped, until
  # each thread went through its whole slice: the minute after it, every grant has been used (and
  # the per-grant state kept in memory, such as the throttle of use records, is at its fullest).
  load "touching every grant"
  offset=0 started=$(date +%s)
  while [ "$offset" -lt $(( grants / 2 )) ]; do
    out=$(wrk -t2 -c50 -d10s -s "$work/acting.lua" "$url" -- "$work/$database/users.txt" "$service_token" "$offset")
    sent=$(sed -n 's/^fewest requests sent by a thread: //p' <<<"$out")
    [ "${sent:-0}" -gt 0 ] || { echo "wrk sent nothing:"; echo "$out"; exit 1; }
    offset=$(( offset + sent ))
    bad=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' <<<"$out")
    [ -z "$bad" ] || echo "  $bad answers were not 2xx"
  done
  echo "  every grant requested within the last $(( $(date +%s) - started )) s"
  memory "$server_pid" "as found"
  jcmd "$server_pid" GC.run >/dev/null
  memory "$server_pid" "after a full GC"
  if [ -n "${NMT:-}" ]; then
    jcmd "$server_pid" VM.native_memory summary | grep -E '^(Total|-)' | sed 's/^/  /'
  fi
  echo "token_sets as the database counts it:"
  sed 's/^/  /' "$work/$database/db-stats.txt"
  rss_mb=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$server_pid/status")
  summary+=("$(printf '%-11s | %-55s | %8s | %s MB after a full GC; %s' "$database" "VmRSS with $grants grants" \
    "$(cut -d' ' -f1 /proc/loadavg)" "$rss_mb" \
    "$(tr '\n' ' ' <"$work/$database/db-stats.txt")")")

  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  kill "$seed_pid"; wait "$seed_pid" 2>/dev/null || true
done

section "summary (wrk -t2 -c50 -d$duration --latency, GET /v1/tokens/github)"
printf '%-11s | %-55s | %8s | %10s | %8s | %8s | %s\n' database run "load avg" requests/s p50 p99 non-2xx
for line in "${summary[@]}"; do echo "$line"; done

section "run facts"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(uname -sr)"
echo "JDK: $(java -version 2>&1 | head -n 1); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
echo "PostgreSQL: $(psql --version 2>/dev/null || echo unknown)"
echo "Server JVM options: ${jvm[*]}; grants: $grants; user tokens: $user_tokens; warm-up: $warm s"
