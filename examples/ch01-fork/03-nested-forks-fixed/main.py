# The fix: the child does its work and then leaves with os._exit(),
# so only the original parent goes round the loop.
import os

# ANCHOR: loop
for i in range(3):
    pid = os.fork()
    if pid == 0:
        print(f"i={i}: child pid={os.getpid()}, my parent is ppid={os.getppid()}", flush=True)
        os._exit(0)  # the child stops here: it never sees the next iteration
# ANCHOR_END: loop

reaped = 0
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
    reaped += 1
print(f"parent pid={os.getpid()} reaped {reaped} children")
