#!/usr/bin/env bash
# Runs the shared side-by-side script several times on chat-busy and prints every run and
# the median per side: on a shared 2-core machine one run's p99 moves by 30-50% between
# runs of the same jar, so one run is an anecdote.
#
#   bench/side-by-side-runs.sh [RUNS] JAR [-- service args]
#   bench/side-by-side-runs.sh 3 chat-service/target/chat-service-0.1.0-SNAPSHOT.jar -- \
#       --spring.security.oauth2.resourceserver.jwt.audiences=chat-service
#
# With BASE=<another jar>, every run first runs that jar on our side alone ("base"), so two
# builds alternate on the same machine and are compared by their medians too.
#
# Env: SIDES ("ours peer"), BASE, TMPDIR, SIDE_BY_SIDE (the script, ../shared/peer/side-by-side.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=3
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then runs=$1; shift; fi
[ $# -ge 1 ] || { echo "usage: $0 [RUNS] JAR [-- service args]" >&2; exit 2; }
script=${SIDE_BY_SIDE:-../shared/peer/side-by-side.sh}
raw=${TMPDIR:-/tmp}/side-by-side
out=${TMPDIR:-/tmp}/side-by-side-runs
rm -rf "$out" && mkdir -p "$out"

for i in $(seq 1 "$runs"); do
  if [ -n "${BASE:-}" ]; then
    rm -f "$raw"/*-busy.json
    if ! WORKLOADS=busy SIDES=ours "$script" "$BASE" "${@:2}" >"$out/run-$i-base.log" 2>&1; then
      echo "run $i of the base jar failed, see $out/run-$i-base.log" >&2; exit 1
    fi
    mkdir -p "$out/run-$i" && cp "$raw/ours-busy.json" "$out/run-$i/base-busy.json"
    grep -E "chat-busy" "$out/run-$i-base.log" | sed "s/^ours /base /; s/^/run $i  /"
  fi
  rm -f "$raw"/*-busy.json
  if ! WORKLOADS=busy "$script" "$@" >"$out/run-$i.log" 2>&1; then
    echo "run $i failed, see $out/run-$i.log" >&2; exit 1
  fi
  mkdir -p "$out/run-$i" && cp "$raw"/*-busy.json "$out/run-$i/"
  grep -E "chat-busy" "$out/run-$i.log" | sed "s/^/run $i  /"
done

node -e '
const fs = require("fs"), path = require("path");
const dir = process.argv[1];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const sides = {};
for (const run of fs.readdirSync(dir).filter((d) => d.startsWith("run-") && !d.endsWith(".log"))) {
  for (const file of fs.readdirSync(path.join(dir, run))) {
    const r = JSON.parse(fs.readFileSync(path.join(dir, run, file)));
    const side = file.replace("-busy.json", "");
    const cpu = r.cpu_pct.a + r.cpu_pct.b;
    (sides[side] ??= []).push({ p50: r.latency_ms.p50, p99: r.latency_ms.p99,
      usPerMsg: cpu / 100 / r.rate_target * 1e6, db: r.cpu_pct.mariadbd, lost: r.lost, dup: r.duplicates });
  }
}
const med = {};
for (const [side, rs] of Object.entries(sides)) {
  med[side] = { p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)),
    us: median(rs.map((r) => r.usPerMsg)), db: median(rs.map((r) => r.db)) };
  console.log(`median ${side.padEnd(5)} chat-busy over ${rs.length} runs: p50=${med[side].p50.toFixed(2)} p99=${med[side].p99.toFixed(2)} ` +
    `replicas ${med[side].us.toFixed(0)} us/msg, mariadbd ${med[side].db.toFixed(1)}% ` +
    `lost=${rs.reduce((a, r) => a + r.lost, 0)} dup=${rs.reduce((a, r) => a + r.dup, 0)}`);
}
if (med.ours && med.base) {
  console.log(`ratio of medians ours/base: p99 ${(med.ours.p99 / med.base.p99).toFixed(2)}, ` +
    `replicas CPU per message ${(med.ours.us / med.base.us).toFixed(2)}`);
}
if (med.ours && med.peer) {
  console.log(`ratio of medians ours/peer: p99 ${(med.ours.p99 / med.peer.p99).toFixed(2)}, ` +
    `replicas CPU per message ${(med.ours.us / med.peer.us).toFixed(2)}`);
}
' "$out"
echo "logs and JSON of every run: $out"
