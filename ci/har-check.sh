#!/usr/bin/env bash
# Checks the HAR report (docs/reports.md) with har-validator from the npm
# registry (pinned in ci/har-check/package-lock.json), a HAR 1.2 validator
# nobody on this project wrote: three shipped scenarios (a network fault,
# a 429 storm, OAuth tokens that expire) run against the built-in
# reference connector with --report har, and ci/har-check/check.js must
# accept the file: valid HAR 1.2, a page per scenario and target, a reason
# for every unanswered request, and none of the tokens and client secrets
# the run handed out (the targets files the connector was given).
# Needs node >= 18 and npm, and the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

for tool in node npm python3; do
  command -v "$tool" >/dev/null || { echo "ci/har-check.sh needs $tool"; exit 1; }
done
BIN=${SCIMULATE_BIN:-$repo/target/release/scimulate}
[ -x "$BIN" ] || cargo build --release --locked

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The scenarios name profiles in mock-targets/, looked up from the working folder.
ln -s "$repo/mock-targets" "$tmp/mock-targets"
scenarios=(connection-drops joiners-during-429-storm oauth-token-expiry)
files=()
for s in "${scenarios[@]}"; do files+=("$repo/scenarios/$s.yaml"); done
# The reference connector, copying the targets file it is given into its
# workdir: the run folder's own targets.json is masked when a scenario ends.
(cd "$tmp" && NO_COLOR=1 "$BIN" run "${files[@]}" --time-scale 20 \
  --connector "$repo/tests/connectors/reference-keeps-targets.yaml" \
  --report terminal --report har:out/run.har)

titles=()
for s in "${scenarios[@]}"; do titles+=("$s / app-a"); done
HAR_SECRETS=$(python3 - "$tmp"/.scimulate/runs/*/workdir/targets-as-given.json <<'PY'
import json, sys
for path in sys.argv[1:]:
    for t in json.load(open(path))["targets"]:
        auth = t["auth"]
        print(auth.get("token") or auth.get("client_secret") or "")
PY
)
export HAR_SECRETS
cd ci/har-check
npm ci --no-audit --no-fund --silent
node check.js "$tmp/out/run.har" "${titles[@]}"
