#!/usr/bin/env bash
# A game day's board in a real browser (docs/gamedays.md, "The board"):
# starts `scimulate gameday ci/browser/gameday.yaml` with the reference
# connector, opens the board in headless Chromium (ci/browser/check-gameday.js)
# and checks that it shows each hypothesis and safeguard with its state over
# time (app-a's error-rate hypothesis breaking under a 429 storm while
# app-b's holds) and the connector's alert; then stops the game day with
# SIGINT and checks it rolled back and wrote its report (exit 130), and
# opens that report as HTML (ci/browser/check-reports.js): each probe with
# its strip over time. Screenshots: target/browser/board-gameday.png and
# target/browser/gameday.png.
set -euo pipefail
cd "$(dirname "$0")/.."

. ci/browser-lib.sh
work="$tmp/gameday"
mkdir -p "$work"
root=$PWD
bin=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
(cd "$work" && exec "$bin" gameday "$root/ci/browser/gameday.yaml" \
  --report "json:$work/report.json" --report terminal 2>"$OUT/gameday.log" >"$OUT/gameday.out") &
server_pid=$!
endpoints=""
for _ in $(seq 1 300); do
  endpoints=$(ls "$work"/.scimulate/runs/*/endpoints.json 2>/dev/null | head -1 || true)
  [ -n "$endpoints" ] && [ -s "$endpoints" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "scimulate gameday exited early:"; cat "$OUT/gameday.log"; exit 1; }
  sleep 0.1
done
[ -n "$endpoints" ] || { echo "the game day wrote no endpoints file within 30 s"; exit 1; }
cp "$endpoints" "$tmp/endpoints.json"

cd ci/browser
npm ci --no-audit --no-fund --silent
status=0
node check-gameday.js "$tmp/endpoints.json" "$OUT" || status=1

kill -INT "$server_pid"
code=0
wait "$server_pid" || code=$?
server_pid=""
if [ "$code" != 130 ]; then
  echo "FAIL gameday: exit $code after SIGINT, expected 130"; cat "$OUT/gameday.log"; exit 1
fi
python3 - "$work/report.json" <<'PY' || status=1
import json, sys
report = json.load(open(sys.argv[1]))
s = report["scenarios"][0]
timeline = [t["summary"] for t in s["timeline"]]
problems = []
if not s.get("interrupted"):
    problems.append("the report does not say the game day was interrupted")
if not any(t.startswith("rollback:") for t in timeline):
    problems.append("no rollback in the timeline: %s" % timeline)
probes = {p["description"]: p for p in s.get("probes", [])}
a = probes.get("error_rate of app-a below 5% over 10s")
if not a or not any(not x["ok"] for x in a["spans"]):
    problems.append("app-a's hypothesis never broke: %s" % a)
print(("FAIL" if problems else "ok  ") + " gameday: SIGINT -> exit 130, rolled back, report with %d probes" % len(probes))
for p in problems:
    print("       " + p)
sys.exit(1 if problems else 0)
PY

# The game day's HTML report, rendered again from its JSON.
"$bin" report "$work/report.json" --report "html:$OUT/gameday.html" >/dev/null 2>"$OUT/gameday-report.err" || true
cat >"$tmp/manifest.json" <<JSON
[{"name": "gameday", "file": "$OUT/gameday.html",
  "expect": [["[data-testid=probes] [data-testid=probe]", "probe rows"], ["[data-testid=probes] svg.strip rect.span-bad", "a red span"],
             ["[data-testid=timeline] svg", "timeline"], ["[data-testid=check][data-outcome=failed]", "failed hypothesis"]]}]
JSON
node check-reports.js "$tmp/manifest.json" "$OUT" || status=1
exit $status
