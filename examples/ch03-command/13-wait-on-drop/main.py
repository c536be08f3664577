# Avoiding zombies with `with Popen(...)`: leaving the block waits.
import os
import subprocess
import time


def show_children():
    # Our children, including this ps itself.
    subprocess.run(["ps", "--ppid", str(os.getpid()), "-o", "pid= ppid= stat= command="])


# ANCHOR: plain
print("1. a Popen we keep but never wait on:", flush=True)
forgotten = subprocess.Popen(["true"])
print(f"spawned pid={forgotten.pid}", flush=True)
time.sleep(0.3)
show_children()
# ANCHOR_END: plain

# ANCHOR: with
print("2. the same command in a with block:", flush=True)
with subprocess.Popen(["true"]) as child:
    print(f"spawned pid={child.pid}", flush=True)
    time.sleep(0.3)
# Popen.__exit__ has called child.wait() for us.
print("after the with block, returncode =", child.returncode, flush=True)
show_children()
# ANCHOR_END: with

# ANCHOR: del
print("3. dropping the forgotten Popen object:", flush=True)
del forgotten  # Popen.__del__ polls the child once, which reaps a zombie
show_children()
# ANCHOR_END: del
