#!/usr/bin/env bash
# HTTP figures of issue 4, all in one run on this machine:
#   - cold start of `latchkey serve` (embedded H2, fresh data directory, class-data sharing archive
#     as ./latchkey uses it) to the first 200 from GET /v1/auth/verify with a valid token, and RSS;
#   - wrk -t2 -c50 -d20s --latency against
#       nginx serving a static file with no authentication (the floor),
#       latchkey /v1/auth/verify with one valid token (validated-token cache),
#       latchkey /v1/auth/verify with a distinct valid token on every request,
#       Apache + mod_auth_openidc (AuthType oauth20, keys from the same local JWKS) protecting the
#       same static file, with the one token and with distinct tokens;
#     after a JIT warm-up of latchkey (>= 30 s of load) and a short warm-up of the others;
#   - key-set fetches caused by 10 000 requests whose token has an unknown or no `kid`, counted in
#     the access log of the nginx that serves the JWKS (latchkey, then mod_auth_openidc);
#   - heap and RSS of latchkey before and after 1 000 000 distinct random invalid JWT-shaped tokens.
# The issuer is a key pair made by dev.latchkey.bench.BenchTokens; its public key set is a static
# file served by nginx on loopback, so no IdP process competes for the two cores.
# Usage: scripts/bench-verify.sh   (env: STARTS=5 cold starts, DISTINCT=120000 tokens, SKIP_BUILD=1 to
#                                   use the jars already built; for a smoke test of the script only:
#                                   DURATION=2s WARMUP=1 INVALID=10000 WARMUP_TOKENS=1000)
# Needs wrk and nginx; Apache is measured when apache2 and libapache2-mod-auth-openidc are installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/find-jdk.sh
starts="${STARTS:-5}"
distinct="${DISTINCT:-120000}"
warmup_tokens="${WARMUP_TOKENS:-20000}"
duration="${DURATION:-20s}"
warm="${WARMUP:-5}"   # seconds; latchkey gets 4x then 3x this of load before measuring (35 s)
invalid="${INVALID:-1000000}"

if [ -z "${SKIP_BUILD:-}" ]; then
  ./mvnw -B -ntp -q -pl latchkey-app,latchkey-bench -am package -Dmaven.test.skip=true
fi
app="$root/latchkey-app/target/latchkey.jar"
bench="$root/latchkey-bench/target/benchmarks.jar"
for tool in wrk nginx jcmd curl openssl; do
  command -v "$tool" >/dev/null || [ -x "$JAVA_HOME/bin/$tool" ] || { echo "needs $tool" >&2; exit 1; }
done

work=$(mktemp -d)
chmod 755 "$work"   # nginx and Apache workers run as unprivileged users
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  [ -f "$work/apache.pid" ] && kill "$(cat "$work/apache.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$work"
}
trap cleanup EXIT

floor_port=18180 jwks_port=18181 apache_port=18182 latchkey_port=18183 jwks_tls_port=18184
issuer="https://idp.bench.example/realms/bench"
load() { echo "load average before $1: $(cut -d' ' -f1-3 /proc/loadavg)"; }
section() { echo; echo "=== $* ==="; }

section "minting tokens ($distinct distinct + $warmup_tokens for warm-up, RS256)"
java -cp "$bench" dev.latchkey.bench.BenchTokens "$work/tokens" "$issuer" "$distinct" "$warmup_tokens"
chmod -R a+rX "$work/tokens"
token=$(cat "$work/tokens/token.txt")
mkdir -p "$work/www" "$work/jwks"
cp "$work/tokens/jwks.json" "$work/jwks/jwks.json"
# A body about the size of /v1/auth/verify's JSON answer.
printf '{"tenant":"bench","user":"00000000-0000-0000-0000-000000000000","kind":"user","groups":[],"scopes":["openid","profile"]}\n' >"$work/www/static.txt"
chmod -R a+rX "$work/www" "$work/jwks"

# --- nginx: the floor (no log) and the key-set server (logged, to count fetches) -----------------
cat >"$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  default_type application/json;
  client_body_temp_path $work/nginx-tmp;
  sendfile on; tcp_nopush on; keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$floor_port;
    access_log off;
    root $work/www;
  }
  server {
    listen 127.0.0.1:$jwks_port;
    access_log $work/jwks-access.log;
    root $work/jwks;
  }
  # mod_auth_openidc only fetches keys over https.
  server {
    listen 127.0.0.1:$jwks_tls_port ssl;
    ssl_certificate $work/jwks-tls.pem;
    ssl_certificate_key $work/jwks-tls.key;
    access_log $work/jwks-access.log;
    root $work/jwks;
  }
}
NGINX
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout "$work/jwks-tls.key" -out "$work/jwks-tls.pem" 2>/dev/null
nginx -c "$work/nginx.conf" -e "$work/nginx-error.log"
jwks_fetches() { grep -c 'GET /jwks.json' "$work/jwks-access.log" || true; }

# --- Apache + mod_auth_openidc protecting the same static file ----------------------------------
apache=""
modules=/usr/lib/apache2/modules
if command -v apache2 >/dev/null && [ -f "$modules/mod_auth_openidc.so" ]; then
  cat >"$work/apache.conf" <<APACHE
ServerRoot $work
ServerName 127.0.0.1
Listen 127.0.0.1:$apache_port
PidFile $work/apache.pid
ErrorLog $work/apache-error.log
LogLevel warn
User www-data
Group www-data
DefaultRuntimeDir $work
LoadModule mpm_event_module $modules/mod_mpm_event.so
LoadModule authn_core_module $modules/mod_authn_core.so
LoadModule authz_core_module $modules/mod_authz_core.so
LoadModule authz_user_module $modules/mod_authz_user.so
LoadModule auth_openidc_module $modules/mod_auth_openidc.so
# Debian's default event MPM settings (mods-available/mpm_event.conf).
StartServers 2
MinSpareThreads 25
MaxSpareThreads 75
ThreadLimit 64
ThreadsPerChild 25
MaxRequestWorkers 150
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
DocumentRoot $work/www
OIDCCryptoPassphrase bench-only-passphrase
OIDCOAuthVerifyJwksUri https://127.0.0.1:$jwks_tls_port/jwks.json
# The key server's certificate is self-signed (loopback only).
OIDCSSLValidateServer Off
OIDCOAuthSSLValidateServer Off
OIDCOAuthRemoteUserClaim sub
<Location "/">
  AuthType oauth20
  Require valid-user
</Location>
APACHE
  if apache2 -f "$work/apache.conf" -k start >"$work/apache-start.log" 2>&1; then
    apache="http://127.0.0.1:$apache_port/static.txt"
  else
    echo "Apache did not start:"; cat "$work/apache-start.log" "$work/apache-error.log" 2>/dev/null
  fi
else
  echo "apache2 or mod_auth_openidc not installed: Apache is not measured"
fi

# --- latchkey serve -----------------------------------------------------------------------------
java -jar "$app" keys generate --keyset "$work/keyset.json" >/dev/null 2>&1
cat >"$work/latchkey.yaml" <<YAML
server: { host: 127.0.0.1, port: $latchkey_port, publicUrl: "http://127.0.0.1:$latchkey_port" }
database: { url: "jdbc:h2:file:$work/data/latchkey" }
keys: { keyset: "file:$work/keyset.json" }
development: { allowInsecureHttp: true }
logging: { level: WARN }
tenants:
  bench:
    issuers:
      - issuer: "$issuer"
        jwksUri: "http://127.0.0.1:$jwks_port/jwks.json"
        audiences: [latchkey]
        algorithms: [RS256]
    identity: { provisioning: jit }
YAML
# As ./latchkey runs it: small explicit heap, serial GC, class-data sharing archive.
jvm=(-Xms32m -Xmx256m -XX:+UseSerialGC -XX:SharedArchiveFile="$work/serve.jsa" -XX:+AutoCreateSharedArchive
     -Xlog:cds=off -Xlog:cds+dynamic=off)
[ "$(latchkey_java_major "$JAVA_HOME/bin/java")" -ge 23 ] && jvm+=(--sun-misc-unsafe-memory-access=allow)
verify="http://127.0.0.1:$latchkey_port/v1/auth/verify"
verified() { [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$verify")" = 200 ]; }

section "cold start to the first verified 200 ($starts runs; run 0 trains the CDS archive and is not a figure)"
load "cold starts"
echo "run,verified_ms,rss_mb"
for i in $(seq 0 "$starts"); do
  rm -rf "$work/data"
  start=$(date +%s%N)
  java "${jvm[@]}" -jar "$app" serve --config "$work/latchkey.yaml" >"$work/serve.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 6000); do verified && break; sleep 0.005; done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$pid/status")
  verified || { echo "no verified 200:"; cat "$work/serve.log"; exit 1; }
  echo "$i,$ms,$rss"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

rm -rf "$work/data"
java "${jvm[@]}" -jar "$app" serve --config "$work/latchkey.yaml" >"$work/serve.log" 2>&1 &
latchkey_pid=$!
pids+=("$latchkey_pid")
for _ in $(seq 1 6000); do verified && break; sleep 0.01; done
verified || { echo "latchkey does not verify the token:"; cat "$work/serve.log"; exit 1; }
if [ -n "$apache" ]; then
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$apache")
  nocode=$(curl -s -o /dev/null -w '%{http_code}' "$apache")
  echo "Apache + mod_auth_openidc: $code with the token, $nocode without"
  if [ "$code" != 200 ]; then
    echo "mod_auth_openidc does not accept the token; Apache is not measured:"; tail -n 20 "$work/apache-error.log"
    apache=""
  fi
fi

# --- wrk scripts ----------------------------------------------------------------------------------
# rotate.lua FILE [LIMIT]: each thread sends the tokens of its own slice of FILE, one per request,
# (wrk -t2: two slices) and counts wrap-arounds (a token sent twice) and answers by status; with LIMIT, each thread stops
# after LIMIT answers.
cat >"$work/rotate.lua" <<'LUA'
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
  tokens = {}
  for i = id * per + 1, (id + 1) * per do tokens[#tokens + 1] = all[i] end
  limit = tonumber(args[2] or "0")
  next_index, wraps, answers, ok, unauthorized, other = 0, 0, 0, 0, 0, 0
end
function request()
  next_index = next_index + 1
  if next_index > #tokens then next_index = 1; wraps = wraps + 1 end
  return wrk.format("GET", nil, { Authorization = "Bearer " .. tokens[next_index] })
end
function response(status, headers, body)
  answers = answers + 1
  if status == 200 then ok = ok + 1 elseif status == 401 then unauthorized = unauthorized + 1 else other = other + 1 end
  if limit > 0 and answers >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local w, a, o, u, x = 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    w = w + t:get("wraps"); a = a + t:get("answers"); o = o + t:get("ok")
    u = u + t:get("unauthorized"); x = x + t:get("other")
  end
  io.write(string.format("answers: %d (200: %d, 401: %d, other: %d); slice wrap-arounds: %d\n", a, o, u, x, w))
end
LUA
# random.lua LIMIT CHUNK: distinct random tokens of JWT shape (three base64url segments, about 520
# characters); half carry a well-formed RS256 header naming the real kid, half a random one.
cat >"$work/random.lua" <<'LUA'
local threads = {}
local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  limit = tonumber(args[1])
  chunk = tonumber(args[2])
  local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
  math.randomseed(os.time() + id * 7919 + chunk * 104729)
  local parts = {}
  for i = 1, 8192 do local c = math.random(1, 64); parts[i] = chars:sub(c, c) end
  blob = table.concat(parts)
  header = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImJlbmNoLXJzIn0"
  sent, answers, unauthorized, other = 0, 0, 0, 0
end
function request()
  sent = sent + 1
  local p = math.random(1, 8192 - 520)
  local h = (sent % 2 == 0) and header or blob:sub(p + 400, p + 459)
  local token = h .. "." .. string.format("%x%x%09x", chunk, id, sent) .. blob:sub(p, p + 110) .. "." .. blob:sub(p + 111, p + 452)
  return wrk.format("GET", nil, { Authorization = "Bearer " .. token })
end
function response(status, headers, body)
  answers = answers + 1
  if status == 401 then unauthorized = unauthorized + 1 else other = other + 1 end
  if answers >= limit then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local a, u, x = 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("answers"); u = u + t:get("unauthorized"); x = x + t:get("other") end
  io.write(string.format("answers: %d (401: %d, other: %d)\n", a, u, x))
end
LUA

# flood COUNT URL SCRIPT [ARG]: sends COUNT requests in chunks of at most 10 s. wrk has no request
# count: the scripts stop their threads at a limit, but wrk still waits out its duration.
flood() {
  local count="$1" url="$2" script="$3" arg="${4:-}" total=0 chunk=0 answered out started
  started=$(date +%s%N)
  while [ "$total" -lt "$count" ]; do
    chunk=$((chunk + 1))
    if [ -n "$arg" ]; then
      out=$(wrk -t2 -c10 -d10s -s "$script" "$url" -- "$arg" $(( (count - total + 1) / 2 )))
    else
      out=$(wrk -t2 -c50 -d10s -s "$script" "$url" -- $(( (count - total + 1) / 2 )) "$chunk")
    fi
    answered=$(sed -n 's/^answers: \([0-9]*\).*/\1/p' <<<"$out")
    echo "  chunk $chunk: $(grep '^answers' <<<"$out")"
    total=$((total + answered))
  done
  echo "  $total answers in $(( ($(date +%s%N) - started) / 1000000 )) ms (wall clock, including idle chunk ends)"
}
bearer=(-H "Authorization: Bearer $token")
measure() { # name, wrk arguments...
  local name="$1"; shift
  section "$name"
  load "$name"
  wrk -t2 -c50 -d"$duration" --latency "$@"
}

section "warm-up (not measured): latchkey $((4 * warm)) s distinct tokens + $((3 * warm)) s one token; nginx and Apache $warm s each"
load "warm-up"
wrk -t2 -c50 -d$((4 * warm))s -s "$work/rotate.lua" "$verify" -- "$work/tokens/warmup.txt" >/dev/null
wrk -t2 -c50 -d$((3 * warm))s "${bearer[@]}" "$verify" >/dev/null
wrk -t2 -c50 -d${warm}s "http://127.0.0.1:$floor_port/static.txt" >/dev/null
[ -n "$apache" ] && wrk -t2 -c50 -d${warm}s "${bearer[@]}" "$apache" >/dev/null

measure "nginx static file, no auth (floor)" "http://127.0.0.1:$floor_port/static.txt"
measure "latchkey /health/live, no auth (the HTTP stack's own floor, for reference)" "http://127.0.0.1:$latchkey_port/health/live"
measure "latchkey /v1/auth/verify, one valid token (cache)" "${bearer[@]}" "$verify"
measure "latchkey /v1/auth/verify, distinct valid token per request" -s "$work/rotate.lua" "$verify" -- "$work/tokens/tokens.txt"
if [ -n "$apache" ]; then
  before=$(jwks_fetches)
  measure "Apache + mod_auth_openidc, one valid token" "${bearer[@]}" "$apache"
  echo "key-set fetches by mod_auth_openidc during this run: $(( $(jwks_fetches) - before ))"
  before=$(jwks_fetches)
  measure "Apache + mod_auth_openidc, distinct valid token per request" -s "$work/rotate.lua" "$apache" -- "$work/tokens/tokens.txt"
  echo "key-set fetches by mod_auth_openidc during this run: $(( $(jwks_fetches) - before ))"
fi

section "key-set fetches caused by 10 000 requests with an unknown or missing kid"
load "unknown-kid flood"
before=$(jwks_fetches)
flood 10000 "$verify" "$work/rotate.lua" "$work/tokens/bad-kid.txt"
echo "latchkey: $(( $(jwks_fetches) - before )) key-set fetches (refetch cooldown 30 s)"
if [ -n "$apache" ]; then
  before=$(jwks_fetches)
  flood 10000 "$apache" "$work/rotate.lua" "$work/tokens/bad-kid.txt"
  echo "mod_auth_openidc: $(( $(jwks_fetches) - before )) key-set fetches"
fi

section "memory under $invalid distinct invalid tokens"
heap() {
  jcmd "$latchkey_pid" GC.heap_info | grep -E 'total|Metaspace' 
  echo "VmRSS: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' "/proc/$latchkey_pid/status")"
}
echo "before (as found):"; heap
jcmd "$latchkey_pid" GC.run >/dev/null
echo "before, after a full GC:"; heap
load "$invalid invalid tokens"
flood "$invalid" "$verify" "$work/random.lua"
echo "after (as found):"; heap
jcmd "$latchkey_pid" GC.run >/dev/null
echo "after, after a full GC:"; heap
verified && echo "the valid token still verifies"

section "run facts"
echo "Date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(uname -sr)"
echo "JDK: $(java -version 2>&1 | head -n 1); $(nginx -v 2>&1); $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)"
[ -n "$apache" ] && echo "Apache: $(apache2 -v | head -n 1); mod_auth_openidc $(dpkg-query -W -f '${Version}' libapache2-mod-auth-openidc)"
echo "JWKS fetches in total: $(jwks_fetches)"
