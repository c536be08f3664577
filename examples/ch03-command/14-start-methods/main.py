# multiprocessing's start methods on Linux: fork, spawn and forkserver.
# The guard `if __name__ == "__main__"` matters: spawn and forkserver
# import this file again in the child, and the guard stops that import
# from starting children of its own.
import multiprocessing as mp
from multiprocessing import forkserver, resource_tracker
import os
import subprocess
import sys

# Set when the module is imported. main() changes it before starting children.
message = "as imported"


def show_tree(main_pid):
    # The main process, its children, and the children of our own parent
    # (for forkserver: the fork server); long command lines shortened.
    out = subprocess.run(
        ["ps", "--pid", str(main_pid), "--ppid", f"{main_pid},{os.getppid()}",
         "-o", "pid= ppid= args="],
        capture_output=True, text=True).stdout
    for line in out.splitlines():
        print("  ", line if len(line) <= 72 else line[:69] + "...")


# ANCHOR: child
def child(method, main_pid):
    print(f"{method}: child pid={os.getpid()} ppid={os.getppid()} sees message={message!r}")
    if method == "forkserver":
        show_tree(main_pid)
    sys.stdout.flush()
# ANCHOR_END: child


# ANCHOR: main
def main():
    global message
    print(f"Python {sys.version.split()[0]}, parent pid={os.getpid()}")
    print("default start method:", mp.get_start_method())
    print("available:", mp.get_all_start_methods())
    message = "changed by the parent"
    sys.stdout.flush()

    for method in ["fork", "spawn", "forkserver"]:
        ctx = mp.get_context(method)
        p = ctx.Process(target=child, args=(method, os.getpid()))
        p.start()
        p.join()

    # spawn and forkserver left two helper processes running: the resource
    # tracker and the fork server. They stop by themselves once this process
    # has exited, which races with the sandbox's check for leftover
    # processes. Python 3.11 has no public call to stop them, so we use the
    # private _stop() methods that CPython's own tests use: not for real code.
    forkserver._forkserver._stop()
    resource_tracker._resource_tracker._stop()


if __name__ == "__main__":
    main()
# ANCHOR_END: main
