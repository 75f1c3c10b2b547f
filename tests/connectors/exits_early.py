#!/usr/bin/env python3
"""Exits before it is ready, with a reason on stderr."""
import sys

print("reading the targets file", flush=True)
print("error: no such flag --bogus", file=sys.stderr, flush=True)
sys.exit(2)
