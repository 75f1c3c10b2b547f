#!/usr/bin/env bash
# The live board in a real browser (docs/mock-target.md, "Live board"):
# starts `scimulate serve generic-rfc`, opens the board on its admin
# listener in headless Chromium (ci/browser/check-board.js), switches a
# fault on through the board's form, checks the target answers with it and
# the live feed shows it within a second, clears it from the board, and
# checks the target is restored. Screenshot: target/browser/board.png.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "ci/browser-board.sh needs $tool (node >= 18 with npm)"; exit 1; }
done
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "ci/browser-board.sh needs Chromium at $CHROMIUM (Debian: apt-get install chromium)"; exit 1; }
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

"$BIN" serve generic-rfc --ready-file "$tmp/endpoints.json" 2>"$OUT/board-serve.log" &
server_pid=$!
for _ in $(seq 1 300); do
  [ -s "$tmp/endpoints.json" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "scimulate serve exited early:"; cat "$OUT/board-serve.log"; exit 1; }
  sleep 0.1
done
[ -s "$tmp/endpoints.json" ] || { echo "scimulate serve did not become ready within 30 s"; exit 1; }

cd ci/browser
npm ci --no-audit --no-fund --silent
node check-board.js "$tmp/endpoints.json" "$OUT"
