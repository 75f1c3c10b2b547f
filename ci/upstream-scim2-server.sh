#!/usr/bin/env bash
# `scimulate serve --upstream` in front of scim2-server (PyPI, pinned in
# ci/certify-scim2-server/requirements.txt), a SCIM app nobody here wrote:
# requests go through and come back as the app answered, the journal holds
# them, faults answer at the front without the app seeing the request, a
# store fault is refused, an URL that is not SCIM is exit 3, and nothing
# the run created is left in the app (ci/upstream-scim2-server/check.py).
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
