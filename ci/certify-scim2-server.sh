#!/usr/bin/env bash
# Runs `scimulate certify` against scim2-server (PyPI, pinned in
# ci/certify-scim2-server/requirements.txt), a SCIM server nobody here wrote
# (issue #6). The JSON report is reduced to one stable line per check (id,
# level, outcome, message with ids, times and ports masked) and compared with
# ci/certify-scim2-server/expected.txt: any difference fails the run.
# UPDATE=1 rewrites the snapshot instead. Every failed or warned check there
# is explained, with its RFC section, in ci/certify-scim2-server/EXPLAINED.md.
# Outputs go to target/certify-scim2-server/.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=ci/certify-scim2-server
VENV=${SCIM2_SERVER_VENV:-.venv-scim2-server}
# The server, pinned, in a venv of the project's own (created on first use).
if [ ! -x "$VENV/bin/scim2-server" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$DIR/requirements.txt"
fi
BIN=${SCIMULATE_BIN:-target/release/scimulate}
OUT=target/certify-scim2-server
mkdir -p "$OUT"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

# A token made for this run: scim2-server refuses requests without it
# (--bearer-token), so the security checks have something to test.
TOKEN=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))')
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
# 200 once the server answers with the token; anything else (000: no answer) is not ready.
probe() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$1/ServiceProviderConfig" || true; }

# scim2-server cannot be told to pick its own port and report it, so a free
# port is chosen here; if another process takes it first, try another.
BASE_URL=""
for _ in 1 2 3; do
  port=$(free_port)
  "$VENV/bin/scim2-server" --hostname 127.0.0.1 --port "$port" --bearer-token "$TOKEN" \
    >"$OUT/server.log" 2>&1 &
  server_pid=$!
  url="http://127.0.0.1:$port/v2"
  for _ in $(seq 1 300); do
    [ "$(probe "$url")" = 200 ] && { BASE_URL=$url; break; }
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$BASE_URL" ] && break
  kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""
done
[ -n "$BASE_URL" ] || { echo "scim2-server did not become ready (30 s per attempt, 3 attempts):"; tail -20 "$OUT/server.log"; exit 1; }

# Exit 1 (checks failed) is expected: the snapshot says which.
status=0
SCIM2_SERVER_TOKEN=$TOKEN "$BIN" certify --url "$BASE_URL" --token-env SCIM2_SERVER_TOKEN \
  --ledger "$OUT/ledger.jsonl" --report "json:$OUT/report.json" >"$OUT/certify.txt" 2>&1 || status=$?
if [ "$status" -gt 1 ]; then
  echo "scimulate certify could not do its job (exit $status):"; tail -20 "$OUT/certify.txt"; exit 1
fi

"$VENV/bin/python" "$DIR/reduce.py" "$OUT/report.json" "$port" >"$OUT/actual.txt"
if [ "${UPDATE:-}" = 1 ]; then
  cp "$OUT/actual.txt" "$DIR/expected.txt"
  echo "certify-scim2-server: snapshot rewritten ($(wc -l <"$DIR/expected.txt") checks)"
  exit 0
fi
if ! diff -u "$DIR/expected.txt" "$OUT/actual.txt" >"$OUT/diff.txt"; then
  echo "certify against scim2-server differs from $DIR/expected.txt (UPDATE=1 rewrites it;"
  echo "explain each new failure in $DIR/EXPLAINED.md):"
  cat "$OUT/diff.txt"
  exit 1
fi
echo "certify-scim2-server: $(wc -l <"$OUT/actual.txt") checks as in the snapshot ($(grep -cP "\t(failed|warned)\t" "$OUT/actual.txt" || true) failed or warned)"
