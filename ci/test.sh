#!/usr/bin/env bash
# The test command (README.md): formatting, lints, every test, Toxiproxy API
# compatibility through toxiproxy-node-client, JUnit through junitparser;
# then, on the release build: the HTML reports in headless Chromium
# (ci/browser-reports.sh), the live board (ci/browser-board.sh) and a game
# day's board (ci/browser-gameday.sh), the README's first game day
# (ci/first-game-day.sh), certify against scim2-server and django-scim2, scim2-server
# fronted by `scimulate serve --upstream` (faults on and off), the third-party
# SCIM clients through the exec contract, the conformance suites against
# `scimulate serve mock-targets/generic-rfc.yaml`, the HAR report through har-validator
# (ci/har-check.sh), and the whole scenario
# pack against the reference connector (ci/pack.sh, the README main job).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
bash ci/toxiproxy-compat.sh
bash ci/junit-check.sh
cargo build --release --locked
bash ci/browser-reports.sh
bash ci/browser-board.sh
bash ci/browser-gameday.sh
bash ci/first-game-day.sh
bash ci/certify-scim2-server.sh
bash ci/upstream-scim2-server.sh
bash ci/certify-django-scim2.sh
bash ci/third-party-clients.sh
bash ci/conformance.sh
bash ci/har-check.sh
bash ci/pack.sh
