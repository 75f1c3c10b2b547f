#!/usr/bin/env bash
# The README's main job as a CI step: the whole scenario pack (slow
# scenarios included) against the built-in reference connector, on the
# release build. Every check must pass. Reports go to
# target/pack/ (terminal output, JSON, JUnit).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${SCIMULATE_BIN:-target/release/scimulate}
OUT=target/pack
mkdir -p "$OUT"
start=$(date +%s)
status=0
NO_COLOR=1 "$BIN" run --time-scale 10 \
  --report terminal --report "json:$OUT/report.json" --report "junit:$OUT/junit.xml" || status=$?
echo "pack: exit $status after $(( $(date +%s) - start )) s"
exit "$status"
