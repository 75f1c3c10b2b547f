#!/usr/bin/env bash
# The test command (README.md): formatting, lints, every test, Toxiproxy API
# compatibility through toxiproxy-node-client, then the conformance suites
# against `scimulate serve mock-targets/generic-rfc.yaml`.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
bash ci/toxiproxy-compat.sh
bash ci/junit-check.sh
cargo build --release --locked
bash ci/certify-scim2-server.sh
bash ci/conformance.sh
