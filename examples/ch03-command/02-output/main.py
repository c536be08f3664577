# subprocess.run(..., capture_output=True): run to completion, capture
# the exit status, stdout and stderr.
import os
import subprocess

pid = os.getpid()

# ANCHOR: output
completed = subprocess.run(
    ["ps", "--pid", str(pid), "-o", "pid= ppid= command="],
    capture_output=True,
    text=True,  # decode bytes to str; without it stdout/stderr are bytes
)
# ANCHOR_END: output
print("returncode:", completed.returncode)
print("stdout:", repr(completed.stdout))
print("stderr:", repr(completed.stderr))

# A failing command does not raise unless you ask for check=True.
completed = subprocess.run(["ps", "--no-such-option"], capture_output=True, text=True)
print("returncode:", completed.returncode)
print("stdout:", repr(completed.stdout))
print("stderr, first line:", repr(completed.stderr.splitlines()[0]))

try:
    subprocess.run(["ps", "--no-such-option"], capture_output=True, check=True)
except subprocess.CalledProcessError as e:
    print("check=True raised:", e)

# A program that does not exist raises at once.
try:
    subprocess.run(["no-such-program"], capture_output=True)
except FileNotFoundError as e:
    print("error:", e)
