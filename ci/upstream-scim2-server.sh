#!/usr/bin/env bash
# `scimulate serve --upstream` in front of scim2-server (PyPI, pinned in
# ci/certify-scim2-server/requirements.txt), a SCIM app nobody here wrote:
# requests go through and come back as the app answered, the journal holds
# them, faults answer at the front without the app seeing the request, a
# store fault is refused, an URL that is not SCIM is exit 3, and nothing
# the run created is left in the app (ci/upstream-scim2-server/check.py).
# Then `scimulate run` plays a scenario whose target is scim2-server
# (`upstream:`) with the reference connector: it passes, judged on the state
# read from the app, and afterwards scim2-server holds no user the run
# created and still holds the one it had before
# (ci/upstream-scim2-server/run_check.py).
# Outputs go to target/upstream-scim2-server/.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${SCIMULATE_BIN:-target/release/scimulate}
OUT=target/upstream-scim2-server
rm -rf "$OUT"
mkdir -p "$OUT"
# shellcheck source=ci/certify-scim2-server/server.sh
. ci/certify-scim2-server/server.sh
# shellcheck source=ci/certify-server-lib.sh
. ci/certify-server-lib.sh

front_pid=""
plain_pid=""
stop_plain() { if [ -n "$plain_pid" ]; then kill "$plain_pid" 2>/dev/null || true; wait "$plain_pid" 2>/dev/null || true; plain_pid=""; fi; }
stop_all() {
  stop_plain
  if [ -n "$front_pid" ]; then kill "$front_pid" 2>/dev/null || true; wait "$front_pid" 2>/dev/null || true; fi
  cleanup
}
trap stop_all EXIT

start_server

# An app that does not answer, and an HTTP server that is not SCIM: exit 3
# with a diagnosis, before anything starts (bounded: a serve that did start
# would never end on its own).
mkdir -p "$OUT/plain"
plain_port=$(free_port)
"$VENV/bin/python" -m http.server --bind 127.0.0.1 --directory "$OUT/plain" "$plain_port" >"$OUT/plain.log" 2>&1 &
plain_pid=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null "http://127.0.0.1:$plain_port/" && break
  sleep 0.1
done
closed_port=$(free_port)
for case in "http://127.0.0.1:$closed_port/v2|does not answer" "http://127.0.0.1:$plain_port/v2|is not a SCIM service provider"; do
  app_url=${case%%|*}; says=${case#*|}
  status=0
  timeout 30 "$BIN" serve --upstream "app=$app_url" --ready-file "$OUT/never.json" \
    >"$OUT/refused.txt" 2>&1 || status=$?
  if [ "$status" != 3 ] || [ -e "$OUT/never.json" ]; then
    echo "serve --upstream app=$app_url: exit $status (expected 3, nothing started):"; cat "$OUT/refused.txt"; exit 1
  fi
  grep -q "$says" "$OUT/refused.txt" || { echo "no diagnosis ($says):"; cat "$OUT/refused.txt"; exit 1; }
  echo "ok: serve --upstream app=$app_url is exit 3: $says"
done
stop_plain

"$BIN" serve --upstream "app=$BASE_URL" --ready-file "$OUT/endpoints.json" >"$OUT/serve.log" 2>&1 &
front_pid=$!
for _ in $(seq 1 300); do
  [ -s "$OUT/endpoints.json" ] && break
  kill -0 "$front_pid" 2>/dev/null || { echo "serve --upstream exited:"; cat "$OUT/serve.log"; exit 1; }
  sleep 0.1
done
[ -s "$OUT/endpoints.json" ] || { echo "serve --upstream wrote no ready file in 30 s:"; cat "$OUT/serve.log"; exit 1; }

SCIMULATE_CI_APP_TOKEN=$TOKEN "$VENV/bin/python" ci/upstream-scim2-server/check.py \
  "$OUT/endpoints.json" "$BASE_URL" | tee "$OUT/check.txt"

# A scenario against scim2-server itself (`upstream:`), played by `scimulate
# run` with the built-in reference connector: joiners under a rate limit at
# the front, a leaver, judged on what the app holds. scim2-server is asked
# directly before and after.
if [ -n "$front_pid" ]; then kill "$front_pid" 2>/dev/null || true; wait "$front_pid" 2>/dev/null || true; front_pid=""; fi
RUN_DIR="$OUT/run"
mkdir -p "$RUN_DIR"
RUN_ID=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(4))')
BEFORE="scimulate-ci-before-$RUN_ID@acme.test"
status=$(curl -s -o "$OUT/before.json" -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/scim+json' \
  -d "{\"schemas\": [\"urn:ietf:params:scim:schemas:core:2.0:User\"], \"userName\": \"$BEFORE\"}" "$BASE_URL/Users")
[ "$status" = 201 ] || { echo "could not create the account the app holds before the run ($status):"; cat "$OUT/before.json"; exit 1; }
cat >"$RUN_DIR/scim2-server.yaml" <<YAML
kind: scenario
name: upstream-scim2-server
description: Joiners under a rate limit at the front of scim2-server, then a leaver, judged on the app's own state.
seed: 11
targets:
  app: { upstream: "$BASE_URL", read_token_env: SCIMULATE_CI_READ_TOKEN, token_env: SCIMULATE_CI_APP_TOKEN }
people:
  named:
    ann: { userName: ann-$RUN_ID@acme.test, department: Sales }
    bob: { userName: bob-$RUN_ID@acme.test, department: Engineering }
    cat: { userName: cat-$RUN_ID@acme.test }
steps:
  - fault: { target: app, kind: rate_limit, methods: [POST], for_requests: 2, retry_after: 1s }
  - joiner: [ann, bob, cat]
  - wait: settled
    timeout: 60s
  - leaver: bob
  - wait: settled
    timeout: 60s
expect:
  - honors_retry_after: { target: app }
  - state: converged
YAML
BIN_ABS=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
status=0
(cd "$RUN_DIR" && SCIMULATE_CI_READ_TOKEN=$TOKEN SCIMULATE_CI_APP_TOKEN=$TOKEN timeout 180 "$BIN_ABS" run scim2-server.yaml \
  --report terminal --report json:report.json) >"$OUT/run.txt" 2>&1 || status=$?
cat "$OUT/run.txt"
[ "$status" = 0 ] || { echo "scimulate run against scim2-server: exit $status (expected 0)"; exit 1; }
SCIMULATE_CI_APP_TOKEN=$TOKEN "$VENV/bin/python" ci/upstream-scim2-server/run_check.py \
  "$RUN_DIR" "$BASE_URL" "$RUN_ID" "$BEFORE" | tee "$OUT/run-check.txt"
