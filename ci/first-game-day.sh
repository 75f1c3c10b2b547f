#!/usr/bin/env bash
# The README's first game day, as a team runs it: scenarios/gamedays/
# first-game-day.yaml against the built-in reference connector on the
# release build. Every check must pass: every hypothesis held at every look,
# the safeguard never fired, the alerts came, and the method's faults and
# toxic were cleared. About two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${SCIMULATE_BIN:-target/release/scimulate}
[ -x "$BIN" ] || { echo "no scimulate binary at $BIN (cargo build --release, or set SCIMULATE_BIN)"; exit 1; }
bin=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
(cd "$work" && NO_COLOR=1 "$bin" gameday "$root/scenarios/gamedays/first-game-day.yaml" \
  --report "json:$work/report.json" --report terminal) || status=$?
python3 - "$work/report.json" "$status" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
status = int(sys.argv[2])
s = report["scenarios"][0]
problems = []
if status != 0:
    problems.append("exit %d, expected 0" % status)
failed = [c for c in s["checks"] if not c["passed"]]
for c in failed:
    problems.append("%s[%s]: %s" % (c["check"], c["target"], c["message"]))
probes = s.get("probes", [])
if len(probes) != 5:
    problems.append("%d probes, expected 4 hypotheses and 1 safeguard" % len(probes))
timeline = [t["summary"] for t in s["timeline"]]
if not any(t.startswith("rollback:") for t in timeline):
    problems.append("no rollback after the method")
looks = sum(sp["looks"] for p in probes for sp in p["spans"])
print(("FAIL" if problems else "ok  ") + " first game day: %d checks, %d probe looks, %.0f s" % (len(s["checks"]), looks, s["duration_ms"] / 1000))
for p in problems:
    print("       " + p)
sys.exit(1 if problems else 0)
PY
