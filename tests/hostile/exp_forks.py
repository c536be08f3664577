# HOSTILE ON PURPOSE: every process forks again, 2**20 processes if nothing stops it.
# Run only through the sandbox (tests/test_hostile.py); refuses outside its PID namespace.
import os
import sys
import time

with open("/proc/1/comm") as f:
    if os.getpid() > 16 or not f.read().startswith("snippets-init"):
        sys.exit("refusing to run outside the sandbox")

failed = 0
for _ in range(20):
    try:
        os.fork()
    except OSError:
        failed += 1
if os.getpid() == 3:
    print("first process: some forks failed" if failed else "first process: every fork worked", flush=True)
time.sleep(0.3)
os._exit(0)
