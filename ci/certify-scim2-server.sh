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

BIN=${SCIMULATE_BIN:-target/release/scimulate}
OUT=target/certify-scim2-server
mkdir -p "$OUT"
# shellcheck source=ci/certify-scim2-server/server.sh
. ci/certify-scim2-server/server.sh
# shellcheck source=ci/certify-server-lib.sh
. ci/certify-server-lib.sh

start_server
certify_against_snapshot
