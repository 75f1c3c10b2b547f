#!/usr/bin/env bash
# The directory-sized game day as a user runs it, with the peak memory of
# everything it starts: 100,000 people with accounts in five apps, 10,000
# leavers and 1,000 joiners during a 429 storm, reference connector.
#
#   cargo build --release && bash benches/directory_game_day.sh [SCENARIO] [extra run flags]
#
# Prints the run's own summary, its wall time, and the peak of the summed
# resident memory of scimulate and every process below it (the connector
# included), sampled every 250 ms into rss.log in a scratch folder (time,
# total, scimulate's own, the processes it started, in KB).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SCIMULATE:-$root/target/release/scimulate}
scenario=${1:-$root/benches/scenarios/directory-game-day.yaml}
shift || true
work=$(mktemp -d)
cd "$work"

# Every process below $1, $1 included.
tree() {
  local pids=$1 next=$1 kids
  while [ -n "$next" ]; do
    kids=$(for p in $next; do pgrep -P "$p" || true; done | tr '\n' ' ')
    pids="$pids $kids"
    next=$kids
  done
  echo "$pids"
}

start=$(date +%s.%N)
"$bin" run "$scenario" --time-scale 10 --report terminal --report json:report.json "$@" &
pid=$!
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }
peak=0 peak_own=0 peak_kids=0
while kill -0 "$pid" 2>/dev/null; do
  own=$(rss "$pid")
  own=${own:-0}
  kids=0
  for p in $(tree "$pid"); do
    [ "$p" = "$pid" ] && continue
    kb=$(rss "$p")
    kids=$((kids + ${kb:-0}))
  done
  total=$((own + kids))
  [ "$total" -gt "$peak" ] && peak=$total
  [ "$own" -gt "$peak_own" ] && peak_own=$own
  [ "$kids" -gt "$peak_kids" ] && peak_kids=$kids
  printf '%s %d %d %d\n' "$(date +%s.%N)" "$total" "$own" "$kids" >> rss.log
  sleep 0.25
done
status=0
wait "$pid" || status=$?
end=$(date +%s.%N)
printf 'wall time: %.1f s\n' "$(echo "$end - $start" | bc)"
printf 'peak memory (scimulate and the connector, summed RSS): %d MB\n' $((peak / 1024))
printf '  of which scimulate alone at most %d MB, the processes it started at most %d MB\n' \
  $((peak_own / 1024)) $((peak_kids / 1024))
echo "samples and report: $work (rss.log, report.json, .scimulate/runs/)"
exit "$status"
