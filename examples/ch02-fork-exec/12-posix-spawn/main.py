# The combined call exists: os.posix_spawnp() creates the child and runs the
# new program in one go.
import os

print(f"parent pid={os.getpid()}", flush=True)

# ANCHOR: spawn
me = str(os.getpid())
pid = os.posix_spawnp("ps", ["ps", "--ppid", me, "-o", "pid= ppid= command="],
                      os.environ)
_, status = os.waitpid(pid, 0)
# ANCHOR_END: spawn
print(f"parent: child pid={pid} exited with {os.waitstatus_to_exitcode(status)}")
