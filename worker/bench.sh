#!/usr/bin/env bash
# Load test on loopback: wrk against the pass-through worker and the hearth worker, same
# origin page (~100 KB of HTML with 10 slots, served by workerd's static origin), then the
# streaming check (first byte vs origin completion). The hearth worker is measured four ways:
#   contextual visitors (no consent), the worker's render cache on (src/cache.js): the default;
#   contextual visitors with HEARTH_RENDER_CACHE=off: every page rewritten as it streams;
#   returning visitors with full consent and a digest cookie each (VISITORS of them, 64; their
#   histories differ: test/visitors.mjs), taken in turn: decided from each one's profile;
#   contextual visitors, and the returning visitors, in front of an origin whose pages say
#   max-age=0: what the worker kept is revalidated on every request (the default origin says
#   max-age=60: the worker serves what it kept for that long without asking, as a shared cache may).
# All of them fetch from the same origin page, as the pass-through does on every request.
# Needs worker/build.sh first and wrk
# (apt-get install -y wrk). Env: DURATION (5s per run), ROUNDS (3), CONNECTIONS (16), THREADS (2), PORT_BASE (18787), VISITORS (64).
# Then the workers again with one connection (what hearth adds to a request that does not queue),
# with the cacheable origin and, contextual and returning visitors, with the max-age=0 one.
# The ten rows run in turn, ROUNDS times, and each figure is the median over the rounds (ratios
# are taken within a round): on a shared machine the pass-through alone moves by 30% between runs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"
if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; fi
fi
DURATION="${DURATION:-5s}" ROUNDS="${ROUNDS:-3}" CONNECTIONS="${CONNECTIONS:-16}" THREADS="${THREADS:-2}" PORT_BASE="${PORT_BASE:-18787}"
site="$here/build/bench-site"
mkdir -p "$site"
node -e "import('$here/test/page.mjs').then(m => process.stdout.write(m.benchPage()))" > "$site/index.html"
hearth_port=$PORT_BASE plain_port=$((PORT_BASE + 1)) origin_port=$((PORT_BASE + 2)) uncached_port=$((PORT_BASE + 3)) revalidating_port=$((PORT_BASE + 4))
for p in $(seq "$PORT_BASE" $((PORT_BASE + 4))); do
  # Another server on these ports would answer in place of the one started here.
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/"; then echo "port $p is in use (another workerd?): set PORT_BASE" >&2; exit 1; fi
done
node_modules/.bin/workerd serve worker/config.capnp benchConfig -d "site-files=$site" \
  --socket-addr "http=127.0.0.1:$hearth_port" --socket-addr "plain=127.0.0.1:$plain_port" --socket-addr "origin=127.0.0.1:$origin_port" --socket-addr "uncached=127.0.0.1:$uncached_port" --socket-addr "revalidating=127.0.0.1:$revalidating_port" \
  2> /tmp/hearth-bench-workerd.log &
wpid=$!
trap 'kill $wpid 2>/dev/null || true; wait $wpid 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$plain_port/" && break; sleep 0.1; done
kill -0 $wpid 2>/dev/null || { echo "workerd did not start (ports $PORT_BASE-$((PORT_BASE + 4)) in use?):" >&2; cat /tmp/hearth-bench-workerd.log >&2; exit 1; }
bytes=$(curl -s "http://127.0.0.1:$origin_port/" | wc -c)
curl -s -o /dev/null -H 'Accept: text/html' "http://127.0.0.1:$hearth_port/" # a fresh isolate leaves slots it has not seen to the browser
slots=$(curl -s -H 'Accept: text/html' "http://127.0.0.1:$hearth_port/" | grep -o 'data-hearth-decided=' | wc -l)
echo "origin page: $bytes bytes; hearth worker decided $slots elements per page"
consent='hearth_consent=store.content.promotions.measure'
# Returning visitors, each with their own history (test/visitors.mjs), taken in turn by a wrk script.
visitors="$here/build/bench-visitors.lua"
{
  echo 'local cookies = {'
  node "$here/test/visitors.mjs" "${VISITORS:-64}" | sed 's/.*/  "&",/'
  echo '}'
  echo 'local n = 0'
  echo 'request = function()'
  echo '  n = n + 1'
  echo '  return wrk.format(nil, nil, { ["Accept"] = "text/html", ["Cookie"] = cookies[n % #cookies + 1] })'
  echo 'end'
} > "$visitors"
visitor="Cookie: $(node "$here/test/visitors.mjs" 1)"
profiled=$(curl -s -o /dev/null -D - -H 'Accept: text/html' -H "$visitor" "http://127.0.0.1:$hearth_port/" | tr -d '\r' | sed -n 's/^[Xx]-[Hh]earth: //p')
[ "$profiled" = profile ] || { echo "a returning visitor was not decided from their profile (X-Hearth: $profiled)" >&2; exit 1; }

run() { # name port [header | a wrk script (*.lua)] [connections] -> "rps p50_ms p99_ms errors requests"
  local extra=(); case "${3:-}" in '') ;; *.lua) extra=(-s "$3") ;; *) extra=(-H "$3") ;; esac
  local c=${4:-$CONNECTIONS} t=$THREADS; [ "$c" -lt "$t" ] && t=$c
  [ "$round" = 1 ] && wrk -t1 -c4 -d2s -H 'Accept: text/html' "${extra[@]}" "http://127.0.0.1:$2/" > /dev/null # warm-up
  local out; out=$(wrk -t"$t" -c"$c" -d"$DURATION" --latency -H 'Accept: text/html' "${extra[@]}" "http://127.0.0.1:$2/")
  echo "$out" > "/tmp/hearth-bench-$1.txt"
  node -e '
    const o = require("fs").readFileSync(0, "utf8");
    const ms = (s) => { const m = /([\d.]+)(us|ms|s)/.exec(s); return m[2] === "us" ? m[1] / 1000 : m[2] === "s" ? m[1] * 1000 : +m[1]; };
    const rps = +/Requests\/sec:\s+([\d.]+)/.exec(o)[1];
    const p50 = ms(/ 50%\s+(\S+)/.exec(o)[1]), p99 = ms(/ 99%\s+(\S+)/.exec(o)[1]);
    const non2xx = +(/Non-2xx or 3xx responses: (\d+)/.exec(o)?.[1] ?? 0);
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(o);
    const errors = non2xx + (sock ? sock.slice(1).reduce((a, b) => a + +b, 0) : 0);
    const reqs = +/(\d+) requests in/.exec(o)[1];
    console.log([rps, p50, p99, errors, reqs].join(" "));' <<< "$out"
}
for round in $(seq "$ROUNDS"); do
  echo "pass-through $(run plain $plain_port)"
  echo "hearth $(run hearth $hearth_port)"
  echo "uncached $(run uncached $uncached_port)"
  echo "revalidating $(run revalidating $revalidating_port)"
  echo "profile $(run profile $hearth_port "$visitors")"
  echo "profile-revalidating $(run profile-revalidating $revalidating_port "$visitors")"
  # One connection: what hearth adds to a request when nothing queues behind it.
  echo "pass-through-1c $(run plain1 $plain_port "" 1)"
  echo "hearth-1c $(run hearth1 $hearth_port "" 1)"
  echo "revalidating-1c $(run revalidating1 $revalidating_port "" 1)"
  echo "profile-revalidating-1c $(run profile-revalidating1 $revalidating_port "$visitors" 1)"
done > /tmp/hearth-bench-rows.txt
state() { curl -s -o /dev/null -D - -H 'Accept: text/html' "$@" "http://127.0.0.1:$hearth_port/" | tr -d '\r' | sed -n 's/^[Xx]-[Hh]earth-[Cc]ache: //p'; }
cache_state="contextual visitor: $(state), consented visitor: $(state -H "$visitor")"
node -e '
  const lines = require("fs").readFileSync("/tmp/hearth-bench-rows.txt", "utf8").trim().split("\n").map((l) => l.split(" "));
  const names = { "pass-through": "pass-through", hearth: "hearth, contextual visitors (render cache)", uncached: "hearth, contextual, every page rewritten", revalidating: "hearth, contextual, origin max-age=0", profile: `hearth, ${process.argv[2]} returning visitors (profile)`, "profile-revalidating": "hearth, returning visitors, origin max-age=0", "pass-through-1c": "pass-through, 1 connection", "hearth-1c": "hearth, contextual, 1 connection", "revalidating-1c": "hearth, contextual, max-age=0, 1 connection", "profile-revalidating-1c": "hearth, returning, max-age=0, 1 connection" };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const runs = {}; // name -> [[rps, p50, p99, errors, requests] per round]
  for (const [name, ...v] of lines) (runs[name] ??= []).push(v.map(Number));
  const base = runs["pass-through"];
  const baseOf = (name) => runs[name.endsWith("-1c") ? "pass-through-1c" : "pass-through"];
  let errors = 0;
  for (const [name, rs] of Object.entries(runs)) {
    const col = (i) => median(rs.map((r) => r[i]));
    const e = rs.reduce((n, r) => n + r[3], 0), n = rs.reduce((n, r) => n + r[4], 0);
    errors += e;
    let vs = "";
    if (baseOf(name) !== rs) {
      const b = baseOf(name);
      const ratios = rs.map((r, i) => r[0] / b[i][0]);
      const ratio = median(ratios);
      const d50 = median(rs.map((r, i) => r[1] - b[i][1])), d99 = median(rs.map((r, i) => r[2] - b[i][2]));
      vs = `   ratio ${ratio.toFixed(3)} [${ratios.map((x) => x.toFixed(2)).join(" ")}], p50 ${d50 >= 0 ? "+" : ""}${d50.toFixed(2)} ms, p99 ${d99 >= 0 ? "+" : ""}${d99.toFixed(2)} ms`;
    }
    console.log(`${names[name].padEnd(44)} ${col(0).toFixed(0).padStart(6)} req/s   p50 ${col(1).toFixed(2).padStart(6)} ms   p99 ${col(2).toFixed(2).padStart(6)} ms   ${n} requests, ${e} errors${vs}`);
  }
  console.log(`${base.length === 1 ? "one round" : `medians of ${base.length} rounds`} (ratios and added latency within each round); after the runs, X-Hearth-Cache for a ${process.argv[1]}`);
  if (errors) { console.log("ERRORS during the run"); process.exitCode = 1; }' "$cache_state" "${VISITORS:-64}"
kill $wpid; wait $wpid 2>/dev/null || true; trap - EXIT
node "$here/test/ttfb.mjs"
