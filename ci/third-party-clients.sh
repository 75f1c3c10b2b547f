#!/usr/bin/env bash
# Plays a chosen part of the scenario pack against two SCIM clients nobody
# here wrote (issue #5): scim2-cli (the `scim2` command) and scim-client,
# both from PyPI, driven through the exec contract by the small adapters in
# ci/third-party-clients/. Each JSON report is reduced to one verdict line
# per check (client, scenario, check, target, passed/failed, the message
# with times, ids and ports masked) and compared with the committed
# snapshot ci/third-party-clients/verdicts.txt: any difference fails the
# run. UPDATE=1 rewrites the snapshot instead. Why each failure is real:
# ci/third-party-clients/README.md. Outputs go to target/third-party-clients/.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=ci/third-party-clients
VENV=${VENV:-.venv}
# The clients, pinned, in a venv of the project's own (created on first use).
if [ ! -x "$VENV/bin/scim2" ] || ! "$VENV/bin/python" -c 'import scim_client' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$DIR/requirements.txt"
fi
BIN=${SCIMULATE_BIN:-target/release/scimulate}
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
OUT=target/third-party-clients
rm -rf "$OUT"
mkdir -p "$OUT"

CLIENTS="scim2-cli scim-client"
# Scenario and the --time-scale it is played at. The clients' own timers
# are not scaled (scim-client sleeps 1 s, 2 s, 3 s between its attempts),
# so each factor keeps them clearly inside a fault window, never at its
# edge: at 1 the 429 storm outlasts every joiner; at 5 the 503 outage (12 s)
# outlasts scim-client's three attempts at both Dave's and Bob's event.
SCENARIOS="
joiners-during-429-storm 1
single-transient-503 10
leaver-during-expired-token 10
outage-reaches-failed-then-recovers 5
blackholed-target 11
patch-as-put-attribute-loss 10
just-in-time-twin 10
mover-swaps-groups 10
"

# One scenario at a time per client, the two clients side by side. `wait:
# settled` does not wait out its bound here: nothing of an exec connector
# runs between events. The adapters find python3 and scim2 through PATH.
export PATH="$PWD/$VENV/bin:$PATH"
play() {
  local client=$1 status=0 scenario scale
  mkdir -p "$OUT/$client"
  while read -r scenario scale; do
    [ -n "$scenario" ] || continue
    status=0
    "$BIN" run "scenarios/$scenario.yaml" --connector "$DIR/$client.yaml" \
      --time-scale "$scale" --report "json:$OUT/$client/$scenario.json" \
      >"$OUT/$client/$scenario.log" 2>&1 || status=$?
    # 0 and 1 are verdicts; 2 and 3 mean the run itself went wrong.
    if [ "$status" -gt 1 ]; then
      echo "$client $scenario: scimulate exited $status; see $OUT/$client/$scenario.log"
      return 1
    fi
  done <<<"$SCENARIOS"
}
pids=""
for client in $CLIENTS; do
  play "$client" &
  pids="$pids $!"
  # Run folders are named by the millisecond and the scenario.
  sleep 0.1
done
harness_failed=0
for pid in $pids; do
  wait "$pid" || harness_failed=1
done

"$VENV/bin/python" "$DIR/verdicts.py" "$OUT" $CLIENTS >"$OUT/verdicts.txt"
if [ "${UPDATE:-0}" = 1 ]; then
  cp "$OUT/verdicts.txt" "$DIR/verdicts.txt"
  echo "third-party clients: snapshot rewritten ($(grep -c . "$DIR/verdicts.txt") verdicts)"
  exit "$harness_failed"
fi
if ! diff -u "$DIR/verdicts.txt" "$OUT/verdicts.txt"; then
  echo "third-party clients: verdicts differ from $DIR/verdicts.txt (UPDATE=1 rewrites it)"
  exit 1
fi
[ "$harness_failed" -eq 0 ] || exit 1
echo "third-party clients: $(grep -c . "$OUT/verdicts.txt") verdicts as in the snapshot"
