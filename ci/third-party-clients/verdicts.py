#!/usr/bin/env python3
"""Reduces the JSON reports of ci/third-party-clients.sh to stable verdict
lines: client, scenario, expect index, check, target, passed|failed, and
the message with what changes from run to run masked (times, durations,
ids, ports, tokens). Usage: verdicts.py OUT_DIR CLIENT...; reads
OUT_DIR/CLIENT/*.json."""
import glob
import json
import os
import re
import sys

MASKS = [
    # Wall-clock times and offsets into the run.
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?"), "<time>"),
    (re.compile(r"\+\d+(\.\d+)?\s?(ms|s|m)\b"), "+<t>"),
    # Durations ("after 1.2s", "350ms").
    (re.compile(r"\b\d+(\.\d+)?\s?(ms|s)\b"), "<d>"),
    # Ports of targets and proxies chosen by the OS.
    (re.compile(r"(127\.0\.0\.1|localhost):\d+"), r"\1:<port>"),
    # Ids the targets mint (UUIDs, long hex) and event ids.
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{16,}\b"), "<hex>"),
    (re.compile(r"/Users/[^\s\"',)]+"), "/Users/<id>"),
    (re.compile(r"/Groups/[^\s\"',)]+"), "/Groups/<id>"),
    (re.compile(r"\bevt-\d+\b"), "evt-<n>"),
    # How many requests fit inside a Retry-After depends on the machine's
    # speed; that one came early does not.
    (re.compile(r"\(\d+ early requests?\)"), "(<n> early)"),
]


# Verdicts left out because they depend on the machine's speed, not on the
# client. scim2-cli never retries, so whether a request of the *next* event
# (a fresh `scim2` process) lands inside the 2 s Retry-After of the last 429
# is a matter of how fast Python starts: under load it sometimes does not.
DROPPED = {("scim2-cli", "joiners-during-429-storm", "honors_retry_after")}


def mask(text):
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    # One line per verdict.
    return " | ".join(line.strip() for line in text.splitlines() if line.strip())


def main(out_dir, clients):
    for client in clients:
        for path in sorted(glob.glob(os.path.join(out_dir, client, "*.json"))):
            scenario_file = os.path.basename(path)[: -len(".json")]
            try:
                with open(path) as f:
                    report = json.load(f)
            except (OSError, ValueError) as e:
                print("\t".join([client, scenario_file, "-", "report", "*", "error", mask(str(e))]))
                continue
            for s in report.get("scenarios", []):
                if s.get("error"):
                    print("\t".join([client, s["name"], "-", "harness", "*", "error",
                                     mask(json.dumps(s["error"], sort_keys=True))]))
                for c in s.get("checks", []):
                    if (client, s["name"], c["check"]) in DROPPED:
                        continue
                    print("\t".join([
                        client, s["name"], str(c["index"]), c["check"], c["target"],
                        "passed" if c["passed"] else "failed", mask(c.get("message", "")),
                    ]))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
