# A parent that exits without waiting leaves its child an orphan. The child
# keeps running, and the kernel gives it a new parent: init (pid 1), or the
# nearest ancestor that asked to be a "subreaper".
#
# Three generations, because the whole program must outlive the orphan to
# show what it prints: main -> parent -> child. The parent exits at once.
import os
import time


def name_of(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


parent = os.fork()
if parent == 0:
    # ANCHOR: orphan
    me = os.getpid()  # the parent
    if os.fork() == 0:  # the child
        print(f"child pid={os.getpid()}: started by parent pid={me}", flush=True)
        while os.getppid() == me:
            time.sleep(0.001)  # wait (a few ms) until the parent is gone
        new = os.getppid()
        print(f"child pid={os.getpid()}: still running, re-parented to ppid={new} ({name_of(new)})",
              flush=True)
        os._exit(0)
    print(f"parent pid={me}: exiting without waiting for my child", flush=True)
    os._exit(0)
    # ANCHOR_END: orphan
os.waitpid(parent, 0)
time.sleep(0.5)  # main is not the orphan's parent: it cannot wait for it
