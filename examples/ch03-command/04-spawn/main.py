# subprocess.Popen: start the command and return at once.
# We must wait() on it at some point.
import os
import subprocess
import time

pid = os.getpid()


def show_children(parent):
    # --ppid lists our children (ps itself will be one of them).
    subprocess.run(["ps", "--ppid", str(parent), "-o", "pid= ppid= stat= command="])


# ANCHOR: spawn
child = subprocess.Popen(["ps", "--pid", str(pid), "-o", "pid= ppid= command="])
print(f"parent: spawned ps as pid={child.pid}, not waiting yet", flush=True)
status = child.wait()
print("parent: ps is done: exit status", status, flush=True)
# ANCHOR_END: spawn

# ANCHOR: zombie
child = subprocess.Popen(["true"])
time.sleep(0.3)  # plenty of time for `true` to exit
print(f"parent: true (pid={child.pid}) has exited, but nobody waited:", flush=True)
show_children(pid)

child.wait()
print("parent: after wait():", flush=True)
show_children(pid)
# ANCHOR_END: zombie
