# subprocess.run() without capture_output: the child writes straight to
# our stdout/stderr; we only get the exit status back.
import os
import subprocess

pid = os.getpid()
args = ["ps", "--pid", str(pid), "-o", "pid= ppid= command="]

# First attempt: our print is NOT flushed before the child runs.
print("parent: first run, no flush")
# ANCHOR: status
status = subprocess.run(args).returncode
# ANCHOR_END: status
print("parent: first run exit status", status, flush=True)

# Second attempt: flush before handing the terminal (here: a pipe) over.
print("parent: second run, flushed", flush=True)
status = subprocess.run(args).returncode
print("parent: second run exit status", status, flush=True)

# stdout and stderr can still be silenced without capturing them.
status = subprocess.run(
    ["ps", "--no-such-option"],
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
).returncode
print("parent: bad option gives exit status", status)
