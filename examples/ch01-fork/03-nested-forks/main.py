# BROKEN ON PURPOSE: the child never leaves the loop, so it forks too.
# We meant to start 3 children; count the "child" lines to see how many we got.
import os

# ANCHOR: loop
for i in range(3):
    pid = os.fork()
    if pid == 0:
        print(f"i={i}: child pid={os.getpid()}, my parent is ppid={os.getppid()}", flush=True)
        # BUG: no os._exit() here, so the child goes round the loop again
# ANCHOR_END: loop

# every process that gets here reaps the children it made
reaped = 0
while True:
    try:
        os.wait()
    except ChildProcessError:
        break
    reaped += 1
print(f"pid={os.getpid()} reaped {reaped} children")
