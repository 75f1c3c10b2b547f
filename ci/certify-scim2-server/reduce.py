"""Reduces a `scimulate certify` JSON report to one stable line per check,
tab-separated: id, level, RFC section, outcome (a failure that only warns is "warned") and the message
with what changes from run to run masked (resource ids, times, the port,
durations). Usage: reduce.py REPORT.json PORT"""

import json
import re
import sys

report = json.load(open(sys.argv[1]))
port = sys.argv[2]

MASKS = [
    # UUIDs and long hex strings (resource ids, ETags made of hashes).
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{16,}\b"), "<hex>"),
    # Timestamps (RFC 3339 / ISO 8601).
    # (A message cut short may end inside one: "2026-12-07T05:…".)
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?:?"), "<time>"),
    # ETag versions: W/"..." hold a counter or a hash.
    (re.compile(r'W/\\?"[^"\\]*\\?"'), 'W/"<etag>"'),
    # The port chosen for this run.
    (re.compile(r"127\.0\.0\.1:" + re.escape(port)), "127.0.0.1:<port>"),
    (re.compile(r"localhost:" + re.escape(port)), "localhost:<port>"),
    # The names certify gives what it creates carry a run-specific suffix.
    (re.compile(r"(scimulate[-_][A-Za-z0-9_-]*?)[-_][0-9a-z]{6,}\b", re.IGNORECASE), r"\1-<run>"),
    # Durations measured during the run.
    (re.compile(r"\b\d+(\.\d+)? ?(ms|s)\b"), "<duration>"),
]


def mask(text: str) -> str:
    text = " ".join(text.split())
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


for check in sorted(report["checks"], key=lambda c: c["id"]):
    outcome = check["outcome"]
    if outcome == "failed" and check.get("warning"):
        outcome = "warned"
    print("\t".join([check["id"], check["level"], check["rfc"], outcome, mask(check.get("message", ""))]))
