# BROKEN ON PURPOSE: when exec fails, the child carries on running the
# parent's code, because nothing tells it to stop.
import os

# ANCHOR: spawn
pid = os.fork()
if pid == 0:
    try:
        os.execvp("no-such-program", ["no-such-program"])
    except OSError as e:  # exec only returns (raises) when it failed
        print(f"child pid={os.getpid()}: exec failed: {e.strerror}", flush=True)
        # BUG: no os._exit() here, so the child falls through into the parent's code
# ANCHOR_END: spawn

# Code meant for the parent only:
print(f"pid={os.getpid()}: updating the bank balance (parent-only work)", flush=True)
try:
    os.waitpid(pid, 0)
except ChildProcessError as e:
    print(f"pid={os.getpid()}: waitpid failed: {e.strerror}")
