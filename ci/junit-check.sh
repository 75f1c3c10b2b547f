#!/usr/bin/env bash
# Checks our JUnit XML with a parser nobody here wrote (Python junitparser,
# pinned in ci/junit-check-requirements.txt): the reporter writes a run and a
# certify report, and ci/junit-check.py must accept both.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
if ! "$VENV/bin/python" -c 'import junitparser' 2>/dev/null; then
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r ci/junit-check-requirements.txt
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
SCIMULATE_JUNIT_OUT="$out" cargo test --locked --quiet --test integration report_reporters::junit_samples >/dev/null
for f in run.xml certify.xml; do
  [ -s "$out/$f" ] || { echo "junit-check: $f was not written"; exit 1; }
  "$VENV/bin/python" ci/junit-check.py "$out/$f"
done
