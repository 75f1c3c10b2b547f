# Sourced by the browser checks (ci/browser-reports.sh, ci/browser-board.sh):
# what they both need, checked up front with a message saying how to get
# it, a scratch folder, and `serve_mock` to start `scimulate serve` and wait
# for its endpoints file. Sets CHROMIUM, BIN, OUT, tmp and server_pid.
SCRIPT=$(basename "$0")
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "ci/$SCRIPT needs $tool (node >= 18 with npm)"; exit 1; }
done
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "ci/$SCRIPT needs Chromium at $CHROMIUM (Debian: apt-get install chromium)"; exit 1; }
export CHROMIUM
BIN=${SCIMULATE_BIN:-target/release/scimulate}
[ -x "$BIN" ] || { echo "no scimulate binary at $BIN (cargo build --release, or set SCIMULATE_BIN)"; exit 1; }
OUT=$PWD/target/browser
mkdir -p "$OUT"

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# serve_mock LOG ARGS...: `scimulate serve ARGS` in the background, its
# endpoints in $tmp/endpoints.json once every listener accepts (30 s at most).
serve_mock() {
  local log=$1
  shift
  rm -f "$tmp/endpoints.json"
  "$BIN" serve "$@" --ready-file "$tmp/endpoints.json" 2>"$log" &
  server_pid=$!
  for _ in $(seq 1 300); do
    [ -s "$tmp/endpoints.json" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || { echo "scimulate serve exited early:"; cat "$log"; exit 1; }
    sleep 0.1
  done
  echo "scimulate serve did not become ready within 30 s"; exit 1
}
