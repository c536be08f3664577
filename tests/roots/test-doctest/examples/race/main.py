import os
import sys

pid = os.fork()
who = "child" if pid == 0 else "parent"
for i in range(30):
    sys.stdout.write(f"{who} {i}\n")
    sys.stdout.flush()
if pid:
    os.waitpid(pid, 0)
