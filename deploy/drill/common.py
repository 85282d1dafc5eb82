"""common.py - small helpers shared by vigil-drill's modules: bounded waits and logging."""
import sys
import time


def now():
    return time.monotonic()


def wait_until(cond, timeout_s, step_s=0.05):
    deadline = time.monotonic() + timeout_s
    while True:
        if cond():
            return True
        if time.monotonic() >= deadline:
            return cond()
        time.sleep(step_s)


def log(msg):
    print(f"vigil-drill: {msg}", file=sys.stderr, flush=True)
