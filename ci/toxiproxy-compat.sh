#!/usr/bin/env bash
# Toxiproxy API compatibility (docs/mock-target.md): start `scimulate serve`, read the
# built-in proxy's URL from its ready file, and drive it with
# toxiproxy-node-client (ci/toxiproxy-compat/), a client nobody here wrote.
# Needs node >= 18 and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "ci/toxiproxy-compat.sh needs $tool (node >= 18 with npm)"; exit 1; }
done

cargo build --locked --bin scimulate
BIN=target/debug/scimulate

tmp=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

"$BIN" serve --ready-file "$tmp/endpoints.json" 2>"$tmp/serve.log" &
server_pid=$!
for _ in $(seq 1 300); do
  [ -s "$tmp/endpoints.json" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "scimulate serve exited early:"; cat "$tmp/serve.log"; exit 1; }
  sleep 0.1
done
[ -s "$tmp/endpoints.json" ] || { echo "scimulate serve did not become ready within 30 s"; exit 1; }

TOXIPROXY_URL=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).toxiproxy.url)' "$tmp/endpoints.json")
export TOXIPROXY_URL

cd ci/toxiproxy-compat
npm ci --no-audit --no-fund
node compat.js
