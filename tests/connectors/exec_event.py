#!/usr/bin/env python3
"""An exec-style event handler: the event on stdin. An id starting with
`accept` is recorded and exits 0, `reject` exits 1 with a reason on stderr,
`hang` never finishes."""
import json, os, sys, time

event = json.load(sys.stdin)
if event["id"].startswith("accept"):
    with open(os.path.join(os.environ["SCIMULATE_WORKDIR"], "exec-events.jsonl"), "a") as f:
        f.write(json.dumps(event) + "\n")
    sys.exit(0)
if event["id"].startswith("reject"):
    print(f"refused {event['id']}: person has no userName", file=sys.stderr, flush=True)
    sys.exit(1)
print("hanging on purpose", file=sys.stderr, flush=True)
while True:
    time.sleep(3600)
