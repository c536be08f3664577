# fork() then exec() by hand: the child turns into `ps`, which reports on
# the child itself: same process, new program.
import os

print(f"parent pid={os.getpid()}", flush=True)  # flush before fork

# ANCHOR: fork-exec
pid = os.fork()
if pid == 0:
    try:
        me = str(os.getpid())
        # Same process, new program: after this call the child *is* ps.
        os.execvp("ps", ["ps", "--pid", me, "-o", "pid= ppid= command="])
    finally:
        os._exit(127)  # only reached if exec failed
_, status = os.waitpid(pid, 0)
# ANCHOR_END: fork-exec
print(f"parent: child pid={pid} exited with {os.waitstatus_to_exitcode(status)}")
