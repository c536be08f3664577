# The fix: a child whose exec failed must stop at once. os._exit(127) is the
# shell's convention for "command not found"; the parent can read it back.
import os

# ANCHOR: spawn
pid = os.fork()
if pid == 0:
    try:
        os.execvp("no-such-program", ["no-such-program"])
    except OSError as e:
        print(f"child pid={os.getpid()}: exec failed: {e.strerror}", flush=True)
    os._exit(127)  # _exit, not sys.exit: no exception unwinding, no cleanup
# ANCHOR_END: spawn

print(f"pid={os.getpid()}: updating the bank balance (parent-only work)")
_, status = os.waitpid(pid, 0)
print(f"pid={os.getpid()}: child exited with status {os.waitstatus_to_exitcode(status)}")
