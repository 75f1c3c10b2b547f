# scim2-server (PyPI, pinned in ci/certify-scim2-server/requirements.txt) as
# the scripts that run it need it: installed in a venv of the project's own
# on first use, a token made for this run (scim2-server refuses requests
# without it, so the security checks have something to test), and `serve
# PORT` / `url PORT` for ci/certify-server-lib.sh. Sourced by
# ci/certify-scim2-server.sh and ci/upstream-scim2-server.sh; the caller
# sets OUT (the server's log goes there) first.
DIR=ci/certify-scim2-server
VENV=${SCIM2_SERVER_VENV:-.venv-scim2-server}
if [ ! -x "$VENV/bin/scim2-server" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$DIR/requirements.txt"
fi
NAME=scim2-server
TOKEN=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_urlsafe(24))')
serve() {
  "$VENV/bin/scim2-server" --hostname 127.0.0.1 --port "$1" --bearer-token="$TOKEN" \
    >"$OUT/server.log" 2>&1 &
}
url() { echo "http://127.0.0.1:$1/v2"; }
