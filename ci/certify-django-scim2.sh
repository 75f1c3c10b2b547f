#!/usr/bin/env bash
# Runs `scimulate certify` against django-scim2 (PyPI, pinned in
# ci/certify-django-scim2/requirements.txt), a SCIM library from another
# codebase than scim2-server, served by the smallest Django project it runs in
# (ci/certify-django-scim2/project: its two models, a bearer token, SQLite).
# The JSON report is reduced to one stable line per check (the reducer of
# ci/certify-scim2-server) and compared with ci/certify-django-scim2/expected.txt;
# UPDATE=1 rewrites it. Every failure there is explained, with the RFC sentence,
# in ci/certify-django-scim2/EXPLAINED.md. Outputs go to target/certify-django-scim2/.
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=ci/certify-django-scim2
VENV=${DJANGO_SCIM2_VENV:-.venv-django-scim2}
case $VENV in /*) ;; *) VENV=$PWD/$VENV ;; esac
if [ ! -x "$VENV/bin/django-admin" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$DIR/requirements.txt"
fi
BIN=${SCIMULATE_BIN:-target/release/scimulate}
OUT=target/certify-django-scim2
rm -rf "$OUT" && mkdir -p "$OUT"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

TOKEN=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))')
export SCIM_TOKEN=$TOKEN SCIM_DB=$PWD/$OUT/db.sqlite3 PYTHONDONTWRITEBYTECODE=1
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
probe() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$1/ServiceProviderConfig" || true; }

(cd "$DIR/project" && "$VENV/bin/python" manage.py migrate --verbosity 0)
BASE_URL=""
for _ in 1 2 3; do
  port=$(free_port)
  # The server writes location URLs with the address it is reached at.
  export SCIM_NETLOC=127.0.0.1:$port
  (cd "$DIR/project" && exec "$VENV/bin/python" manage.py runserver "127.0.0.1:$port" --noreload) \
    >"$OUT/server.log" 2>&1 &
  server_pid=$!
  url="http://127.0.0.1:$port/scim/v2"
  for _ in $(seq 1 300); do
    [ "$(probe "$url")" = 200 ] && { BASE_URL=$url; break; }
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$BASE_URL" ] && break
  kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""
done
[ -n "$BASE_URL" ] || { echo "django-scim2 did not become ready (30 s per attempt, 3 attempts):"; tail -20 "$OUT/server.log"; exit 1; }

status=0
DJANGO_SCIM2_TOKEN=$TOKEN "$BIN" certify --url "$BASE_URL" --token-env DJANGO_SCIM2_TOKEN \
  --ledger "$OUT/ledger.jsonl" --report "json:$OUT/report.json" >"$OUT/certify.txt" 2>&1 || status=$?
if [ "$status" -gt 1 ]; then
  echo "scimulate certify could not do its job (exit $status):"; tail -20 "$OUT/certify.txt"; exit 1
fi

"$VENV/bin/python" ci/certify-scim2-server/reduce.py "$OUT/report.json" "$port" >"$OUT/actual.txt"
if [ "${UPDATE:-}" = 1 ]; then
  cp "$OUT/actual.txt" "$DIR/expected.txt"
  echo "certify-django-scim2: snapshot rewritten ($(wc -l <"$DIR/expected.txt") checks)"
  exit 0
fi
if ! diff -u "$DIR/expected.txt" "$OUT/actual.txt" >"$OUT/diff.txt"; then
  echo "certify against django-scim2 differs from $DIR/expected.txt (UPDATE=1 rewrites it;"
  echo "explain each new failure in $DIR/EXPLAINED.md):"
  cat "$OUT/diff.txt"
  exit 1
fi
echo "certify-django-scim2: $(wc -l <"$OUT/actual.txt") checks as in the snapshot ($(grep -cP "\t(failed|warned)\t" "$OUT/actual.txt" || true) failed or warned)"
