#!/usr/bin/env bash
# Runs scim2-tester (through `scim2 test`) and `scim-sanity probe` against a
# fresh `scimulate serve mock-targets/generic-rfc.yaml`. A failing case fails
# the run unless ci/conformance/allowlist.txt names it with the RFC section
# showing the suite is wrong; allowlisted cases that now pass are reported
# as stale. Outputs go to target/conformance/.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
# The suites, pinned, in a venv of the project's own (created on first use).
if [ ! -x "$VENV/bin/scim2" ] || [ ! -x "$VENV/bin/scim-sanity" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r ci/conformance/requirements.txt
fi
BIN=${SCIMULATE_BIN:-target/release/scimulate}
# Another profile can be given to show the suites failing on a defective target.
PROFILE=${PROFILE:-mock-targets/generic-rfc.yaml}
OUT=target/conformance
mkdir -p "$OUT"
tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$BIN" serve "$PROFILE" --ready-file "$tmp/endpoints.json" 2>"$OUT/serve.log" &
server_pid=$!
for _ in $(seq 1 300); do
  [ -s "$tmp/endpoints.json" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "scimulate serve exited early:"; cat "$OUT/serve.log"; exit 1; }
  sleep 0.1
done
[ -s "$tmp/endpoints.json" ] || { echo "scimulate serve did not become ready within 30 s"; exit 1; }

read_endpoint() { "$VENV/bin/python" -c "import json,sys; e=next(iter(json.load(open(sys.argv[1]))['targets'].values())); print(e['direct_url'] if sys.argv[2]=='url' else e['auth']['token'])" "$tmp/endpoints.json" "$1"; }
BASE_URL=$(read_endpoint url)
TOKEN=$(read_endpoint token)

failures="$tmp/failures.txt"
: >"$failures"

# scim2-tester: one line per check, "SUCCESS name" / "ERROR name" / "CRITICAL name".
# The token goes through the environment, not the command line.
SCIM_CLI_HEADERS="Authorization: Bearer $TOKEN" \
  "$VENV/bin/scim2" --url "$BASE_URL" test >"$OUT/scim2-tester.txt" 2>&1 || true
passed=$(grep -c '^SUCCESS' "$OUT/scim2-tester.txt" || true)
grep -E '^(ERROR|CRITICAL)' "$OUT/scim2-tester.txt" | awk '{print "scim2-tester\t" $2}' >>"$failures" || true
echo "scim2-tester: $passed checks passed"
[ "$passed" -gt 0 ] || { echo "scim2-tester ran no check:"; tail -20 "$OUT/scim2-tester.txt"; exit 1; }

# scim-sanity: JSON output with one result per test.
"$VENV/bin/scim-sanity" probe "$BASE_URL" --token "$TOKEN" --i-accept-side-effects --json-output \
  >"$OUT/scim-sanity.json" 2>"$OUT/scim-sanity.err" || true
"$VENV/bin/python" - "$OUT/scim-sanity.json" >>"$failures" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
try:
    report = json.loads(text)
except ValueError:
    print("scim-sanity\t<no JSON report>")
    sys.exit(0)
results = report.get("results", []) if isinstance(report, dict) else report
passed = 0
for r in results:
    status = str(r.get("status", "")).lower()
    if status in ("pass", "passed"):
        passed += 1
    elif status in ("fail", "failed", "error"):
        print("scim-sanity\t" + str(r.get("name", r.get("test", "?"))).replace("\t", " "))
if passed == 0:
    print("scim-sanity\t<no passing test: report shape changed?>")
sys.stderr.write(f"scim-sanity: {passed} tests passed\n")
PY

allow="$tmp/allow.txt"
grep -v '^#' ci/conformance/allowlist.txt | awk -F'\t' 'NF>=2 {print $1 "\t" $2}' | sort -u >"$allow" || true
sort -u "$failures" -o "$failures"
unexpected=$(comm -23 "$failures" "$allow")
stale=$(comm -13 "$failures" "$allow")
if [ -n "$stale" ]; then
  echo "allowlisted cases that no longer fail (remove them):"; echo "$stale"
fi
if [ -n "$unexpected" ]; then
  echo "conformance failures:"; echo "$unexpected"
  exit 1
fi
echo "conformance: no failure outside the allowlist"
