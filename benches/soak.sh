#!/usr/bin/env bash
# The long game day: MINUTES (default 30) of wall clock with the reference
# connector, a steady trickle of events and faults, token rotations and
# network toxics coming and going (benches/soak/make_scenario.py). Every
# SAMPLE seconds (default 10) it records, for scimulate and every process
# below it (the connector included): summed resident memory, and the part of
# it that is the processes' own (anonymous: heap and stacks; the rest is the
# binary's pages, mapped as code paths are first run), open file
# descriptors, threads, and from the scenario's own admin API the journal
# entries held and dropped and the requests answered.
#
#   cargo build --release && bash benches/soak.sh [MINUTES]
#
# Writes samples.csv and report.json in a scratch folder and prints, per
# measure, its value after warm-up (the first fifth of the run) and its
# range over the rest: flat means the range stays near the warm-up value.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SCIMULATE:-$root/target/release/scimulate}
minutes=${1:-30}
sample=${SAMPLE:-10}
work=$(mktemp -d)
cd "$work"
python3 "$root/benches/soak/make_scenario.py" "$minutes" > soak.yaml

tree() {
  local pids=$1 next=$1 kids
  while [ -n "$next" ]; do
    kids=$(for p in $next; do pgrep -P "$p" || true; done | tr '\n' ' ')
    pids="$pids $kids"
    next=$kids
  done
  echo "$pids"
}

# One line of the admin API's /metrics summed over targets.
metric() {
  local name=$1 text=$2
  awk -v n="$name" '$1 ~ "^"n"({|$)" {s += $NF} END {printf "%d", s}' <<<"$text"
}

"$bin" run soak.yaml --time-scale 1 --report terminal --report json:report.json &
pid=$!
start=$(date +%s)
echo "seconds,rss_kb,anon_kb,fds,threads,journal_entries,journal_dropped,requests" > samples.csv
while kill -0 "$pid" 2>/dev/null; do
  rss=0 anon=0 fds=0 threads=0
  for p in $(tree "$pid"); do
    kb=$(awk '/^VmRSS/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
    an=$(awk '/^RssAnon/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
    th=$(awk '/^Threads/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
    fd=$(ls "/proc/$p/fd" 2>/dev/null | wc -l || true)
    rss=$((rss + ${kb:-0})); anon=$((anon + ${an:-0})); threads=$((threads + ${th:-0})); fds=$((fds + ${fd:-0}))
  done
  entries="" dropped="" requests=""
  ep=$(ls -d .scimulate/runs/*/endpoints.json 2>/dev/null | tail -1 || true)
  if [ -n "$ep" ] && [ -r "$ep" ]; then
    url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin"]["url"])' "$ep" 2>/dev/null || true)
    token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["admin"]["token"])' "$ep" 2>/dev/null || true)
    if [ -n "$url" ] && [ "$token" != "***" ]; then
      text=$(curl -sf --max-time 5 -H "Authorization: Bearer $token" "$url/metrics" || true)
      if [ -n "$text" ]; then
        entries=$(metric scimulate_journal_entries "$text")
        dropped=$(metric scimulate_journal_dropped_total "$text")
        requests=$(metric scimulate_requests_total "$text")
      fi
    fi
  fi
  echo "$(( $(date +%s) - start )),$rss,$anon,$fds,$threads,$entries,$dropped,$requests" >> samples.csv
  sleep "$sample"
done
status=0
wait "$pid" || status=$?

python3 - "$minutes" <<'PY'
import csv, sys
minutes = int(sys.argv[1])
rows = list(csv.DictReader(open("samples.csv")))
warm = minutes * 60 / 5
after = [r for r in rows if float(r["seconds"]) >= warm and r["journal_entries"]]
print(f"{len(rows)} samples over {rows[-1]['seconds']} s; warm-up {warm:.0f} s")
for key, unit in [("rss_kb", "MB"), ("anon_kb", "MB"), ("fds", ""), ("threads", ""),
                  ("journal_entries", ""), ("journal_dropped", ""), ("requests", "")]:
    vals = [int(r[key]) for r in after if r[key] != ""]
    if not vals:
        continue
    scale = 1024 if unit == "MB" else 1
    first, lo, hi = vals[0] / scale, min(vals) / scale, max(vals) / scale
    print(f"{key:16} after warm-up {first:10.1f}{unit}  min {lo:10.1f}  max {hi:10.1f}  last {vals[-1] / scale:10.1f}")
PY
echo "samples and report: $work (samples.csv, report.json, .scimulate/runs/)"
exit "$status"
