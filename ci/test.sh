#!/usr/bin/env bash
# The test command (README.md): formatting, lints, every test, then the
# conformance suites against `scimulate serve mock-targets/generic-rfc.yaml`.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
cargo build --release --locked
bash ci/conformance.sh
