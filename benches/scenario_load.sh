#!/usr/bin/env bash
# How long a scenario of 100,000 people takes to load, as `scimulate check`
# loads it (every name resolved, every person made). Two files, written to
# a scratch folder: 100,000 named people (userName, department, title,
# email each; half of them existing accounts, the other half joiners
# listed one per line, then movers and leavers), and 100,000 generated
# people named by ranges.
#
#   cargo build --release && bash benches/scenario_load.sh [COUNT]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${SCIMULATE:-$root/target/release/scimulate}
count=${1:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk -v n="$count" 'BEGIN {
  print "kind: scenario\nname: named-people\nseed: 1"
  print "targets:\n  app-a: { profile: generic-rfc }\n  app-b: { profile: slack }"
  print "people:\n  named:"
  for (i = 0; i < n; i++)
    printf "    u%d: { userName: u%d@acme.test, department: D%d, title: T%d, email: u%d@acme.test }\n", i, i, i % 50, i % 7, i
  printf "existing:\n  - people: ["
  for (i = 0; i < n / 2; i++) printf "%su%d", (i ? ", " : ""), i
  print "]\nsteps:\n  - joiner:"
  for (i = n / 2; i < n; i++) printf "      - u%d\n", i
  print "    groups: [eng]\n  - wait: settled"
  printf "  - mover: ["
  for (i = 0; i < n; i += 2) printf "%su%d", (i ? ", " : ""), i
  print "]\n    set: { department: Moved }\n  - leaver: all\n  - wait: settled"
}' > "$work/named.yaml"

half=$((count / 2))
cat > "$work/generated.yaml" <<YAML
kind: scenario
name: generated-people
seed: 1
targets:
  app-a: { profile: generic-rfc }
  app-b: { profile: slack }
people:
  generate: { count: $count }
existing:
  - people: p1..p$half
steps:
  - joiner: [p$((half + 1))..p$count]
  - wait: settled
  - leaver: all
  - wait: settled
YAML

for f in named generated; do
  size=$(du -h "$work/$f.yaml" | cut -f1)
  start=$(date +%s.%N)
  "$bin" check "$work/$f.yaml"
  end=$(date +%s.%N)
  awk -v n="$count" -v f="$f" -v s="$size" -v a="$start" -v b="$end" \
    'BEGIN { printf "%s people, %s (%s): %.2f s\n", n, f, s, b - a }'
done
