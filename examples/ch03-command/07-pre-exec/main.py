# preexec_fn: run Python code in the child, after fork and before exec.
# The docs warn it is NOT SAFE when the program has threads; Python 3.11
# offers keyword arguments that cover the usual reasons to use it.
import os
import subprocess

pid = os.getpid()
# ps lists us (the parent) and all our children, ps itself included, with
# their process group (pgid) and session (sid) ids.
ps = ["ps", "--pid", str(pid), "--ppid", str(pid), "-o", "pid= ppid= pgid= sid= command="]

print("1. plain run: ps stays in our process group and session", flush=True)
subprocess.run(ps)

# ANCHOR: preexec_fn
print("2. preexec_fn=os.setpgrp (unsafe with threads)", flush=True)
subprocess.run(ps, preexec_fn=os.setpgrp)
# ANCHOR_END: preexec_fn

# ANCHOR: safe
print("3. process_group=0 (Python 3.11+)", flush=True)
subprocess.run(ps, process_group=0)

print("4. start_new_session=True (setsid: new session and group)", flush=True)
subprocess.run(ps, start_new_session=True)
# ANCHOR_END: safe

# ANCHOR: user
print("5. user= and group= (setuid/setgid in the child)", flush=True)
try:
    subprocess.run(["id"], user="nobody", group="nogroup", extra_groups=[])
except (PermissionError, KeyError) as e:
    print("   failed:", e, flush=True)
# ANCHOR_END: user
