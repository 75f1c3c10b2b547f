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
NAME=scim2-server

# A token made for this run: scim2-server refuses requests without it
# (--bearer-token), so the security checks have something to test.
TOKEN=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))')
serve() {
  "$VENV/bin/scim2-server" --hostname 127.0.0.1 --port "$1" --bearer-token="$TOKEN" \
    >"$OUT/server.log" 2>&1 &
}
url() { echo "http://127.0.0.1:$1/v2"; }
# shellcheck source=ci/certify-server-lib.sh
. ci/certify-server-lib.sh

start_server
certify_against_snapshot
