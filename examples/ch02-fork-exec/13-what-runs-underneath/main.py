# Which system call creates the child when a high-level API starts a program?
# Nothing in the API says, so this file asks strace: it runs itself under
# `strace -f` once per way of starting `true`, keeps only the calls that
# create a process, and prints each one's name and flags.
import os
import re
import subprocess
import sys


def plain_fork():  # for comparison: fork() by hand
    if os.fork() == 0:
        os._exit(0)
    os.wait()


WAYS = {
    "subprocess.run(...)": lambda: subprocess.run(["true"]),
    "subprocess.run(..., close_fds=False)": lambda: subprocess.run(["/bin/true"], close_fds=False),
    "subprocess.run(..., preexec_fn=f)": lambda: subprocess.run(["true"], preexec_fn=lambda: None),
    "os.fork()": plain_fork,
}
CREATE = re.compile(r"^(?:\[pid\s+\d+\] )?(fork|vfork|clone|clone3)\(")
FLAGS = re.compile(r"flags=[A-Z_|]+")

if len(sys.argv) == 2:  # we are the traced run: start a program one way
    WAYS[sys.argv[1]]()
else:
    for way in WAYS:
        strace = ["strace", "-f", "-qq", "-e", "trace=fork,vfork,clone,clone3"]
        log = subprocess.run([*strace, sys.executable, __file__, way],
                             capture_output=True, text=True).stderr
        seen = False
        for line in log.splitlines():
            if call := CREATE.match(line):
                seen = True
                flags = FLAGS.search(line)
                print(f"{way:38} -> {call.group(1)} {flags.group() if flags else ''}".rstrip())
        if not seen:
            print(f"{way:38} -> nothing seen; strace said: {log.strip()[-300:]}")
