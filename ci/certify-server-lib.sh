# Shared by ci/certify-scim2-server.sh and ci/certify-django-scim2.sh: start
# a third-party SCIM server on a free loopback port, run `scimulate certify`
# against it, reduce the report to one stable line per check and compare it
# with the server's snapshot. Sourced, not run.
#
# The caller sets NAME (for messages), DIR (the server's folder under ci/,
# with expected.txt and EXPLAINED.md), VENV, BIN, OUT and TOKEN, and defines
#   serve PORT   starts the server in the background on PORT
#   url PORT     prints its SCIM base URL

server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
# 200 once the server answers with the token; anything else (000: no answer) is not ready.
probe() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$1/ServiceProviderConfig" || true; }

# Sets BASE_URL and port. The server cannot be told to pick its own port and
# report it, so a free port is chosen here; if another process takes it
# first, another is tried.
start_server() {
  BASE_URL=""
  for _ in 1 2 3; do
    port=$(free_port)
    serve "$port"
    server_pid=$!
    local candidate
    candidate=$(url "$port")
    for _ in $(seq 1 300); do
      [ "$(probe "$candidate")" = 200 ] && { BASE_URL=$candidate; break; }
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    [ -n "$BASE_URL" ] && break
    kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""
  done
  [ -n "$BASE_URL" ] || { echo "$NAME did not become ready (30 s per attempt, 3 attempts):"; tail -20 "$OUT/server.log"; exit 1; }
}

# Certify, reduce, compare with (or with UPDATE=1 rewrite) $DIR/expected.txt.
# Exit 1 of certify (checks failed) is expected: the snapshot says which.
certify_against_snapshot() {
  local status=0 label="certify-${DIR#ci/certify-}"
  SCIMULATE_CI_SERVER_TOKEN=$TOKEN "$BIN" certify --url "$BASE_URL" --token-env SCIMULATE_CI_SERVER_TOKEN \
    --ledger "$OUT/ledger.jsonl" --report "json:$OUT/report.json" >"$OUT/certify.txt" 2>&1 || status=$?
  if [ "$status" -gt 1 ]; then
    echo "scimulate certify could not do its job (exit $status):"; tail -20 "$OUT/certify.txt"; exit 1
  fi
  "$VENV/bin/python" ci/certify-scim2-server/reduce.py "$OUT/report.json" "$port" >"$OUT/actual.txt"
  if [ "${UPDATE:-}" = 1 ]; then
    cp "$OUT/actual.txt" "$DIR/expected.txt"
    echo "$label: snapshot rewritten ($(wc -l <"$DIR/expected.txt") checks)"
    exit 0
  fi
  if ! diff -u "$DIR/expected.txt" "$OUT/actual.txt" >"$OUT/diff.txt"; then
    echo "certify against $NAME differs from $DIR/expected.txt (UPDATE=1 rewrites it;"
    echo "explain each new failure in $DIR/EXPLAINED.md):"
    cat "$OUT/diff.txt"
    exit 1
  fi
  echo "$label: $(wc -l <"$OUT/actual.txt") checks as in the snapshot ($(grep -cP "\t(failed|warned)\t" "$OUT/actual.txt" || true) failed or warned)"
}
