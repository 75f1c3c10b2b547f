#!/usr/bin/env bash
# The live board in a real browser (docs/mock-target.md, "Live board"):
# starts `scimulate serve generic-rfc`, opens the board on its admin
# listener in headless Chromium (ci/browser/check-board.js), switches a
# fault on through the board's form, checks the target answers with it and
# the live feed shows it within a second, clears it from the board, and
# checks the target is restored. Screenshot: target/browser/board.png.
set -euo pipefail
cd "$(dirname "$0")/.."

. ci/browser-lib.sh
serve_mock "$OUT/board-serve.log" generic-rfc

cd ci/browser
npm ci --no-audit --no-fund --silent
node check-board.js "$tmp/endpoints.json" "$OUT"
