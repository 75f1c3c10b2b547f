#!/usr/bin/env python3
"""Ready by a log line on stderr; runs until signalled. SIGUSR1 makes it
crash (exit 3) after saying why, for the exit-after-ready test."""
import os, signal, sys



def crash(*_):
    print("fatal: lost the database connection", file=sys.stderr, flush=True)
    os._exit(3)


# The handler first: once ready, the test may signal at any moment.
signal.signal(signal.SIGUSR1, crash)
print("loading configuration", flush=True)
print("connector listening (log ready)", file=sys.stderr, flush=True)
while True:
    signal.pause()
