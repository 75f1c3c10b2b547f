#!/usr/bin/env python3
"""Writes the soak scenario: MINUTES of wall-clock game day against three
apps, with a steady trickle of lifecycle events (one every 5 s) and faults
that come and go all along: a 429 storm on app-a every 2 minutes, an
expired token on app-b every 10 minutes (ended by a rotation), 300 ms of
network latency on app-c every 3 minutes, app-c cut off for 15 s every 7
minutes, and 500s on app-a every 11 minutes. It ends by waiting until the
apps converge and judges the whole day.

    python3 benches/soak/make_scenario.py MINUTES > soak.yaml
"""
import sys

minutes = int(sys.argv[1]) if len(sys.argv) > 1 else 30
seconds = minutes * 60
events = seconds // 5
people = events  # at most one joiner per event

steps = []  # (at_seconds, yaml text of the step without `at`)
for s in range(0, seconds, 120):
    steps.append((s + 30, "fault: { target: app-a, kind: rate_limit, for: 30s, retry_after: 2s }"))
for s in range(0, seconds, 600):
    steps.append((s + 200, "fault: { target: app-b, kind: token_expired }"))
    steps.append((s + 230, "rotate_token: app-b"))
for s in range(0, seconds, 180):
    steps.append((s + 60, "network: { target: app-c, toxic: { type: latency, attributes: { latency: 300, jitter: 50 } } }"))
    steps.append((s + 120, "network: { target: app-c, clear: true }"))
for s in range(0, seconds, 420):
    steps.append((s + 300, "network: { target: app-c, enabled: false }"))
    steps.append((s + 315, "network: { target: app-c, enabled: true }"))
for s in range(0, seconds, 660):
    steps.append((s + 500, "fault: { target: app-a, kind: server_error, for: 20s }"))

# The trickle: joiners, and from the second minute on every third event a
# leaver and every fifth a mover of someone who joined earlier.
joined, left = 0, set()
for i in range(events):
    at = i * 5 + 2
    if i % 3 == 2 and joined > 10:
        victim = next(k for k in range(1, joined + 1) if k not in left)
        left.add(victim)
        steps.append((at, f"leaver: p{victim}"))
    elif i % 5 == 4 and joined > 10:
        who = next(k for k in range(joined, 0, -1) if k not in left)
        steps.append((at, f"mover: p{who}\n    set: {{ title: Soak {i} }}"))
    else:
        joined += 1
        steps.append((at, f"joiner: p{joined}"))

steps = [(at, text) for at, text in steps if at < seconds]
steps.sort(key=lambda s: s[0])

out = [
    "kind: scenario",
    "name: soak",
    f'description: "A {minutes}-minute soak: a steady trickle of joiners, movers and leavers while faults, token rotations and network toxics come and go on three apps."',
    "seed: 7",
    "tags: [slow, benchmark]",
    "targets:",
    "  app-a: { profile: generic-rfc }",
    "  app-b: { profile: generic-rfc }",
    "  app-c: { profile: generic-rfc }",
    "people:",
    f"  generate: {{ count: {people} }}",
    "steps:",
]
for at, text in steps:
    out.append(f"  - at: {at}s\n    {text}")
out += [
    f"  - at: {seconds}s\n    fault: {{ target: app-a, clear: all }}",
    "  - network: { target: app-c, clear: true }",
    "  - wait: settled\n    timeout: 600s",
    "expect:",
    "  - no_twins: {}",
    "  - no_retry_storm: {}",
    "  - honors_retry_after: { target: app-a }",
]
print("\n".join(out))
