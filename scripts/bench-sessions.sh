#!/usr/bin/env bash
# Figures of C4 for POST /v1/sessions/refresh (docs/benchmarks.md, "Cross-origin session refresh
# (C4)"), H2 and PostgreSQL side by side in one run on this machine. For each database:
#   - dev.latchkey.bench.SessionRefreshHarness seed (a JVM of its own): a fresh database, the
#     application started once on it (schema, signing key), USERS users and FAMILIES +
#     WARMUP_FAMILIES refresh-token families created through the application's own stores
#     (JdbcUserDirectory.provision, JdbcRefreshTokenStore.create), their first tokens written in
#     plain text to a file;
#   - SessionRefreshHarness serve: Latchkey on that database in a JVM with ./latchkey's options,
#     logging at WARN (so without the access log), a pool of POOL_SIZE connections; it checks that a
#     token rotates and that reuse by another client revokes its family before it says ready;
#   - wrk -t2 -cCONNECTIONS: WARMUP seconds on the warm-up tokens (not measured), then DURATION with
#     --latency on the measured tokens. Every request presents the next token of its wrk thread's own
#     slice of the file (Origin: the tenant's panel, X-Tenant-Id, JSON body), so each token is live
#     and presented once, and every 200 is a real rotation (spend, successor, family touch, ES256
#     access token). A thread that uses up its slice stops (and says so: then raise FAMILIES);
#   - checks, from the database, that the measured run revoked no family and spent a token for every
#     200 (no token was presented twice; requests in flight when wrk stops are spent but not
#     counted), and reports per refresh the server's CPU time (and its kernel share), wrk's, and on
#     PostgreSQL the CPU time of the database's backends and its commits, tuples and index scans;
#     last, anything the server logged (it logs at WARN).
# PROFILE=1 also records JFR (settings=profile) in the server during the measured run, prints where
# CPU samples, allocation, exceptions and request threads' waits fall per step of a refresh
# (dev.latchkey.bench.SessionRefreshProfile) and the hottest methods, and on H2 turns on
# per-statement counters (executions per refresh); its figures carry that overhead. The recording
# is kept as $TMPDIR/bench-sessions-<database>.jfr.
# Usage: scripts/bench-sessions.sh
#   env: FAMILIES=200000 measured tokens per database, WARMUP_FAMILIES=100000, USERS=20000 (family i
#        belongs to user i mod USERS), DURATION=20s, WARMUP=60 seconds (the JIT needs tens of
#        thousands of refreshes), CONNECTIONS=50, POOL_SIZE=10 (database.poolSize, the default),
#        DATABASES="h2 postgresql", PORT=18191, SKIP_BUILD=1 to use the jar already built,
#        PROFILE=1 (above).
#   smoke test of the script only: FAMILIES=20000 WARMUP_FAMILIES=5000 USERS=2000 DURATION=5s WARMUP=4
# Needs PostgreSQL on 127.0.0.1:5432 with trust auth (override with LATCHKEY_TEST_PG_URL and
# LATCHKEY_TEST_PG_USER), psql for the backends' CPU time, and wrk (installed from Debian with
# apt-get when missing).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/find-jdk.sh
families="${FAMILIES:-200000}"
warmup_families="${WARMUP_FAMILIES:-100000}"
users="${USERS:-20000}"
duration="${DURATION:-20s}"
warm="${WARMUP:-60}"
connections="${CONNECTIONS:-50}"
pool="${POOL_SIZE:-10}"
databases="${DATABASES:-h2 postgresql}"
port="${PORT:-18191}"
tenant="bench"
origin="https://panel.bench.example" # SessionRefreshHarness.PANEL, one of the tenant's allowed origins
threads=2

if ! command -v wrk >/dev/null; then
  echo "wrk is missing: installing it from Debian (apt-get install -y wrk)"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y wrk >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y wrk >/dev/null; }
fi
for tool in wrk jcmd; do
  command -v "$tool" >/dev/null || { echo "needs $tool" >&2; exit 1; }
done

if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -B -ntp -q -pl latchkey-bench -am package -Dmaven.test.skip=true
fi
bench="$root/latchkey-bench/target/benchmarks.jar"
load() { echo "load average before $1: $(cut -d' ' -f1-3 /proc/loadavg)"; }
section() { echo; echo "=== $* ==="; }
summary=()
facts=()

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
wait_for() { # file, pid, what
  for _ in $(seq 1 6000); do
    [ -f "$1" ] && return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited before it was ready:" >&2; return 1; }
    sleep 0.2
  done
  echo "$3 not ready after 20 minutes:" >&2; return 1
}

# Tink's protobuf runtime still uses sun.misc.Unsafe; JDK 23+ warns about it unless allowed.
unsafe=()
[ "$(latchkey_java_major "$JAVA_HOME/bin/java")" -ge 23 ] && unsafe=(--sun-misc-unsafe-memory-access=allow)
# The server as ./latchkey runs it: small explicit heap, serial GC.
jvm=(-Xms32m -Xmx256m -XX:+UseSerialGC "${unsafe[@]}")
# Jetty's stacks are deep: keep enough frames to see which step of the refresh a sample is in.
[ -n "${PROFILE:-}" ] && jvm+=(-XX:FlightRecorderOptions:stackdepth=256)

# refresh.lua FILE THREADS TENANT ORIGIN: each wrk thread presents the tokens of its own slice of
# FILE (THREADS slices), each once, in a JSON body; it counts the answers by status. A thread that
# used up its slice stops; requests its connections still send then carry a malformed token, which
# Latchkey refuses (400) without looking anything up, so no token is ever sent twice.
cat >"$work/refresh.lua" <<'LUA'
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  local all = {}
  for line in io.lines(args[1]) do
    if #line > 0 then all[#all + 1] = line end
  end
  local per = math.floor(#all / tonumber(args[2]))
  tokens = {}
  for i = id * per + 1, (id + 1) * per do tokens[#tokens + 1] = all[i] end
  headers = { ["Content-Type"] = "application/json", ["X-Tenant-Id"] = args[3], ["Origin"] = args[4] }
  count, sent, exhausted = #tokens, 0, 0
  ok, bad, s400, s403, s5xx = 0, 0, 0, 0, 0
end
function request()
  if sent >= count then
    exhausted = 1
    wrk.thread:stop()
    return wrk.format("POST", nil, headers, '{"refreshToken":"exhausted"}')
  end
  sent = sent + 1
  return wrk.format("POST", nil, headers, '{"refreshToken":"' .. tokens[sent] .. '"}')
end
function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  else
    bad = bad + 1
    if status == 400 then s400 = s400 + 1 elseif status == 403 then s403 = s403 + 1
    elseif status >= 500 then s5xx = s5xx + 1 end
  end
end
function done(summary, latency, requests)
  local t = { count = 0, sent = 0, exhausted = 0, ok = 0, bad = 0, s400 = 0, s403 = 0, s5xx = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  io.write(string.format("tokens in the slices: %d; distinct tokens sent: %d; slices used up: %d\n",
    t.count, t.sent, t.exhausted))
  io.write(string.format("answers: 200: %d; not 200: %d (400: %d, 403: %d, 5xx: %d)\n",
    t.ok, t.bad, t.s400, t.s403, t.s5xx))
end
LUA

stats() { # database dir, output file: asks the serving harness for its counters
  rm -f "$1/stats.txt"
  echo stats >"$1/command"
  for _ in $(seq 1 300); do [ -f "$1/stats.txt" ] && break; sleep 0.1; done
  cp "$1/stats.txt" "$2"
}
value() { # file, key: the value of key=value in file (0 if absent)
  local found
  found=$(grep -o "\(^\| \)$2=[^ ]*" "$1" | head -n 1 | cut -d= -f2 || true)
  echo "${found:-0}"
}
per() { # numerator, denominator: a ratio with two decimals
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}
cpu_ticks() { # pids...: user + system clock ticks used so far
  local total=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] && total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat") ))
  done
  echo "$total"
}
children_cpu() { # user + system milliseconds of this shell's finished children (wrk); not in a subshell
  times >"$work/times"
  children_ms=$(tail -n 1 "$work/times" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, p, "m"); t += p[1] * 60 + p[2] } printf "%d", t * 1000 }')
}
ms_per() { # amount, milliseconds per unit of it, count: milliseconds per one of count
  awk -v t="$1" -v m="$2" -v n="$3" 'BEGIN { if (n > 0) printf "%.2f", t * m / n; else print "n/a" }'
}
tick_ms=$(awk -v hz="$(getconf CLK_TCK)" 'BEGIN { print 1000 / hz }')

url="http://127.0.0.1:$port/v1/sessions/refresh"
declare -A rps_of
for database in $databases; do
  dir="$work/$database"
  section "$database: seeding $users users and $((families + warmup_families + 1)) refresh-token families (a JVM of its own)"
  load "seeding"
  java -Xmx1g "${unsafe[@]}" -cp "$bench" dev.latchkey.bench.SessionRefreshHarness seed "$work" "$database" \
    "$families" "$warmup_families" "$users" >"$work/seed-$database.log" 2>&1 &
  seed_pid=$!
  pids+=("$seed_pid")
  wait_for "$dir/seeded" "$seed_pid" "seeding $database" || { cat "$work/seed-$database.log"; exit 1; }
  grep -v '^  ' "$work/seed-$database.log"

  section "$database: starting Latchkey on the seeded database (pool of $pool connections)"
  java "${jvm[@]}" -cp "$bench" dev.latchkey.bench.SessionRefreshHarness serve "$work" "$database" "$port" "$pool" \
    >"$work/server-$database.log" 2>&1 &
  server_pid=$!
  pids+=("$server_pid")
  wait_for "$dir/ready" "$server_pid" "Latchkey on $database" || { cat "$work/server-$database.log"; exit 1; }
  cat "$work/server-$database.log"

  section "$database: warm-up (not measured), $warm s"
  load "warm-up"
  wrk -t$threads -c"$connections" -d"${warm}s" -s "$work/refresh.lua" "$url" -- \
    "$dir/warmup-tokens.txt" $threads "$tenant" "$origin" | grep -E '^(Requests/sec|tokens|answers)'
  sleep 3 # requests the server still works on after wrk stopped waiting

  # The pool's connections to this database (all open by now): their backends' CPU time.
  backends=()
  if [ "$database" = postgresql ] && command -v psql >/dev/null; then
    pg_name=$(sed -n 's#^url=.*/\([A-Za-z0-9_]*\)$#\1#p' "$dir/database.properties")
    mapfile -t backends < <(psql -h 127.0.0.1 -U "${LATCHKEY_TEST_PG_USER:-postgres}" -d postgres -Atc \
      "SELECT pid FROM pg_stat_activity WHERE datname = '$pg_name' AND backend_type = 'client backend'" \
      2>/dev/null || true)
  fi

  if [ -n "${PROFILE:-}" ]; then
    if [ "$database" = h2 ]; then
      echo query-statistics-on >"$dir/command"; sleep 1
    fi
    jcmd "$server_pid" JFR.start name=bench settings=profile filename="$work/$database.jfr" >/dev/null
  fi
  # An idle PostgreSQL backend reports its counters within 10 s (PGSTAT_IDLE_INTERVAL).
  [ "$database" = postgresql ] && sleep 11
  stats "$dir" "$work/before-$database.txt"
  section "$database: wrk -t$threads -c$connections -d$duration --latency POST /v1/sessions/refresh"
  load "measuring"
  before_load=$(cut -d' ' -f1 /proc/loadavg)
  server_before=$(cpu_ticks "$server_pid")
  server_system_before=$(awk '{print $15}' "/proc/$server_pid/stat")
  backends_before=$(cpu_ticks "${backends[@]}")
  children_cpu; wrk_before=$children_ms
  out=$(wrk -t$threads -c"$connections" -d"$duration" --latency -s "$work/refresh.lua" "$url" -- \
    "$dir/tokens.txt" $threads "$tenant" "$origin")
  children_cpu; wrk_after=$children_ms
  server_after=$(cpu_ticks "$server_pid")
  server_system_after=$(awk '{print $15}' "/proc/$server_pid/stat")
  backends_after=$(cpu_ticks "${backends[@]}")
  echo "$out"
  if [ -n "${PROFILE:-}" ]; then
    jcmd "$server_pid" JFR.stop name=bench >/dev/null
  fi
  sleep 1 # answers still in flight when wrk stopped
  [ "$database" = postgresql ] && sleep 11
  stats "$dir" "$work/after-$database.txt"

  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' <<<"$out")
  errors=$(sed -n 's/^ *Socket errors: //p' <<<"$out")
  ok=$(sed -n 's/^answers: 200: \([0-9]*\);.*/\1/p' <<<"$out")
  sent=$(sed -n 's/.*distinct tokens sent: \([0-9]*\);.*/\1/p' <<<"$out")
  used_up=$(sed -n 's/.*slices used up: \([0-9]*\)$/\1/p' <<<"$out")
  rps_of[$database]="$rps"
  b="$work/before-$database.txt" a="$work/after-$database.txt"
  spent=$(( $(value "$a" spent_tokens) - $(value "$b" spent_tokens) ))
  revoked=$(( $(value "$a" revoked_families) - $(value "$b" revoked_families) ))

  section "$database: what the database saw during the measured run"
  echo "tokens spent: $spent; answers 200: ${ok:-0}; distinct tokens sent: ${sent:-0}; families revoked: $revoked"
  if [ "$revoked" -ne 0 ] || [ "$spent" -lt "${ok:-0}" ]; then
    echo "WARNING: a token was presented twice or refused (revoked families or fewer spends than 200s)"
  fi
  [ "${used_up:-0}" -eq 0 ] || echo "WARNING: $used_up wrk thread(s) used up their tokens before the end: raise FAMILIES"
  server_ms=$(ms_per "$(( server_after - server_before ))" "$tick_ms" "$spent")
  # times counts seconds with 3 decimals: already in ms here.
  wrk_ms=$(ms_per "$(( wrk_after - wrk_before ))" 1 "$spent")
  server_system_ms=$(ms_per "$(( server_system_after - server_system_before ))" "$tick_ms" "$spent")
  echo "CPU per refresh: Latchkey $server_ms ms (of which in the kernel: $server_system_ms ms); wrk $wrk_ms ms"
  db_ms="n/a"
  if [ "$database" = postgresql ]; then
    db_ms=$(ms_per "$(( backends_after - backends_before ))" "$tick_ms" "$spent")
    echo "CPU per refresh: PostgreSQL backends of this database (${#backends[@]} connections) $db_ms ms"
    for key in xact_commit xact_rollback tup_inserted tup_updated \
      refresh_tokens.idx_scan refresh_tokens.idx_tup_fetch refresh_families.idx_scan refresh_families.idx_tup_fetch \
      users.idx_scan users.idx_tup_fetch; do
      echo "  $key per refresh: $(per "$(( $(value "$a" "$key") - $(value "$b" "$key") ))" "$spent")"
    done
  elif [ -n "${PROFILE:-}" ]; then
    echo "statements since the measured run started (H2 query statistics), executions per refresh:"
    grep '^execution_count=' "$a" | while read -r line; do
      count=$(sed -n 's/^execution_count=\([0-9]*\) .*/\1/p' <<<"$line")
      statement=$(sed -n 's/.* sql_statement=//p' <<<"$line")
      printf '  %6s  %s\n' "$(per "$count" "$spent")" "${statement:0:150}"
    done
  fi
  if [ -n "${PROFILE:-}" ]; then
    section "$database: JFR profile of the measured run"
    java -cp "$bench" dev.latchkey.bench.SessionRefreshProfile "$work/$database.jfr" "$spent"
    echo "hottest methods:"
    "$JAVA_HOME/bin/jfr" view --width 160 hot-methods "$work/$database.jfr" 2>/dev/null | sed -n '4,28p' || true
    cp "$work/$database.jfr" "${TMPDIR:-/tmp}/bench-sessions-$database.jfr"
    echo "recording kept as ${TMPDIR:-/tmp}/bench-sessions-$database.jfr"
  fi
  summary+=("$(printf '%-11s | %8s | %10s | %8s | %8s | %7s | %9s | %9s | %s%s' "$database" "$before_load" "$rps" "$p50" "$p99" \
    "${non2xx:-0}" "$server_ms" "$db_ms" "$spent" "${errors:+; socket errors: $errors}")")

  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  kill "$seed_pid"; wait "$seed_pid" 2>/dev/null || true
  # Logging is at WARN: anything the server logged is worth seeing (the first lines of each).
  warnings=$(grep -cE '^(WARN|ERROR)' "$work/server-$database.log" || true)
  if [ "${warnings:-0}" -gt 0 ]; then
    echo "the server logged $warnings warnings or errors; the first ones:"
    grep -E '^(WARN|ERROR)' "$work/server-$database.log" | cut -c1-300 | sort | uniq -c | sort -rn | head -n 5
  fi
done

section "summary (wrk -t$threads -c$connections -d$duration --latency, POST /v1/sessions/refresh, a distinct live token per request)"
printf '%-11s | %8s | %10s | %8s | %8s | %7s | %9s | %9s | %s\n' database "load avg" requests/s p50 p99 non-2xx \
  "CPU ms LK" "CPU ms PG" "tokens spent"
for line in "${summary[@]}"; do echo "$line"; done
if [ -n "${rps_of[h2]:-}" ] && [ -n "${rps_of[postgresql]:-}" ]; then
  echo "PostgreSQL / H2 requests/s: $(per "${rps_of[postgresql]}" "${rps_of[h2]}")"
fi
[ -n "${PROFILE:-}" ] && echo "(PROFILE=1: JFR was recording, and on H2 query statistics were on, during these runs)"

section "run facts"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo) memory, $(uname -sr)"
echo "JDK: $(java -version 2>&1 | head -n 1); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
echo "PostgreSQL: $(psql --version 2>/dev/null || echo unknown)"
echo "Server JVM options: ${jvm[*]}; pool: $pool; families: $families measured + $warmup_families warm-up; users: $users; warm-up: $warm s"
