#!/usr/bin/env python3
"""Never becomes ready: says what it is waiting for and waits forever."""
import sys, time

print("starting up", flush=True)
print("waiting for the database at db.invalid:5432", file=sys.stderr, flush=True)
while True:
    time.sleep(3600)
