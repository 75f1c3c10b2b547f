#!/usr/bin/env bash
# ci/gate.sh: gates a connector's changes on scimulate scenarios. It finds or
# builds scimulate, runs `scimulate run` against the connector (or one slice
# of the scenarios, or merges the slices' reports: SCIMULATE_PARTITION,
# SCIMULATE_MERGE), writes the reports into one folder and exits with
# scimulate's status, so a CI job fails on a failed check. The templates in
# ci/templates/ call it; a connector team copies it to ci/gate.sh in its own
# repository.
#
# Settings, all from the environment (paths are relative to the current
# folder, which is normally the connector's repository):
#
#   SCIMULATE_CONNECTOR   the connector file (docs/connectors.md). Default: none, i.e.
#                         scimulate's built-in reference connector.
#   SCIMULATE_SCENARIOS   scenario files or folders, separated by spaces.
#                         Default: ./scenarios if it exists, else the
#                         scenario pack of the scimulate checkout in use.
#   SCIMULATE_ONLY        run the scenarios whose name matches this glob
#                         (e.g. 'vendor-*'). Default: all.
#   SCIMULATE_TAGS        run the scenarios carrying one of these tags; '!TAG'
#                         skips those carrying TAG. Default: '!slow'; set it
#                         empty to run every scenario.
#   SCIMULATE_TIME_SCALE  scenario seconds per wall second. Default: 10.
#   SCIMULATE_SEED        overrides every scenario's seed. Default: unset.
#   SCIMULATE_BASELINE    a JSON report: fail only on checks that passed there.
#   SCIMULATE_REPORT_DIR  where the reports go. Default: scimulate-report.
#                         It gets junit.xml, report.json and report.md.
#   SCIMULATE_ARGS        more `scimulate run` flags, split on spaces
#                         (e.g. '--tls').
#   SCIMULATE_PARTITION   K/N: run only the K-th of N slices of the selected
#                         scenarios (a CI matrix runs the N slices on N
#                         machines). Default: all of them.
#   SCIMULATE_MERGE       a folder holding the report.json of every slice
#                         (downloaded from the matrix jobs' artifacts):
#                         instead of running anything, merge them with
#                         `scimulate report` into the reports above, and
#                         exit as the whole run would have. The scenario and
#                         connector settings are then not used.
#
# Which scimulate (the first that applies):
#   SCIMULATE_BIN         this binary.
#   SCIMULATE_SRC         a scimulate checkout, built with `cargo build
#                         --release --locked`; its scenarios/ folder is the
#                         default scenario pack. Default: .scimulate-src when
#                         SCIMULATE_GIT is set.
#   SCIMULATE_GIT         a scimulate git repository, fetched into
#                         SCIMULATE_SRC when that holds no checkout yet (a
#                         cached target/ folder may already be there).
#   SCIMULATE_REF         the branch, tag or commit fetched. Default: the
#                         repository's default branch.
#   Otherwise `scimulate` on PATH (e.g. from `cargo install --locked --git
#   URL scimulate`); otherwise the scimulate checkout this script sits in,
#   built as above.
#
# Exit status is scimulate's (docs/reports.md): 0 every check passed; 1 a check
# failed; 2 the input is wrong (also a setting above); 3 the harness could
# not do its job (also: scimulate could not be found or built).
set -euo pipefail

say() { echo "gate.sh: $*" >&2; }
fail() {
  say "$2"
  exit "$1"
}
# A URL as it may be shown: any user:password@ part masked.
shown_url() { sed -E 's#(://)[^/@]*@#\1***@#' <<<"$1"; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

is_checkout() {
  [ -f "$1/Cargo.toml" ] && [ -f "$1/src/main.rs" ] &&
    grep -q '^name = "scimulate"' "$1/Cargo.toml"
}

build_from() {
  local src=$1
  command -v cargo >/dev/null ||
    fail 3 "building scimulate from $src needs cargo (install a Rust toolchain, or set SCIMULATE_BIN)"
  say "building scimulate from $src (cargo build --release --locked)"
  cargo build --release --locked --bin scimulate --manifest-path "$src/Cargo.toml" >&2 ||
    fail 3 "could not build scimulate from $src"
  bin="${CARGO_TARGET_DIR:-$src/target}/release/scimulate"
}

fetch_into() {
  local src=$1 url=$SCIMULATE_GIT ref=${SCIMULATE_REF:-HEAD}
  command -v git >/dev/null || fail 3 "fetching scimulate needs git"
  say "fetching scimulate $ref from $(shown_url "$url") into $src"
  # init + fetch rather than clone: the folder may already hold a cached
  # target/ from an earlier pipeline.
  mkdir -p "$src"
  git -C "$src" init --quiet
  local out
  if ! out=$(git -C "$src" fetch --quiet --depth 1 "$url" "$ref" 2>&1); then
    shown_url "$out" >&2
    fail 3 "could not fetch $ref from $(shown_url "$url")"
  fi
  git -C "$src" -c advice.detachedHead=false checkout --quiet FETCH_HEAD
}

# Reports of an earlier run must not pass for this one's, even when this
# one stops early.
dir=${SCIMULATE_REPORT_DIR:-scimulate-report}
reports=(junit.xml report.json report.md)
mkdir -p "$dir" || fail 3 "could not create the report folder $dir"
for r in "${reports[@]}"; do rm -f "$dir/$r"; done

# The checkout whose scenario pack is the default, if any.
src=""
if [ -n "${SCIMULATE_BIN:-}" ]; then
  bin=$SCIMULATE_BIN
  [ -x "$bin" ] || fail 2 "SCIMULATE_BIN=$bin: not an executable file"
elif [ -n "${SCIMULATE_SRC:-}" ] || [ -n "${SCIMULATE_GIT:-}" ]; then
  src=${SCIMULATE_SRC:-.scimulate-src}
  if ! is_checkout "$src"; then
    [ -n "${SCIMULATE_GIT:-}" ] ||
      fail 2 "SCIMULATE_SRC=$src: not a scimulate checkout (set SCIMULATE_GIT to fetch one there)"
    fetch_into "$src"
    is_checkout "$src" || fail 3 "$(shown_url "$SCIMULATE_GIT") is not a scimulate repository"
  fi
  build_from "$src"
elif command -v scimulate >/dev/null; then
  bin=$(command -v scimulate)
elif is_checkout "$here/.."; then
  src="$here/.."
  build_from "$src"
else
  fail 3 "no scimulate: set SCIMULATE_BIN, SCIMULATE_SRC or SCIMULATE_GIT, or put scimulate on PATH"
fi

# The reports every mode writes, after the mode's own arguments.
report_args=(--report terminal --report "junit:$dir/junit.xml" --report "json:$dir/report.json"
  --report "markdown:$dir/report.md")

# `scimulate run` with the settings above.
run_args() {
  local scenarios s tags extra
  if [ -n "${SCIMULATE_SCENARIOS:-}" ]; then
    read -r -a scenarios <<<"$SCIMULATE_SCENARIOS"
  elif [ -d scenarios ]; then
    scenarios=(scenarios)
  elif [ -n "$src" ] && [ -d "$src/scenarios" ]; then
    scenarios=("$src/scenarios")
  else
    fail 2 "no scenarios: set SCIMULATE_SCENARIOS (no ./scenarios folder here, and no scimulate checkout in use)"
  fi
  for s in "${scenarios[@]}"; do
    [ -e "$s" ] || fail 2 "SCIMULATE_SCENARIOS: $s: no such file or folder (in $PWD)"
  done

  args=(run "${scenarios[@]}")
  if [ -n "${SCIMULATE_CONNECTOR:-}" ]; then
    [ -f "$SCIMULATE_CONNECTOR" ] ||
      fail 2 "SCIMULATE_CONNECTOR=$SCIMULATE_CONNECTOR: no such connector file (in $PWD)"
    args+=(--connector "$SCIMULATE_CONNECTOR")
  fi
  args+=(--time-scale "${SCIMULATE_TIME_SCALE:-10}")
  tags=${SCIMULATE_TAGS-!slow}
  [ -z "$tags" ] || args+=(--tags "$tags")
  [ -z "${SCIMULATE_ONLY:-}" ] || args+=(--only "$SCIMULATE_ONLY")
  [ -z "${SCIMULATE_SEED:-}" ] || args+=(--seed "$SCIMULATE_SEED")
  if [ -n "${SCIMULATE_BASELINE:-}" ]; then
    [ -f "$SCIMULATE_BASELINE" ] || fail 2 "SCIMULATE_BASELINE=$SCIMULATE_BASELINE: no such file (in $PWD)"
    args+=(--baseline "$SCIMULATE_BASELINE")
  fi
  [ -z "${SCIMULATE_PARTITION:-}" ] || args+=(--partition "$SCIMULATE_PARTITION")

  args+=("${report_args[@]}")
  if [ -n "${SCIMULATE_ARGS:-}" ]; then
    read -r -a extra <<<"$SCIMULATE_ARGS"
    args+=("${extra[@]}")
  fi
}

# `scimulate report` of every slice's report.json found in SCIMULATE_MERGE.
merge_args() {
  local inputs
  [ -d "$SCIMULATE_MERGE" ] || fail 2 "SCIMULATE_MERGE=$SCIMULATE_MERGE: no such folder (in $PWD)"
  mapfile -t inputs < <(find "$SCIMULATE_MERGE" -name report.json -type f | sort)
  [ ${#inputs[@]} -gt 0 ] ||
    fail 2 "SCIMULATE_MERGE=$SCIMULATE_MERGE: no report.json in it (did the partition jobs upload their reports?)"
  args=(report "${inputs[@]}" "${report_args[@]}")
}

if [ -n "${SCIMULATE_MERGE:-}" ]; then
  mode=merge
  merge_args
else
  mode=run
  run_args
fi

say "$bin ${args[*]}"
status=0
"$bin" "${args[@]}" || status=$?

case $mode:$status in
  *:0) outcome="every check passed" ;;
  *:1) outcome="a check failed" ;;
  merge:2) outcome="the reports do not merge (a partition's report missing, or reports of different runs) or a setting is wrong: see above" ;;
  *:2) outcome="the input is wrong (a scenario, the connector file or a setting): see above" ;;
  merge:3) outcome="a partition had a harness problem, or a report could not be written: see above" ;;
  *:3) outcome="scimulate could not do its job (the connector would not start, a port, I/O): see above" ;;
  *) outcome="scimulate ended with status $status" ;;
esac
written=()
for r in "${reports[@]}"; do [ ! -f "$dir/$r" ] || written+=("$dir/$r"); done
if [ ${#written[@]} -gt 0 ]; then
  say "reports: ${written[*]}"
else
  say "no report was written"
fi
# On GitHub Actions the Markdown report becomes the job summary.
if [ -n "${GITHUB_STEP_SUMMARY:-}" ] && [ -f "$dir/report.md" ]; then
  cat "$dir/report.md" >>"$GITHUB_STEP_SUMMARY"
fi
say "$outcome (exit $status)"
exit "$status"
