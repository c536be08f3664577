# Building a command in Python: a list whose first element is the program.
# No shell is involved, so "pid= ppid= command=" stays ONE argument.
import os
import shlex
import subprocess

pid = os.getpid()

# ANCHOR: build
args = ["ps", "--pid", str(pid), "-o", "pid= ppid= command="]
# ANCHOR_END: build

print("program:", repr(args[0]))
for i, arg in enumerate(args[1:], start=1):
    print(f"arg {i}: {arg!r}")
print("as a shell would need it:", shlex.join(args))

# stdout is a pipe here, so Python buffers our prints; flush them before the
# child writes to the same pipe, or they would appear after its output.
print(flush=True)

completed = subprocess.run(args)
print("ps finished: exit status", completed.returncode)
