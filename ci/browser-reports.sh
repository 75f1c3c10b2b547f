#!/usr/bin/env bash
# The HTML report in a real browser (docs/reports.md, `html`): builds four
# reports with the scimulate binary and opens each in headless Chromium
# (Debian's /usr/bin/chromium through playwright-core, pinned in
# ci/browser/package-lock.json):
#   run-failing  a shipped scenario with the reference connector under a
#                defect (fifo-replay), so its replay check fails
#   certify      certify against `scimulate serve` with a profile that
#                breaks PATCH, so checks fail and group under causes
#   hostile      ci/browser/hostile-names.yaml: a person named with
#                <img src=x onerror=alert(1)> and </script> stays text
#   mass         mass-termination (10,000 events): under 10 MB, opens
# For each: a screenshot in target/browser/, the timeline / failed check /
# levels in the DOM, no console error, no dialog, no request but the file.
set -euo pipefail
cd "$(dirname "$0")/.."

. ci/browser-lib.sh
rm -rf "${OUT:?}"/*

# The reference connector with one defect switched on.
with_defect() {
  sed "s/\"--workdir\", \"{workdir}\"\]/\"--workdir\", \"{workdir}\", \"--defect\", \"$1\"]/" \
    connectors/reference.yaml >"$tmp/connector-$1.yaml"
  grep -q -- "--defect" "$tmp/connector-$1.yaml" || { echo "could not add --defect $1 to connectors/reference.yaml"; exit 1; }
  echo "$tmp/connector-$1.yaml"
}

# A run whose exit status must be `want` (1: a check failed; 0: passed).
run_report() {
  local name=$1 want=$2 status=0
  shift 2
  NO_COLOR=1 "$BIN" run --time-scale 10 --report "terminal:$OUT/$name.txt" \
    --report "json:$OUT/$name.json" --report "html:$OUT/$name.html" "$@" >/dev/null 2>"$OUT/$name.err" || status=$?
  if [ "$status" != "$want" ]; then
    echo "$name: scimulate run exited $status, expected $want:"; tail -20 "$OUT/$name.err" "$OUT/$name.txt" 2>/dev/null; exit 1
  fi
}

run_report run-failing 1 scenarios/leaver-during-expired-token.yaml --connector "$(with_defect fifo-replay)"
run_report hostile 1 ci/browser/hostile-names.yaml --connector "$(with_defect no-read-after-write)"
run_report mass 0 scenarios/mass-termination.yaml

# certify against the mock with a profile that treats PATCH as PUT.
serve_mock "$OUT/serve.log" mock-targets/legacy-patch-as-put.yaml
endpoint() { node -e 'const t=Object.values(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).targets)[0]; console.log(process.argv[2]==="url"?t.direct_url:t.auth.token)' "$tmp/endpoints.json" "$1"; }
status=0
SCIMULATE_BROWSER_TOKEN=$(endpoint token) "$BIN" certify --url "$(endpoint url)" --token-env SCIMULATE_BROWSER_TOKEN \
  --report "terminal:$OUT/certify.txt" --report "json:$OUT/certify.json" --report "html:$OUT/certify.html" >/dev/null 2>"$OUT/certify.err" || status=$?
[ "$status" = 1 ] || { echo "certify exited $status, expected 1 (PATCH checks fail on legacy-patch-as-put):"; tail -20 "$OUT/certify.err" "$OUT/certify.txt"; exit 1; }
kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""

cat >"$tmp/manifest.json" <<EOF
[
  {"name": "run-failing", "file": "$OUT/run-failing.html",
   "expect": [["[data-testid=timeline] svg", "timeline"], ["[data-testid=check][data-outcome=failed]", "failed check"],
              ["[data-testid=replay]", "replay order"], ["[data-testid=slis]", "SLIs"], ["[data-testid=failures] a[href^='#s1-c']", "link to the failure"]]},
  {"name": "certify", "file": "$OUT/certify.html",
   "expect": [["[data-testid=level]#level-MUST", "MUST level"], ["[data-testid=group]", "check group"],
              ["[data-testid=check][data-outcome=failed]", "failed check"], ["[data-testid=check] blockquote", "RFC sentence"],
              ["[data-testid=check] .exchange", "request and answer"]]},
  {"name": "hostile", "file": "$OUT/hostile.html",
   "expect": [["[data-testid=timeline] svg", "timeline"], ["[data-testid=check][data-outcome=failed]", "failed check"]],
   "expectText": ["<img src=x onerror=alert(1)>@acme.test", "</script><script>alert(2)</script>"]},
  {"name": "mass", "file": "$OUT/mass.html", "maxBytes": 10000000, "fullPage": false,
   "expect": [["[data-testid=timeline] svg", "timeline"], ["[data-testid=check]", "check"]]}
]
EOF

cd ci/browser
npm ci --no-audit --no-fund --silent
node check-reports.js "$tmp/manifest.json" "$OUT"
