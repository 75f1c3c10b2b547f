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
NAME=django-scim2

TOKEN=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))')
export SCIM_TOKEN=$TOKEN SCIM_DB=$PWD/$OUT/db.sqlite3 PYTHONDONTWRITEBYTECODE=1
serve() {
  # The server writes location URLs with the address it is reached at.
  export SCIM_NETLOC=127.0.0.1:$1
  (cd "$DIR/project" && exec "$VENV/bin/python" manage.py runserver "127.0.0.1:$1" --noreload) \
    >"$OUT/server.log" 2>&1 &
}
url() { echo "http://127.0.0.1:$1/scim/v2"; }
# shellcheck source=ci/certify-server-lib.sh
. ci/certify-server-lib.sh

(cd "$DIR/project" && "$VENV/bin/python" manage.py migrate --verbosity 0)
start_server
certify_against_snapshot
