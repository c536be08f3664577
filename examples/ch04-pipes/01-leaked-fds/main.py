"""What does a child really inherit across exec, with Python's defaults?

The parent makes a pipe with os.pipe() and runs a child (this same file, with
the argument "child") that lists the descriptors it owns from /proc/self/fd.
"""
import os
import subprocess
import sys


def list_my_fds() -> None:
    # os.listdir() opens the directory, so its own descriptor shows up in the
    # list; it is closed again before readlink() runs, so skip the ones that vanished.
    for name in sorted(os.listdir("/proc/self/fd"), key=int):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except FileNotFoundError:
            continue
        # pipe targets look like "pipe:[123456]"; the number changes every run
        print(f"  fd {name} -> {'a pipe' if target.startswith('pipe:') else target}")


def run_child(label: str, **options) -> None:
    print(f"{label}:", flush=True)
    subprocess.run([sys.executable, __file__, "child"], check=True, **options)


if len(sys.argv) > 1 and sys.argv[1] == "child":
    list_my_fds()
    sys.exit(0)

r, w = os.pipe()
print(f"parent: os.pipe() gave fds {r} and {w}")
print(f"parent: inheritable? {os.get_inheritable(r)}, {os.get_inheritable(w)}")

run_child("1. default (close_fds=True)")
run_child("2. close_fds=False", close_fds=False)

os.set_inheritable(w, True)  # clear close-on-exec: now it behaves like C's pipe()
run_child("3. close_fds=False after os.set_inheritable(w, True)", close_fds=False)
os.set_inheritable(w, False)

run_child(f"4. pass_fds=({w},): hand over exactly one descriptor", pass_fds=(w,))
